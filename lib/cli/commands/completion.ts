// husk completion bash|zsh|fish [-f FILE] [--no-desc]
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import type { CommandLoader } from '../declared.js';
import { UsageError } from '../../core/errors.js';
import { commandTree } from '../command-tree.js';
import { completionScript, SHELLS, type Shell } from '../completion.js';
import { printOut } from '../output.js';

type CompletionArgs = { shell: string; file?: string; desc: boolean };

/** The command, for the table it completes (COMMANDS, ALIASES). */
export const completionCommand = (table: Record<string, CommandLoader>, aliases: Record<string, string>): CommandModule<object, CompletionArgs> => ({
  command: 'completion <shell>',
  describe: 'Write the shell completion script for bash, zsh or fish',
  builder: (y) =>
    y.options({
      file: { alias: 'f', type: 'string', describe: 'Write the script to this file instead of stdout' },
      desc: { type: 'boolean', default: true, describe: 'Describe each command and flag (zsh, fish; --no-desc: do not)' },
    }) as never,
  handler: async (argv) => {
    if (argv.shell === 'powershell') throw new UsageError('powershell completion is not supported: husk runs on Linux; choose bash, zsh or fish');
    if (!(SHELLS as readonly string[]).includes(argv.shell)) throw new UsageError(`unknown shell "${argv.shell}": choose ${SHELLS.join(', ')}`);
    const script = completionScript(argv.shell as Shell, await commandTree(table, aliases), argv.desc);
    if (argv.file === undefined || argv.file === '-') return printOut(script);
    fs.writeFileSync(argv.file, script, { mode: 0o644 });
  },
});
