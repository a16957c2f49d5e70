// husk rename CONTAINER NEW_NAME
import type { CommandModule } from 'yargs';
import { renameContainer } from '../../engine/lifecycle.js';
import { getContainer } from '../../engine/containers.js';
import { contextFrom, type GlobalArgs } from '../common.js';

type RenameArgs = GlobalArgs & { container: string; name: string };

export const renameCommand: CommandModule<object, RenameArgs> = {
  command: 'rename <container> <name>',
  describe: 'Give a container a new name',
  handler: (argv) => {
    const ctx = contextFrom(argv);
    renameContainer(ctx, getContainer(ctx, String(argv.container)), String(argv.name));
  },
};
