// `husk run [OPTIONS] IMAGE [COMMAND [ARG...]]`: everything after the image
// belongs to the container, even words that look like husk's own options.
// yargs cannot stop at the first positional of a subcommand, so the argument
// vector is split here, using the command's own option table, and the
// container's command is handed over after "--".
import type { Options } from 'yargs';
import { UsageError } from '../engine/errors.js';

export type OptionTable = Record<string, Options>;

function takesValue(table: OptionTable, name: string): boolean | undefined {
  for (const [key, opt] of Object.entries(table)) {
    const aliases = [key, ...([] as string[]).concat(opt.alias ?? [])];
    if (aliases.includes(name)) return opt.type !== 'boolean' && opt.type !== 'count';
  }
  return undefined;
}

/**
 * Returns argv with "--" inserted after the first positional following
 * `command`, or argv unchanged when there is nothing to protect.
 */
export function protectContainerCommand(argv: string[], commandPath: string[][], table: OptionTable, globals: OptionTable): string[] {
  const start = findCommand(argv, commandPath, globals);
  if (start < 0) return argv;
  for (let i = start; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') return argv;
    if (tok.startsWith('--')) {
      const [name] = tok.slice(2).split('=', 1);
      const options: OptionTable = { ...globals, ...table, help: { type: 'boolean' } };
      // --no-healthcheck is an option of its own; --no-trunc negates --trunc.
      const value = takesValue(options, name!) ?? takesValue(options, name!.replace(/^no-/, ''));
      if (value === undefined) throw new UsageError(`unknown flag: --${name} (see 'husk ${commandPath[0]!.join(' ')} --help')`);
      if (!tok.includes('=') && value) i++;
      continue;
    }
    if (tok.startsWith('-') && tok.length > 1) {
      // -it, -e VALUE, -eVALUE: only the last short option of a cluster may take a value.
      const letters = tok.slice(1).split('=', 1)[0]!;
      for (const [n, letter] of [...letters].entries()) {
        const value = takesValue(table, letter);
        if (value === undefined) throw new UsageError(`unknown shorthand flag: '${letter}' in ${tok} (see 'husk ${commandPath[0]!.join(' ')} --help')`);
        if (value) {
          if (n === letters.length - 1 && !tok.includes('=')) i++;
          break;
        }
      }
      continue;
    }
    // The image: the rest is the container's command.
    return [...argv.slice(0, i + 1), '--', ...argv.slice(i + 1)];
  }
  return argv;
}

/** Index just past the command words (e.g. ["container", "run"]), skipping global options. */
function findCommand(argv: string[], commandPath: string[][], globals: OptionTable): number {
  for (const words of commandPath) {
    let i = 0;
    let w = 0;
    while (i < argv.length && w < words.length) {
      const tok = argv[i]!;
      if (tok.startsWith('-')) {
        const name = tok.replace(/^-+/, '').split('=', 1)[0]!;
        i += !tok.includes('=') && takesValue(globals, name) ? 2 : 1;
        continue;
      }
      if (tok !== words[w]) break;
      w++;
      i++;
    }
    if (w === words.length) return i;
  }
  return -1;
}
