// husk generate <command>: files made from what husk has (systemd units).
import type { CommandModule } from 'yargs';
import { generateSystemdCommand } from './generate-systemd.js';

export const GENERATE_SUBCOMMANDS: CommandModule[] = [generateSystemdCommand as CommandModule];

export const generateCommand: CommandModule = {
  command: 'generate',
  describe: 'Generate systemd units',
  builder: (y) => {
    for (const c of GENERATE_SUBCOMMANDS) y.command(c);
    return y.demandCommand(1, 'Specify a generate command');
  },
  handler: () => {},
};
