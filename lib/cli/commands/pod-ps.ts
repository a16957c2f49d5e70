// husk pod ps [-q] [-n] [-l] [--ns] [--no-trunc] [--sort KEY] [--format F] [--filter K=V]... [--ctr-names] [--ctr-ids] [--ctr-status]
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { listPods, podContainers, podStatus } from '../../engine/pods.js';
import { contextFrom, lastWins, table, timeAgo, type GlobalArgs } from '../common.js';
import { renderRows } from '../format.js';
import { printOut } from '../output.js';

type PsArgs = GlobalArgs & { quiet: boolean; trunc: boolean; format?: string; filter: string[]; ctrNames: boolean; ctrIds: boolean; ctrStatus: boolean; noheading: boolean; latest: boolean; namespace: boolean; sort: string };

export const podPsCommand: CommandModule<object, PsArgs> = {
  command: 'ps',
  aliases: ['ls', 'list'],
  describe: 'List pods',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print the pod IDs only' },
      trunc: { type: 'boolean', default: true, describe: 'Truncate IDs (--no-trunc: whole)' },
      format: { type: 'string', coerce: lastWins, describe: 'json, or a Go template ({{.ID}} {{.Name}} {{.Status}} {{.NumberOfContainers}} ...)' },
      filter: { alias: 'f', type: 'string', array: true, nargs: 1, default: [], describe: 'name=, id=, status=, label=' },
      'ctr-names': { type: 'boolean', default: false, describe: 'Show the names of the containers' },
      'ctr-ids': { type: 'boolean', default: false, describe: 'Show the IDs of the containers' },
      'ctr-status': { type: 'boolean', default: false, describe: 'Show the status of the containers' },
      noheading: { alias: 'n', type: 'boolean', default: false, describe: 'Do not print the header' },
      latest: { alias: 'l', type: 'boolean', default: false, describe: 'Only the pod created last' },
      namespace: { alias: 'ns', type: 'boolean', default: false, describe: 'Show the cgroup and the shared namespaces of each pod' },
      sort: { type: 'string', default: 'created', coerce: lastWins, describe: `Sort by ${Object.keys(SORTS).join(', ')} (created: newest first)` },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const id = (s: string) => (argv.trunc ? s.slice(0, 12) : s);
    const tests = argv.filter.map(podFilter);
    const sort = SORTS[argv.sort];
    if (!sort) throw new UsageError(`invalid --sort "${argv.sort}": use ${Object.keys(SORTS).join(', ')}`);
    const pods = listPods(ctx).slice(0, argv.latest ? 1 : undefined);
    const rows = pods
      .map((pod) => {
        const views = podContainers(ctx, pod);
        return {
          ID: id(pod.id),
          Id: pod.id,
          Name: pod.name,
          Status: podStatus(views),
          Created: timeAgo(pod.created),
          CreatedAt: pod.created,
          InfraID: id(pod.infraId ?? ''),
          NumberOfContainers: views.length,
          Labels: pod.labels,
          ContainerNames: views.map((v) => v.record.name).join(','),
          ContainerIds: views.map((v) => id(v.record.id)).join(','),
          ContainerStatuses: views.map((v) => v.status).join(','),
          Cgroup: pod.cgroupParent ?? '',
          Namespaces: pod.share.join(','),
        };
      })
      .filter((r) => tests.every((t) => t(r)))
      .sort(sort);
    if (argv.quiet) return printOut(rows.map((r) => `${r.ID}\n`).join(''));
    if (argv.format) return printOut(renderRows(argv.format, rows, { ID: 'POD ID', NumberOfContainers: '# OF CONTAINERS', InfraID: 'INFRA ID' }));
    const extra: Array<[string, (r: (typeof rows)[number]) => string, boolean]> = [
      ['NAMES', (r) => r.ContainerNames, argv.ctrNames],
      ['CONTAINER IDS', (r) => r.ContainerIds, argv.ctrIds],
      ['STATUS', (r) => r.ContainerStatuses, argv.ctrStatus],
      ['CGROUP', (r) => r.Cgroup, argv.namespace],
      ['NAMESPACES', (r) => r.Namespaces, argv.namespace],
    ];
    const shown = extra.filter(([, , on]) => on);
    const text = table(
      ['POD ID', 'NAME', 'STATUS', 'CREATED', 'INFRA ID', '# OF CONTAINERS', ...shown.map(([h]) => h)],
      rows.map((r) => [r.ID, r.Name, r.Status, r.Created, r.InfraID, String(r.NumberOfContainers), ...shown.map(([, f]) => f(r))]),
    );
    printOut(argv.noheading ? text.split('\n').slice(1).join('\n') : text);
  },
};

type SortRow = { Id: string; Name: string; Status: string; CreatedAt: string; NumberOfContainers: number };
const by = <K extends keyof SortRow>(k: K) => (a: SortRow, b: SortRow) => (a[k] < b[k] ? -1 : a[k] > b[k] ? 1 : 0);

/** podman's --sort keys; created is newest first, as the list comes. */
const SORTS: Record<string, (a: SortRow, b: SortRow) => number> = {
  created: (a, b) => by('CreatedAt')(b, a),
  id: by('Id'),
  name: by('Name'),
  number: by('NumberOfContainers'),
  status: by('Status'),
};

function podFilter(f: string): (r: { Id: string; Name: string; Status: string; Labels: Record<string, string> }) => boolean {
  const eq = f.indexOf('=');
  const [key, value] = [f.slice(0, eq), f.slice(eq + 1)];
  if (eq < 0) throw new UsageError(`invalid --filter "${f}": expected KEY=VALUE`);
  if (key === 'name') return (r) => r.Name.includes(value);
  if (key === 'id') return (r) => r.Id.startsWith(value);
  if (key === 'status') return (r) => r.Status.toLowerCase() === value.toLowerCase();
  if (key === 'label') {
    const [k, v] = value.split('=', 2) as [string, string | undefined];
    return (r) => k in r.Labels && (v === undefined || r.Labels[k] === v);
  }
  throw new UsageError(`invalid --filter "${f}": use name=, id=, status= or label=`);
}
