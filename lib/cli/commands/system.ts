// husk system <command>: df, prune, reset, info under its podman name,
// migrate and renumber (nothing to do), service and connection (refused),
// install-generator (and generator, which is husk-generator).
import type { CommandModule } from 'yargs';
import { infoCommand } from './info.js';
import { systemDfCommand } from './system-df.js';
import { systemGeneratorCommand } from './system-generator.js';
import { systemInstallGeneratorCommand } from './system-install-generator.js';
import { systemMigrateCommand, systemRenumberCommand } from './system-migrate.js';
import { systemPruneCommand } from './system-prune.js';
import { systemResetCommand } from './system-reset.js';
import { systemCheckCommand, systemConnectionCommand, systemServiceCommand } from './system-service.js';

export const systemCommand: CommandModule = {
  command: 'system',
  describe: 'Manage husk itself',
  builder: (y) => {
    for (const c of [
      systemDfCommand,
      infoCommand,
      systemPruneCommand,
      systemResetCommand,
      systemMigrateCommand,
      systemRenumberCommand,
      systemServiceCommand,
      systemConnectionCommand,
      systemCheckCommand,
      systemInstallGeneratorCommand,
      systemGeneratorCommand,
    ]) {
      y.command(c as CommandModule);
    }
    return y.demandCommand(1, 'Specify a system command');
  },
  handler: () => {},
};
