// husk kill [-s SIGNAL] [-a] CONTAINER...
import type { CommandModule } from 'yargs';
import { killContainers, parseSignal } from '../../engine/lifecycle.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type KillArgs = GlobalArgs & { containers: string[]; signal: string; all: boolean };

export const killCommand: CommandModule<object, KillArgs> = {
  command: 'kill [containers..]',
  describe: 'Send a signal (default SIGKILL) to running containers',
  builder: (y) =>
    y.options({
      signal: { alias: 's', type: 'string', coerce: lastWins, default: 'KILL', describe: 'Signal to send: a name (TERM, SIGHUP) or a number' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Signal all running containers' },
    }) as never,
  handler: async (argv) => {
    const signal = parseSignal(String(argv.signal));
    printReports(await killContainers(contextFrom(argv), { names: argv.containers ?? [], all: argv.all }, signal));
  },
};
