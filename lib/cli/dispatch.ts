// From the words of a command line to the command they name and its
// parsed arguments: the path every husk command takes (help aside).
import { UsageError } from '../core/errors.js';
import { applyGlobalOptions, GLOBAL_OPTIONS, GLOBAL_SHORTHANDS } from './common.js';
import { ALIASES, COMMANDS } from './command-table.js';
import { declared, nameOf, type AnyCommand, type Declared } from './declared.js';
import { parseArgs, type OptionTable } from './parse-args.js';
import { trace } from '../core/trace.js';

const isNamed = (mod: AnyCommand, word: string) => nameOf(mod) === word || ([] as string[]).concat(mod.aliases ?? []).includes(word);

/** The option a flag (--name, -n, --name=v) names in a table, by its name or an alias. */
function optionFor(table: OptionTable, tok: string): OptionTable[string] | undefined {
  const name = tok.replace(/^-+/, '').replace(/=.*$/, '');
  if (table[name]) return table[name];
  return Object.values(table).find((o) => ([] as string[]).concat((o.alias as string | string[] | undefined) ?? []).includes(name));
}

/** The command the words name, down through groups ("container ls"), and every other word. */
export interface Found {
  mod: AnyCommand;
  declared: Declared;
  /** The command words as typed ("container ls"): errors and help name them. */
  path: string[];
  rest: string[];
}

export async function findCommand(argv: string[]): Promise<Found | undefined> {
  let found: Found | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') return found && { ...found, rest: [...rest, ...argv.slice(i)] };
    if (tok.startsWith('-') && tok !== '-') {
      // podman's -r and -c NAME before the command are its --remote and --connection.
      const flag = !found && GLOBAL_SHORTHANDS[tok] ? `--${GLOBAL_SHORTHANDS[tok]}` : tok;
      rest.push(flag);
      // A global option's value is not a command word, nor is that of a group's own (compose -f FILE config).
      const opt = (found && optionFor(found.declared.options, flag)) ?? optionFor(GLOBAL_OPTIONS, flag);
      if (opt && opt.type !== 'boolean' && !tok.includes('=') && i + 1 < argv.length) rest.push(argv[++i]!);
      continue;
    }
    if (found && found.declared.commands.length === 0) return { ...found, rest: [...rest, ...argv.slice(i)] };
    const mod = found ? found.declared.commands.find((c) => isNamed(c, tok)) : await COMMANDS[ALIASES[tok] ?? tok]?.();
    if (!mod && !found) throw new UsageError(`unrecognized command "husk ${tok}": see 'husk --help' for the list of commands`);
    if (!mod) return undefined; // a group's unknown subcommand: yargs names it
    const d = declared(mod);
    // A subcommand takes its group's options too.
    if (found) d.options = { ...found.declared.options, ...d.options };
    found = { mod, declared: d, path: [...(found?.path ?? []), tok], rest };
  }
  return found && { ...found, rest };
}

/** Parses a command's options and words, and runs it. False when help was asked for. */
export async function runCommand({ mod, declared: d, path, rest }: Found): Promise<boolean> {
  const positionals = String(mod.command).split(' ').slice(1);
  const parsed = parseArgs(rest, { ...GLOBAL_OPTIONS, ...d.options }, {
    command: path.join(' '),
    // run IMAGE CMD..., exec CTR CMD...: what follows the image or container is the container's.
    wordsBeforeRest: d.config['populate--'] ? positionals.length - 1 : undefined,
    unknownOptionsAreWords: d.config['unknown-options-as-args'] === true,
  });
  if (parsed.help) return false;
  applyGlobalOptions(parsed.values);
  const args: Record<string, unknown> = { ...parsed.values, _: [], $0: 'husk' };
  const words = parsed.words;
  for (const p of positionals) {
    const [, bracket, name, variadic] = /^([<[])([\w-]+)(\.\.)?[>\]]$/.exec(p) ?? [];
    if (!name) throw new Error(`husk: cannot read the positionals of "${String(mod.command)}"`);
    const value = variadic ? words.splice(0) : words.shift();
    if (bracket === '<' && (value === undefined || value.length === 0)) {
      throw new UsageError(`${path.join(' ')} needs ${name} (see 'husk ${path.join(' ')} --help')`);
    }
    args[name] = value;
  }
  if (words.length > 0) throw new UsageError(`unexpected argument "${words[0]}" (see 'husk ${path.join(' ')} --help')`);
  trace('cli: parsed');
  await mod.handler(args as never);
  return true;
}

