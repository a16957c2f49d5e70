// husk ps [-a] [-q] [-l] [-n N] [-s] [--no-trunc] [--noheading] [--sort KEY] [-w SECONDS] [--filter K=V]... [--format F]
import type { CommandModule } from 'yargs';
import { containerSize, parseContainerFilters, queryContainers, type ContainerView } from '../../engine/containers.js';
import { UsageError } from '../../core/errors.js';
import { contextFrom, humanDuration, humanSize, lastWins, table, timeAgo, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { readHealth, type HealthState } from '../../engine/health.js';
import { psNetworks, psPorts, publishedPorts } from '../../engine/container-network.js';
import type { Context } from '../../core/context.js';
import { printOut } from '../output.js';
import { ignoredFlag, refusedFlag } from '../compat.js';
import { listPods } from '../../engine/pods.js';
import { stopInProgress } from '../../engine/stop.js';

type PsArgs = GlobalArgs & { pod: boolean; all: boolean; external: boolean; quiet: boolean; trunc: boolean; latest: boolean; last?: number; size: boolean; filter: string[]; format?: string; noheading: boolean; sort?: string; watch?: number };

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
      noheading: { type: 'boolean', default: false, describe: 'Do not print the header line' },
      sort: { type: 'string', coerce: lastWins, describe: `Sort by: ${SORT_KEYS.join(', ')} (default: newest first)` },
      watch: { alias: 'w', type: 'number', coerce: lastWins, describe: 'Show the list again every this many seconds, until interrupted' },
      sync: ignoredFlag('sync', 'boolean', 'husk reads each container\'s state from its processes at every ps; there is nothing to sync'),
      ns: refusedFlag('ns', 'boolean', 'husk\'s ps has no namespace columns (see husk inspect)', { alias: 'namespace' }),
    }) as never,
  handler: async (argv) => {
    if (argv.sort !== undefined && !SORT_KEYS.includes(argv.sort)) throw new UsageError(`invalid --sort "${argv.sort}": use one of ${SORT_KEYS.join(', ')}`);
    if (argv.watch === undefined) return printOut(listing(argv));
    if (!(argv.watch > 0)) throw new UsageError(`invalid --watch ${argv.watch}: give seconds above 0`);
    await watch(() => listing(argv), argv.watch);
  },
};

/** Draws the listing again every `seconds` until SIGINT: in place on a terminal, as top does. */
async function watch(draw: () => string, seconds: number): Promise<void> {
  let stopped = false;
  process.once('SIGINT', () => (stopped = true));
  while (!stopped) {
    const text = draw();
    printOut(process.stdout.isTTY ? `\x1b[2J\x1b[H${text}` : text);
    const until = Date.now() + seconds * 1000;
    while (!stopped && Date.now() < until) await new Promise((r) => setTimeout(r, Math.min(200, until - Date.now())));
  }
}

function listing(argv: PsArgs): string {
  const ctx = contextFrom(argv);
  const filters = parseContainerFilters(argv.filter);
  if (argv.last !== undefined && (!Number.isInteger(argv.last) || argv.last < -1)) throw new UsageError(`invalid --last "${argv.last}": give a number`);
  const views = sortViews(queryContainers(ctx, { all: argv.all, filters, latest: argv.latest, last: argv.last, external: argv.external }), argv.sort, (v) => (argv.sort === 'size' ? containerSize(ctx, v) : 0));
  const id = (v: ContainerView) => (argv.trunc ? v.record.id.slice(0, 12) : v.record.id);
  if (argv.quiet) return views.map((v) => `${id(v)}\n`).join('');
  // The pods' records only when a container is in one: ps reads no more than it did without pods.
  const pods = new Map(views.some((v) => v.record.pod) ? listPods(ctx).map((p) => [p.id, p.name]) : []);
  const rows: Row[] = views.map((v) => ({
    ...rowOf(ctx, v, id(v), argv.trunc, argv.size || /\.Size\b/.test(argv.format ?? '') ? containerSize(ctx, v) : undefined),
    Pod: v.record.pod ? (argv.trunc ? v.record.pod.slice(0, 12) : v.record.pod) : '',
    PodName: v.record.pod ? (pods.get(v.record.pod) ?? '') : '',
    IsInfra: v.record.podInfra ?? false,
  }));
  if (argv.format === 'json') return `${JSON.stringify(views.map((v, i) => podmanJson(ctx, v, rows[i]!)), null, 2)}\n`;
  if (argv.format) return withoutHeading(renderRows(argv.format, rows, PS_HEADERS), argv.noheading && /^\s*table\b/.test(argv.format));
  const headers = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', ...(argv.size ? ['SIZE'] : []), ...(argv.pod ? ['POD ID', 'PODNAME'] : [])];
  const cells = rows.map((r) => [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names, ...(argv.size ? [r.Size] : []), ...(argv.pod ? [r.Pod, r.PodName] : [])].map(String));
  return withoutHeading(table(headers, cells), argv.noheading);
}

const withoutHeading = (text: string, drop: boolean) => (drop ? text.slice(text.indexOf('\n') + 1) : text);

const SORT_KEYS = ['command', 'created', 'id', 'image', 'names', 'runningfor', 'size', 'status'];

/** podman's --sort: ascending, so created is oldest first; runningfor by the start (never started first). */
function sortViews(views: ContainerView[], key: string | undefined, sizeOf: (v: ContainerView) => number): ContainerView[] {
  if (key === undefined) return views;
  const started = (v: ContainerView) => (v.state?.startedAt ? Date.parse(v.state.startedAt) : 0);
  const keyOf: Record<string, (v: ContainerView) => string | number> = {
    command: (v) => v.record.args.join(' '),
    created: (v) => Date.parse(v.record.created),
    id: (v) => v.record.id,
    image: (v) => v.record.imageName,
    names: (v) => v.record.name,
    runningfor: started,
    size: sizeOf,
    status: (v) => statusText(v),
  };
  const of = keyOf[key]!;
  const keyed = views.map((v) => ({ v, k: of(v) }));
  return keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.v);
}

/** Seconds since the epoch, as podman's JSON has them; Go's zero time when there is none. */
const unixTime = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : -62135596800);

/** One container of `ps --format json`, in podman's shape (a JSON array of these). */
function podmanJson(ctx: Context, v: ContainerView, row: Row): Record<string, unknown> {
  const labels = v.record.labels ?? {};
  const ports = publishedPorts(ctx, v);
  return {
    AutoRemove: v.record.autoRemove ?? false,
    Command: v.record.args,
    CreatedAt: row.RunningFor,
    Exited: v.status === 'exited' || v.status === 'stopped',
    ExitedAt: unixTime(v.exit?.finishedAt),
    ExitCode: v.exit?.exitCode ?? 0,
    Id: v.record.id,
    Image: v.record.imageName,
    ImageID: v.record.imageId,
    IsInfra: v.record.podInfra ?? false,
    Labels: Object.keys(labels).length ? labels : null,
    Mounts: (v.record.mounts ?? []).map((m) => m.destination),
    Names: [v.record.name],
    Networks: String(row.Networks).split(',').filter(Boolean),
    Pid: row.Pid,
    Pod: v.record.pod ?? '',
    PodName: row.PodName ?? '',
    Ports: ports.length ? ports.map((p) => ({ host_ip: p.hostIp, container_port: p.containerPort, host_port: p.hostPort, range: 1, protocol: p.protocol })) : null,
    Restarts: v.state?.restartCount ?? 0,
    Size: row.Size === '' ? null : row.Size,
    StartedAt: unixTime(v.state?.startedAt),
    State: row.State,
    Status: row.Status,
    Created: unixTime(v.record.created),
  };
}

/** Column headers of `--format 'table ...'`, as docker's ps prints them. */
const PS_HEADERS: Record<string, string> = { ID: 'CONTAINER ID', RunningFor: 'CREATED', Command: 'COMMAND', Names: 'NAMES', Pod: 'POD ID', PodName: 'PODNAME' };

/** The fields docker's and podman's ps templates use. */
export function rowOf(ctx: Context, v: ContainerView, id: string, trunc: boolean, size?: number): Row {
  const command = v.record.args.join(' ');
  const health = readHealth(ctx, v);
  const stopping = stopInProgress(ctx, v);
  return {
    ID: id,
    Image: v.record.imageName,
    ImageID: v.record.imageId,
    Command: trunc ? truncate(command, 20) : command,
    CreatedAt: v.record.created,
    Created: v.record.created,
    RunningFor: timeAgo(v.record.created),
    CreatedHuman: timeAgo(v.record.created),
    StartedAt: unixTime(v.state?.startedAt),
    Exited: v.status === 'exited' || v.status === 'stopped',
    ExitedAt: unixTime(v.exit?.finishedAt),
    Restarts: v.state?.restartCount ?? 0,
    Status: stopping ? 'Stopping' : statusText(v, health),
    Health: health?.Status ?? '',
    State: stopping ? 'stopping' : v.paused ? 'paused' : v.status,
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
