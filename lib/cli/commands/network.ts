// husk network <command>
import type { CommandModule } from 'yargs';
import { networkConnectCommand } from './network-connect.js';
import { networkCreateCommand } from './network-create.js';
import { networkDisconnectCommand } from './network-disconnect.js';
import { networkExistsCommand } from './network-exists.js';
import { networkInspectCommand } from './network-inspect.js';
import { networkLsCommand } from './network-ls.js';
import { networkPruneCommand } from './network-prune.js';
import { networkReloadCommand } from './network-reload.js';
import { networkRmCommand } from './network-rm.js';
import { networkUpdateCommand } from './network-update.js';

export const networkCommand: CommandModule = {
  command: 'network',
  describe: 'Manage networks',
  builder: (y) => {
    for (const c of [
      networkCreateCommand,
      networkLsCommand,
      networkInspectCommand,
      networkRmCommand,
      networkPruneCommand,
      networkExistsCommand,
      networkConnectCommand,
      networkDisconnectCommand,
      networkReloadCommand,
      networkUpdateCommand,
    ]) {
      y.command(c as CommandModule);
    }
    return y.demandCommand(1, 'Specify a network command');
  },
  handler: () => {},
};
