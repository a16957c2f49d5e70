// husk pause [-a] CONTAINER...
import type { CommandModule } from 'yargs';
import { pauseContainers } from '../../engine/pause.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type PauseArgs = GlobalArgs & { containers: string[]; all: boolean };

export const pauseCommand: CommandModule<object, PauseArgs> = {
  command: 'pause [containers..]',
  describe: 'Freeze every process of running containers',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Pause all running containers' },
    }) as never,
  handler: async (argv) => {
    printReports(await pauseContainers(contextFrom(argv), { names: argv.containers ?? [], all: argv.all }));
  },
};
