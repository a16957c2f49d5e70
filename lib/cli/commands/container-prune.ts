// husk container prune [-f]: removes every container that is not running.
import type { CommandModule } from 'yargs';
import { pruneContainers } from '../../engine/remove.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

export const containerPruneCommand: CommandModule<object, GlobalArgs & { force: boolean }> = {
  command: 'prune',
  describe: 'Remove all containers that are not running',
  builder: (y) => y.options({ force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask (husk never asks)' } }) as never,
  handler: async (argv) => {
    printReports(await pruneContainers(contextFrom(argv)));
  },
};
