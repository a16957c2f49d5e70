// husk stop [-t SECONDS] [-a] CONTAINER...
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { stopContainers } from '../../engine/lifecycle.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type StopArgs = GlobalArgs & { containers: string[]; time?: number; all: boolean };

export const stopCommand: CommandModule<object, StopArgs> = {
  command: 'stop [containers..]',
  describe: 'Stop running containers: the stop signal, then SIGKILL after a timeout',
  builder: (y) =>
    y.options({
      time: { alias: ['t', 'timeout'], type: 'number', coerce: lastWins, describe: 'Seconds to wait before SIGKILL (default: the container\'s, 10)' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Stop all running containers' },
    }) as never,
  handler: async (argv) => {
    const time = checkedSeconds(argv.time, '--time');
    const ctx = contextFrom(argv);
    printReports(await stopContainers(ctx, { names: argv.containers ?? [], all: argv.all }, time));
  },
};

export function checkedSeconds(value: number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`invalid ${flag} "${value}": give seconds, 0 or more`);
  return value;
}
