// husk container exists [--external] CONTAINER: exit 0 when it exists, 1 when not (no output).
import type { CommandModule } from 'yargs';
import { findContainer } from '../../engine/containers.js';
import { contextFrom, type GlobalArgs } from '../common.js';

export const containerExistsCommand: CommandModule<object, GlobalArgs & { container: string; external: boolean }> = {
  command: 'exists <container>',
  describe: 'Tell by the exit code whether a container exists',
  builder: (y) =>
    y.options({
      external: { type: 'boolean', default: false, describe: 'Also the containers of builds in progress' },
    }) as never,
  handler: (argv) => {
    const found = findContainer(contextFrom(argv), String(argv.container));
    // A build's container is not the user's, unless --external asks for it (podman's buildah containers so).
    process.exitCode = found && (argv.external || !found.record.builder) ? 0 : 1;
  },
};
