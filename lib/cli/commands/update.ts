// husk update [--memory ...] [--cpus ...] [--restart ...] CONTAINER...
import type { CommandModule } from 'yargs';
import { updateContainers } from '../../engine/update.js';
import { UsageError } from '../../core/errors.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';
import { RESOURCE_OPTIONS, resourceOptions, type ResourceArgs } from '../resource-options.js';
import { parseRestartPolicy } from '../run-options.js';
import { refusedFlag } from '../compat.js';
import { LATEST_OPTION, namesOrLatest } from '../targets.js';

/** The limits a running container's cgroup can take (not --ulimit, --shm-size, ... which are the process's and mounts'). */
const UPDATABLE = ['memory', 'memory-reservation', 'memory-swap', 'memory-swappiness', 'kernel-memory', 'cpus', 'cpu-shares', 'cpu-period', 'cpu-quota', 'cpuset-cpus', 'cpuset-mems', 'pids-limit', 'blkio-weight', 'blkio-weight-device', 'device-read-bps', 'device-write-bps', 'device-read-iops', 'device-write-iops'];

type UpdateArgs = GlobalArgs & ResourceArgs & { containers: string[]; restart?: string; latest: boolean };

const FIXED = 'husk fixes it when the container is created: make a new container (husk run/create) with it';
/** podman 5's update of a container's process and healthcheck: husk's are the created container's. */
const FIXED_AT_CREATE = {
  env: refusedFlag('env', 'string', FIXED, { alias: 'e' }),
  unsetenv: refusedFlag('unsetenv', 'string', FIXED),
  ulimit: refusedFlag('ulimit', 'string', FIXED),
  'cpu-rt-period': refusedFlag('cpu-rt-period', 'number', 'husk sets no real-time scheduling limits (cgroup v2 has no cpu.rt_*)'),
  'cpu-rt-runtime': refusedFlag('cpu-rt-runtime', 'number', 'husk sets no real-time scheduling limits (cgroup v2 has no cpu.rt_*)'),
  'no-healthcheck': refusedFlag('no-healthcheck', 'boolean', FIXED),
  ...Object.fromEntries(
    ['cmd', 'interval', 'log-destination', 'max-log-count', 'max-log-size', 'on-failure', 'retries', 'start-period', 'startup-cmd', 'startup-interval', 'startup-retries', 'startup-success', 'startup-timeout', 'timeout'].map((k) => [
      `health-${k}`,
      refusedFlag(`health-${k}`, k === 'max-log-count' || k === 'retries' || k === 'startup-retries' || k === 'startup-success' ? 'number' : 'string', FIXED),
    ]),
  ),
};

export const updateCommand: CommandModule<object, UpdateArgs> = {
  command: 'update [containers..]',
  describe: 'Change the resource limits or restart policy of containers',
  builder: (y) =>
    y.options({
      ...Object.fromEntries(UPDATABLE.map((k) => [k, RESOURCE_OPTIONS[k]!])),
      restart: { type: 'string', coerce: lastWins, describe: 'Restart policy: no, always, on-failure[:N], unless-stopped' },
      ...LATEST_OPTION,
      ...FIXED_AT_CREATE,
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const names = namesOrLatest(ctx, argv.containers ?? [], argv.latest);
    if (!names.length) throw new UsageError('give at least one container name or ID, or --latest');
    const { resources, warnings } = resourceOptions(argv);
    for (const w of warnings) process.stderr.write(`WARN: ${w}\n`);
    // --restart no is a change too: it ends the policy the container had.
    const restartPolicy = argv.restart === undefined ? undefined : (parseRestartPolicy(argv.restart, false) ?? { name: 'no' as const });
    printReports(await updateContainers(ctx, names, { resources: resources ?? {}, restartPolicy }));
  },
};
