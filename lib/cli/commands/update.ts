// husk update [--memory ...] [--cpus ...] [--restart ...] CONTAINER...
import type { CommandModule } from 'yargs';
import { updateContainers } from '../../engine/update.js';
import { UsageError } from '../../core/errors.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';
import { RESOURCE_OPTIONS, resourceOptions, type ResourceArgs } from '../resource-options.js';
import { parseRestartPolicy } from '../run-options.js';

/** The limits a running container's cgroup can take (not --ulimit, --shm-size, ... which are the process's and mounts'). */
const UPDATABLE = ['memory', 'memory-reservation', 'memory-swap', 'memory-swappiness', 'kernel-memory', 'cpus', 'cpu-shares', 'cpu-period', 'cpu-quota', 'cpuset-cpus', 'cpuset-mems', 'pids-limit', 'blkio-weight', 'blkio-weight-device', 'device-read-bps', 'device-write-bps', 'device-read-iops', 'device-write-iops'];

type UpdateArgs = GlobalArgs & ResourceArgs & { containers: string[]; restart?: string };

export const updateCommand: CommandModule<object, UpdateArgs> = {
  command: 'update [containers..]',
  describe: 'Change the resource limits or restart policy of containers',
  builder: (y) =>
    y.options({
      ...Object.fromEntries(UPDATABLE.map((k) => [k, RESOURCE_OPTIONS[k]!])),
      restart: { type: 'string', coerce: lastWins, describe: 'Restart policy: no, always, on-failure[:N], unless-stopped' },
    }) as never,
  handler: async (argv) => {
    if (!argv.containers?.length) throw new UsageError('give at least one container name or ID');
    const { resources, warnings } = resourceOptions(argv);
    for (const w of warnings) process.stderr.write(`WARN: ${w}\n`);
    const restartPolicy = argv.restart === undefined ? undefined : parseRestartPolicy(argv.restart, false);
    printReports(await updateContainers(contextFrom(argv), argv.containers, { resources: resources ?? {}, restartPolicy }));
  },
};
