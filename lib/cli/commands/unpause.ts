// husk unpause [-a] CONTAINER...
import type { CommandModule } from 'yargs';
import { unpauseContainers } from '../../engine/pause.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type UnpauseArgs = GlobalArgs & { containers: string[]; all: boolean };

export const unpauseCommand: CommandModule<object, UnpauseArgs> = {
  command: 'unpause [containers..]',
  describe: 'Thaw paused containers',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Unpause all paused containers' },
    }) as never,
  handler: async (argv) => {
    printReports(await unpauseContainers(contextFrom(argv), { names: argv.containers ?? [], all: argv.all }));
  },
};
