// husk volume <command>
import type { CommandModule } from 'yargs';
import { volumeCreateCommand } from './volume-create.js';
import { volumeExistsCommand } from './volume-exists.js';
import { volumeExportCommand, volumeImportCommand, volumeMountCommand, volumeReloadCommand, volumeUnmountCommand } from './volume-export.js';
import { volumeInspectCommand } from './volume-inspect.js';
import { volumeLsCommand } from './volume-ls.js';
import { volumePruneCommand } from './volume-prune.js';
import { volumeRmCommand } from './volume-rm.js';

export const volumeCommand: CommandModule = {
  command: 'volume',
  describe: 'Manage volumes',
  builder: (y) => {
    for (const c of [volumeCreateCommand, volumeLsCommand, volumeInspectCommand, volumeRmCommand, volumePruneCommand, volumeExistsCommand, volumeExportCommand, volumeImportCommand, volumeMountCommand, volumeUnmountCommand, volumeReloadCommand]) {
      y.command(c as CommandModule);
    }
    return y.demandCommand(1, 'Specify a volume command');
  },
  handler: () => {},
};
