// husk ps [-a] [-q] [-l] [-n N] [-s] [--no-trunc] [--filter K=V]... [--format F]
import type { CommandModule } from 'yargs';
import { containerSize, parseContainerFilters, queryContainers, type ContainerView } from '../../engine/containers.js';
import { UsageError } from '../../core/errors.js';
import { contextFrom, humanDuration, humanSize, lastWins, table, timeAgo, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { readHealth, type HealthState } from '../../engine/health.js';
import { psNetworks, psPorts } from '../../engine/container-network.js';
import type { Context } from '../../core/context.js';
import { printOut } from '../output.js';
import { listPods } from '../../engine/pods.js';

type PsArgs = GlobalArgs & { pod: boolean; all: boolean; external: boolean; quiet: boolean; trunc: boolean; latest: boolean; last?: number; size: boolean; filter: string[]; format?: string };

export const psCommand: CommandModule<object, PsArgs> = {
  command: 'ps',
  aliases: ['ls'],
  describe: 'List containers',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Show all containers (default shows just running)' },
      external: { type: 'boolean', default: false, describe: 'Also show the containers of builds in progress' },
      pod: { alias: 'p', type: 'boolean', default: false, describe: 'Show the pod (ID and name) of each container' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only display container IDs' },
      // --no-trunc negates --trunc.
      trunc: { type: 'boolean', default: true, describe: 'Truncate IDs and commands (--no-trunc: show them whole)' },
      latest: { alias: 'l', type: 'boolean', default: false, describe: 'Show the latest created container (all states)' },
      last: { alias: 'n', type: 'number', coerce: lastWins, describe: 'Show the N last created containers (all states)' },
      size: { alias: 's', type: 'boolean', default: false, describe: 'Show the size of each container\'s writable layer' },
      filter: { alias: 'f', type: 'string', array: true, nargs: 1, default: [], describe: 'Filter: status=, name=, id=, label=, ancestor=, exited=, volume=, before=, since=' },
      format: { type: 'string', describe: 'json, or a Go template such as "table {{.ID}}\\t{{.Names}}"' },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const filters = parseContainerFilters(argv.filter);
    if (argv.last !== undefined && (!Number.isInteger(argv.last) || argv.last < -1)) throw new UsageError(`invalid --last "${argv.last}": give a number`);
    const views = queryContainers(ctx, { all: argv.all, filters, latest: argv.latest, last: argv.last, external: argv.external });
    const id = (v: ContainerView) => (argv.trunc ? v.record.id.slice(0, 12) : v.record.id);
    if (argv.quiet) {
      printOut(views.map((v) => `${id(v)}\n`).join(''));
      return;
    }
    // The pods' records only when a container is in one: ps reads no more than it did without pods.
    const pods = new Map(views.some((v) => v.record.pod) ? listPods(ctx).map((p) => [p.id, p.name]) : []);
    const rows: Row[] = views.map((v) => ({
      ...rowOf(ctx, v, id(v), argv.trunc, argv.size || /\.Size\b/.test(argv.format ?? '') ? containerSize(ctx, v) : undefined),
      Pod: v.record.pod ? (argv.trunc ? v.record.pod.slice(0, 12) : v.record.pod) : '',
      PodName: v.record.pod ? (pods.get(v.record.pod) ?? '') : '',
      IsInfra: v.record.podInfra ?? false,
    }));
    if (argv.format) {
      printOut(renderRows(argv.format, rows, PS_HEADERS));
      return;
    }
    const headers = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', ...(argv.size ? ['SIZE'] : []), ...(argv.pod ? ['POD ID', 'PODNAME'] : [])];
    const cells = rows.map((r) => [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names, ...(argv.size ? [r.Size] : []), ...(argv.pod ? [r.Pod, r.PodName] : [])].map(String));
    printOut(table(headers, cells));
  },
};

/** Column headers of `--format 'table ...'`, as docker's ps prints them. */
const PS_HEADERS: Record<string, string> = { ID: 'CONTAINER ID', RunningFor: 'CREATED', Command: 'COMMAND', Names: 'NAMES', Pod: 'POD ID', PodName: 'PODNAME' };

/** The fields docker's and podman's ps templates use. */
export function rowOf(ctx: Context, v: ContainerView, id: string, trunc: boolean, size?: number): Row {
  const command = v.record.args.join(' ');
  const health = readHealth(ctx, v);
  return {
    ID: id,
    Image: v.record.imageName,
    ImageID: v.record.imageId,
    Command: trunc ? truncate(command, 20) : command,
    CreatedAt: v.record.created,
    Created: v.record.created,
    RunningFor: timeAgo(v.record.created),
    Status: statusText(v, health),
    Health: health?.Status ?? '',
    State: v.paused ? 'paused' : v.status,
    ExitCode: v.exit?.exitCode ?? 0,
    Ports: psPorts(ctx, v),
    Names: v.record.name,
    // Strings, as docker's ps templates print them.
    Labels: Object.entries(v.record.labels ?? {}).map(([k, val]) => `${k}=${val}`).join(','),
    Mounts: (v.record.mounts ?? []).map((m) => (m.type === 'volume' ? m.source : m.destination)).join(','),
    Networks: psNetworks(v),
    Pid: v.status === 'running' ? v.state?.pid ?? 0 : 0,
    Size: size === undefined ? '' : humanSize(size),
    AutoRemove: v.record.autoRemove,
  };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

export function statusText(v: ContainerView, health?: HealthState): string {
  switch (v.status) {
    case 'running': {
      const up = `Up ${humanDuration(Date.now() - Date.parse(v.state?.startedAt ?? v.record.created))}${v.paused ? ' (Paused)' : ''}`;
      if (!health) return up;
      return `${up} (${health.Status === 'starting' ? 'health: starting' : health.Status})`;
    }
    case 'exited':
      return `Exited (${v.exit?.exitCode ?? -1}) ${timeAgo(v.exit?.finishedAt ?? v.record.created)}`;
    case 'stopped':
      return 'Stopped';
    default:
      return 'Created';
  }
}
