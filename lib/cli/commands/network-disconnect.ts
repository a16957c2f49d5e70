// husk network disconnect NETWORK CONTAINER
import type { CommandModule } from 'yargs';
import { disconnectNetwork } from '../../engine/networks.js';
import { contextFrom, type GlobalArgs } from '../common.js';

export const networkDisconnectCommand: CommandModule<object, GlobalArgs & { network: string; container: string }> = {
  command: 'disconnect <network> <container>',
  describe: 'Disconnect a stopped container from a network',
  handler: (argv) => {
    disconnectNetwork(contextFrom(argv), String(argv.network), String(argv.container));
  },
};
