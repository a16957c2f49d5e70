// husk restart [-t SECONDS] [-a] CONTAINER...
import type { CommandModule } from 'yargs';
import { restartContainers } from '../../engine/lifecycle.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';
import { checkedSeconds } from './stop.js';

type RestartArgs = GlobalArgs & { containers: string[]; time?: number; all: boolean };

export const restartCommand: CommandModule<object, RestartArgs> = {
  command: 'restart [containers..]',
  describe: 'Stop (if running) and start containers again',
  builder: (y) =>
    y.options({
      time: { alias: ['t', 'timeout'], type: 'number', coerce: lastWins, describe: 'Seconds to wait before SIGKILL (default: the container\'s, 10)' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Restart all containers' },
    }) as never,
  handler: async (argv) => {
    const time = checkedSeconds(argv.time, '--time');
    const ctx = contextFrom(argv);
    printReports(await restartContainers(ctx, { names: argv.containers ?? [], all: argv.all }, time));
  },
};
