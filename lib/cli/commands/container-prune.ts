// husk container prune [-f]: removes every container that is not running.
import type { CommandModule } from 'yargs';
import { removeContainer, removeOrphans } from '../../engine/remove.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { forEachContainer } from '../each.js';

export const containerPruneCommand: CommandModule<object, GlobalArgs & { force: boolean }> = {
  command: 'prune',
  describe: 'Remove all containers that are not running',
  builder: (y) => y.options({ force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask (husk never asks)' } }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    removeOrphans(ctx);
    await forEachContainer(ctx, [], true, (view) => removeContainer(ctx, view, false), (view) => view.status !== 'running');
  },
};
