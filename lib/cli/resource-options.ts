// --memory, --cpus, --pids-limit, --ulimit, --shm-size and the rest of
// docker's resource flags for run and create, checked and parsed into the
// engine's create options before anything is made.
import type { Options } from 'yargs';
import { UsageError } from '../core/errors.js';
import { parseBytes, parseResources, parseUlimit, type ResourceFlags } from '../engine/limits.js';
import type { CreateOptions } from '../engine/create.js';
import { many, lastWins } from './common.js';

const one = (describe: string, type: 'string' | 'number' = 'string'): Options => ({ type, coerce: lastWins, describe });

export const RESOURCE_OPTIONS: Record<string, Options> = {
  memory: { alias: 'm', ...one('Memory limit: 512m, 1g, ...') },
  'memory-reservation': one('Memory soft limit: what the container keeps under memory pressure'),
  'memory-swap': one('Memory plus swap limit (-1: unlimited swap)'),
  'memory-swappiness': one('How readily the container swaps: 0 to 100', 'number'),
  'kernel-memory': one('Accepted and ignored (kernels no longer limit kernel memory apart)'),
  'oom-kill-disable': { type: 'boolean', describe: 'Do not OOM-kill the container (cgroup v1)' },
  'oom-score-adj': one('Tune the container\'s OOM preference: -1000 to 1000', 'number'),
  cpus: one('Number of CPUs: 0.5, 2, ...'),
  'cpu-shares': { alias: 'c', ...one('CPU shares, the relative weight (1024 is one CPU\'s)', 'number') },
  'cpu-period': one('CPU CFS period in microseconds', 'number'),
  'cpu-quota': one('CPU CFS quota in microseconds per period', 'number'),
  'cpuset-cpus': one('CPUs the container may use: 0-3, 0,1'),
  'cpuset-mems': one('Memory nodes the container may use: 0-3, 0,1'),
  'pids-limit': one('The most processes and threads (-1: no limit)', 'number'),
  'blkio-weight': one('Block IO weight: 10 to 1000', 'number'),
  'blkio-weight-device': many('Block IO weight of a device: DEVICE:WEIGHT'),
  'device-read-bps': many('Read rate limit of a device: DEVICE:RATE (e.g. /dev/sda:1mb)'),
  'device-write-bps': many('Write rate limit of a device: DEVICE:RATE'),
  'device-read-iops': many('Read IO per second limit of a device: DEVICE:IOPS'),
  'device-write-iops': many('Write IO per second limit of a device: DEVICE:IOPS'),
  ulimit: many('Resource limit of the processes: TYPE=SOFT[:HARD] (nofile, nproc, ...)'),
  'shm-size': one('Size of /dev/shm (default 64m)'),
  cgroups: one('Whether the container gets a cgroup: enabled (default), disabled, no-conmon, split'),
  cgroupns: one('Cgroup namespace: private (default) or host'),
  'cgroup-parent': one('The cgroup to make the container\'s cgroup in (default: husk)'),
};

/** The flags as parsed: the limits as resources.ts takes them, and what goes elsewhere in the spec. */
export interface ResourceArgs extends Omit<ResourceFlags, 'cpus'> {
  /** A number to the parser, kept as typed for the message. */
  cpus?: string | number;
  oomScoreAdj?: number;
  ulimit?: string[];
  shmSize?: string;
  cgroups?: string;
  cgroupns?: string;
  cgroupParent?: string;
}

type ResourceCreateOptions = Pick<CreateOptions, 'resources' | 'rlimits' | 'oomScoreAdj' | 'shmSize' | 'cgroups' | 'cgroupns' | 'cgroupParent'> & { warnings: string[] };

export function resourceOptions(a: ResourceArgs): ResourceCreateOptions {
  const { resources, warnings } = parseResources({ ...a, cpus: a.cpus === undefined ? undefined : String(a.cpus) });
  if (a.oomScoreAdj !== undefined && (!Number.isInteger(a.oomScoreAdj) || a.oomScoreAdj < -1000 || a.oomScoreAdj > 1000)) {
    throw new UsageError(`invalid --oom-score-adj ${a.oomScoreAdj}: give -1000 to 1000`);
  }
  const cgroups = a.cgroups ?? 'enabled';
  if (!['enabled', 'disabled', 'no-conmon', 'split'].includes(cgroups)) throw new UsageError(`invalid --cgroups ${cgroups}: give enabled, disabled, no-conmon or split`);
  const cgroupns = a.cgroupns ?? 'private';
  if (!['private', 'host'].includes(cgroupns)) throw new UsageError(`invalid --cgroupns ${cgroupns}: give private or host`);
  return {
    resources,
    warnings,
    rlimits: (a.ulimit ?? []).map(parseUlimit),
    oomScoreAdj: a.oomScoreAdj,
    shmSize: a.shmSize === undefined ? undefined : parseBytes(a.shmSize, '--shm-size'),
    // husk's monitor is never in the container's cgroup: no-conmon and split are what it does anyway.
    cgroups: cgroups === 'disabled' ? 'disabled' : 'enabled',
    cgroupns: cgroupns as 'private' | 'host',
    cgroupParent: a.cgroupParent,
  };
}
