// What the `husk pod` verbs share: the pods they name (or --all), each acted
// on in turn, its ID printed or its error reported, as podman's pod verbs do.
import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { latestPod, podExists, selectPods, type PodRecord } from '../engine/pods.js';
import { contextFrom, type GlobalArgs } from './common.js';
import { refusedFlag } from './compat.js';
import { printReports } from './each.js';
import { namesAndIdFiles } from './run-options.js';

export type PodVerbArgs = GlobalArgs & { pods?: string[]; all: boolean; latest?: boolean; podIdFile?: string[]; ignore?: boolean };

/** podman's --latest/-l: the pod created last, instead of naming it. */
export const LATEST_OPTION = { latest: { alias: 'l', type: 'boolean', default: false, describe: 'The pod created last' } } as const;

export const ALL_OPTION = {
  all: { alias: 'a', type: 'boolean', default: false, describe: 'All pods' },
  ...LATEST_OPTION,
  'pod-id-file': { type: 'string', array: true, nargs: 1, default: [], describe: 'Read the pod ID from this file' },
} as const;

/** pod stop/rm --ignore (podman's, for units): a pod that does not exist, or a missing --pod-id-file, is no error. */
export const IGNORE_OPTION = { ignore: { alias: 'i', type: 'boolean', default: false, describe: 'A pod that does not exist is no error' } } as const;

export async function eachPod(argv: PodVerbArgs, fn: (ctx: Context, pod: PodRecord) => unknown): Promise<void> {
  const ctx = contextFrom(argv);
  const reports: Array<{ name: string; error?: Error }> = [];
  const ignore = argv.ignore ?? false;
  let names = argv.latest ? [latestOrNamed(ctx, argv.pods, true)!] : namesAndIdFiles(argv.pods, argv.podIdFile, '--pod-id-file', ignore);
  if (ignore) {
    names = names.filter((p) => podExists(ctx, p));
    if (!argv.all && names.length === 0) return;
  }
  for (const pod of selectPods(ctx, names, argv.all)) {
    try {
      await fn(ctx, pod);
      reports.push({ name: pod.id });
    } catch (err) {
      reports.push({ name: pod.name, error: err as Error });
    }
  }
  printReports(reports);
}

/** The pod a verb names, or with --latest the newest pod (then naming one too is an error, as in podman). */
export function latestOrNamed(ctx: Context, named: string[] | string | undefined, latest: boolean | undefined): string | undefined {
  const names = ([] as string[]).concat(named ?? []);
  if (!latest) return names[0];
  if (names.length > 0) throw new UsageError('--latest and arguments cannot be used together');
  return latestPod(ctx).id;
}

/** --label-file: KEY=VALUE lines (blank lines and # comments skipped), as -l items; -l given too wins. */
export function labelFileItems(files: string[] | undefined): string[] {
  return (files ?? []).flatMap((f) =>
    fs
      .readFileSync(f, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#')),
  );
}

const EACH_CONTAINER = 'give it to each container (run --pod POD ...): husk pods share only the network, IPC and UTS namespaces and the cgroup limits';

/** podman's pod create and pod clone flags for what a husk pod does not hold for its containers. */
export const POD_REFUSED_OPTIONS = {
  'cgroup-parent': refusedFlag('cgroup-parent', 'string', "husk places a pod's cgroup itself, under its own cgroup tree"),
  device: refusedFlag('device', 'string', EACH_CONTAINER, { array: true, nargs: 1 }),
  gidmap: refusedFlag('gidmap', 'string', 'husk pods share no user namespace: each container has its own', { array: true, nargs: 1 }),
  uidmap: refusedFlag('uidmap', 'string', 'husk pods share no user namespace: each container has its own', { array: true, nargs: 1 }),
  subgidname: refusedFlag('subgidname', 'string', 'husk pods share no user namespace: each container has its own'),
  subuidname: refusedFlag('subuidname', 'string', 'husk pods share no user namespace: each container has its own'),
  userns: refusedFlag('userns', 'string', 'husk pods share no user namespace: each container has its own'),
  gpus: refusedFlag('gpus', 'string', 'husk has no GPU support'),
  pid: refusedFlag('pid', 'string', 'husk pods share no PID namespace (--share takes net, ipc, uts)'),
  uts: refusedFlag('uts', 'string', "a husk pod's UTS namespace is the infra container's, shared with --share uts"),
  restart: refusedFlag('restart', 'string', EACH_CONTAINER),
  'security-opt': refusedFlag('security-opt', 'string', EACH_CONTAINER, { array: true, nargs: 1 }),
  sysctl: refusedFlag('sysctl', 'string', EACH_CONTAINER, { array: true, nargs: 1 }),
  'shm-size': refusedFlag('shm-size', 'string', EACH_CONTAINER),
  'shm-size-systemd': refusedFlag('shm-size-systemd', 'string', EACH_CONTAINER),
  volume: refusedFlag('volume', 'string', EACH_CONTAINER, { alias: 'v', array: true, nargs: 1 }),
  'volumes-from': refusedFlag('volumes-from', 'string', EACH_CONTAINER, { array: true, nargs: 1 }),
} as const;
