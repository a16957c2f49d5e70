// husk secret <command>
import type { CommandModule } from 'yargs';
import { secretCreateCommand } from './secret-create.js';
import { secretInspectCommand } from './secret-inspect.js';
import { secretLsCommand } from './secret-ls.js';
import { secretRmCommand } from './secret-rm.js';

export const secretCommand: CommandModule = {
  command: 'secret',
  describe: 'Manage secrets (given to containers with --secret)',
  builder: (y) => {
    for (const c of [secretCreateCommand, secretLsCommand, secretInspectCommand, secretRmCommand]) y.command(c as CommandModule);
    return y.demandCommand(1, 'Specify a secret command');
  },
  handler: () => {},
};
