// husk network exists NETWORK: exit 0 when it exists, 1 when not (no output).
import type { CommandModule } from 'yargs';
import { networkExists } from '../../engine/networks.js';
import { contextFrom, type GlobalArgs } from '../common.js';

export const networkExistsCommand: CommandModule<object, GlobalArgs & { network: string }> = {
  command: 'exists <network>',
  describe: 'Tell by the exit code whether a network exists',
  handler: (argv) => {
    process.exitCode = networkExists(contextFrom(argv), String(argv.network)) ? 0 : 1;
  },
};
