// husk container exists CONTAINER: exit 0 when it exists, 1 when not (no output).
import type { CommandModule } from 'yargs';
import { findContainer } from '../../engine/containers.js';
import { contextFrom, type GlobalArgs } from '../common.js';

export const containerExistsCommand: CommandModule<object, GlobalArgs & { container: string }> = {
  command: 'exists <container>',
  describe: 'Tell by the exit code whether a container exists',
  handler: (argv) => {
    process.exitCode = findContainer(contextFrom(argv), String(argv.container)) ? 0 : 1;
  },
};
