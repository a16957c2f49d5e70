// husk container prune [-f]: removes every container that is not running.
import type { CommandModule } from 'yargs';
import { exitCodeFor, messageFor } from '../../engine/errors.js';
import { removeContainer, removeOrphans } from '../../engine/remove.js';
import { ContainerStore } from '../../runtime/container-store.js';
import { contextFrom, type GlobalArgs } from '../common.js';

export const containerPruneCommand: CommandModule<object, GlobalArgs & { force: boolean }> = {
  command: 'prune',
  describe: 'Remove all containers that are not running',
  builder: (y) => y.options({ force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask (husk never asks)' } }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    removeOrphans(ctx);
    for (const view of new ContainerStore(ctx).list().filter((v) => v.status !== 'running')) {
      try {
        await removeContainer(ctx, view, false);
        process.stdout.write(`${view.record.id}\n`);
      } catch (err) {
        process.stderr.write(`Error: ${messageFor(err)}\n`);
        process.exitCode = exitCodeFor(err);
      }
    }
  },
};
