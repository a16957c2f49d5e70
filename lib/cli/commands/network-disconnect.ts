// husk network disconnect NETWORK CONTAINER
import type { CommandModule } from 'yargs';
import { disconnectNetwork } from '../../engine/networks.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { ignoredFlag } from '../compat.js';

export const networkDisconnectCommand: CommandModule<object, GlobalArgs & { network: string; container: string }> = {
  command: 'disconnect <network> <container>',
  describe: 'Disconnect a container from a network',
  builder: (y) => y.options({ force: ignoredFlag('force', 'boolean', 'husk disconnects running containers without it', { alias: 'f' }) }) as never,
  handler: (argv) => {
    disconnectNetwork(contextFrom(argv), String(argv.network), String(argv.container));
  },
};
