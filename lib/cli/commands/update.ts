// husk update [--memory ...] [--cpus ...] [--restart ...] [-e K=V] [--unsetenv K] [--ulimit T=S:H]
// [--health-cmd C] [--health-interval D] [--no-healthcheck] ... CONTAINER...|-l
import type { CommandModule } from 'yargs';
import { updateContainers } from '../../engine/update.js';
import { UsageError } from '../../core/errors.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { refusedFlag } from '../compat.js';
import { printReports } from '../each.js';
import { RESOURCE_OPTIONS, resourceOptions, type ResourceArgs } from '../resource-options.js';
import { CREATE_OPTIONS, parseHealthFlags, parseRestartPolicy, type CreateArgs } from '../run-options.js';
import { LATEST_OPTION, namesOrLatest } from '../targets.js';

/** The limits a running container's cgroup can take (not --shm-size, ... which are the mounts'); --ulimit waits for the next start. */
const UPDATABLE = ['memory', 'memory-reservation', 'memory-swap', 'memory-swappiness', 'kernel-memory', 'cpus', 'cpu-shares', 'cpu-period', 'cpu-quota', 'cpuset-cpus', 'cpuset-mems', 'pids-limit', 'blkio-weight', 'blkio-weight-device', 'device-read-bps', 'device-write-bps', 'device-read-iops', 'device-write-iops', 'ulimit'];

/** run's healthcheck flags, which update lays over the container's own. */
const HEALTH = ['health-cmd', 'health-interval', 'health-retries', 'health-start-period', 'health-timeout'];

/** podman's healthcheck flags for what husk's healthchecks do not have. */
const HEALTH_REFUSED = {
  'health-log-destination': 'husk keeps the healthcheck log in the container (inspect shows it)',
  'health-max-log-count': 'husk keeps the last five healthcheck results',
  'health-max-log-size': 'husk keeps the last five healthcheck results',
  'health-on-failure': 'husk marks an unhealthy container so, and takes no action on it',
  'health-startup-cmd': 'husk has no startup healthchecks',
  'health-startup-interval': 'husk has no startup healthchecks',
  'health-startup-retries': 'husk has no startup healthchecks',
  'health-startup-success': 'husk has no startup healthchecks',
  'health-startup-timeout': 'husk has no startup healthchecks',
};

const RT = 'cgroup v2 has no real-time CPU limits (cpu.rt_*), and husk sets none';

type UpdateArgs = GlobalArgs &
  ResourceArgs &
  Pick<CreateArgs, 'healthCmd' | 'healthInterval' | 'healthRetries' | 'healthStartPeriod' | 'healthTimeout'> & {
    containers?: string[];
    restart?: string;
    env: string[];
    unsetenv: string[];
    healthcheck?: boolean;
    latest: boolean;
  };

export const updateCommand: CommandModule<object, UpdateArgs> = {
  command: 'update [containers..]',
  describe: 'Change the resource limits, restart policy, environment or healthcheck of containers',
  builder: (y) =>
    y.options({
      ...Object.fromEntries(UPDATABLE.map((k) => [k, RESOURCE_OPTIONS[k]!])),
      restart: { type: 'string', coerce: lastWins, describe: 'Restart policy: no, always, on-failure[:N], unless-stopped' },
      env: { alias: 'e', type: 'string', array: true, nargs: 1, default: [], describe: 'Set an environment variable, NAME=VALUE (NAME: from here), from the next start on' },
      unsetenv: { type: 'string', array: true, nargs: 1, default: [], describe: 'Remove an environment variable, from the next start on' },
      ...Object.fromEntries(HEALTH.map((k) => [k, CREATE_OPTIONS[k]!])),
      // --no-healthcheck negates it; no default, so that leaving it out changes nothing.
      healthcheck: { type: 'boolean', describe: 'Keep the healthcheck (--no-healthcheck: remove it)' },
      ...LATEST_OPTION,
      'cpu-rt-period': refusedFlag('cpu-rt-period', 'number', RT),
      'cpu-rt-runtime': refusedFlag('cpu-rt-runtime', 'number', RT),
      ...Object.fromEntries(Object.entries(HEALTH_REFUSED).map(([k, why]) => [k, refusedFlag(k, 'string', why)])),
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const names = namesOrLatest(ctx, argv.containers ?? [], argv.latest);
    if (!names.length) throw new UsageError('give at least one container name or ID, or --latest');
    const { resources, rlimits, warnings } = resourceOptions(argv);
    for (const w of warnings) process.stderr.write(`WARN: ${w}\n`);
    // --restart no is a change too: it ends the policy the container had.
    const restartPolicy = argv.restart === undefined ? undefined : (parseRestartPolicy(argv.restart, false) ?? { name: 'no' as const });
    const health = parseHealthFlags({ ...argv, healthcheck: argv.healthcheck ?? true }) ?? (argv.healthcheck === false ? null : undefined);
    const env = argv.env.length || argv.unsetenv.length ? { set: argv.env.flatMap(envItem), unset: argv.unsetenv } : undefined;
    printReports(await updateContainers(ctx, names, { resources: resources ?? {}, restartPolicy, env, rlimits, health }));
  },
};

/** -e NAME=VALUE, or NAME for this environment's value (left out when unset), as run's. */
function envItem(item: string): string[] {
  if (item.startsWith('=')) throw new UsageError(`invalid --env "${item}": give NAME=VALUE`);
  if (item.includes('=')) return [item];
  return process.env[item] === undefined ? [] : [`${item}=${process.env[item]}`];
}
