// What a command module declares (its options, subcommands, parser
// settings), read without yargs: the parser, shell completion and the
// compatibility table all work from it.
import type { Argv, CommandModule } from 'yargs';
import type { OptionTable } from './parse-args.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one table for commands whose argument types all differ
export type AnyCommand = CommandModule<any, any>;
export type CommandLoader = () => Promise<AnyCommand>;

/** What a command's builder declares: its options, its subcommands, its parser settings. */
export interface Declared {
  options: OptionTable;
  commands: AnyCommand[];
  config: Record<string, unknown>;
}

/** Runs a builder against a stand-in for yargs that only takes notes. */
export function declared(mod: AnyCommand): Declared {
  const d: Declared = { options: {}, commands: [], config: {} };
  if (typeof mod.builder === 'object') Object.assign(d.options, mod.builder);
  if (typeof mod.builder !== 'function') return d;
  const notes: Record<string, (...a: never[]) => void> = {
    options: (o: OptionTable) => Object.assign(d.options, o),
    option: (name: string, o: OptionTable[string]) => void (d.options[name] = o),
    command: (c: AnyCommand) => void d.commands.push(c),
    parserConfiguration: (c: Record<string, unknown>) => Object.assign(d.config, c),
  };
  const y: object = new Proxy({}, { get: (_, prop: string) => (...a: never[]) => (notes[prop]?.(...a), y) });
  (mod.builder as (y: Argv) => unknown)(y as Argv);
  return d;
}

export const nameOf = (mod: AnyCommand) => String(mod.command).split(' ')[0]!;
