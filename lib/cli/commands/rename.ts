// husk rename CONTAINER NEW_NAME
import type { CommandModule } from 'yargs';
import { renameContainer } from '../../engine/lifecycle.js';
import { ContainerStore } from '../../runtime/container-store.js';
import { contextFrom, type GlobalArgs } from '../common.js';

type RenameArgs = GlobalArgs & { container: string; name: string };

export const renameCommand: CommandModule<object, RenameArgs> = {
  command: 'rename <container> <name>',
  describe: 'Give a container a new name',
  handler: (argv) => {
    const ctx = contextFrom(argv);
    renameContainer(ctx, new ContainerStore(ctx).get(String(argv.container)), String(argv.name));
  },
};
