// Every husk command with its options, subcommands and positionals, read
// from the same modules and option tables the parser uses: the source of
// shell completion and of docs/podman-compatibility.md.
import { GLOBAL_OPTIONS } from './common.js';
import { declared, nameOf, type AnyCommand, type CommandLoader } from './declared.js';
import type { OptionTable } from './parse-args.js';

export interface CommandNode {
  /** The words that name it: ["container", "ls"]. */
  path: string[];
  aliases: string[];
  describe: string;
  /** Its own options and its groups' (a subcommand takes its group's). */
  options: OptionTable;
  /** "containers", "image", ...: what its positionals name, in order. */
  positionals: string[];
  commands: CommandNode[];
}

export interface CommandTree {
  globalOptions: OptionTable;
  commands: CommandNode[];
}

/** The tree of a command table (lib/cli/command-table.ts: COMMANDS, ALIASES). */
export async function commandTree(table: Record<string, CommandLoader>, aliases: Record<string, string>): Promise<CommandTree> {
  const aliasesOf = (name: string) => Object.keys(aliases).filter((a) => aliases[a] === name);
  const commands = await Promise.all(Object.entries(table).map(async ([name, load]) => nodeOf(await load(), [], {}, aliasesOf(name))));
  return { globalOptions: GLOBAL_OPTIONS, commands };
}

function nodeOf(mod: AnyCommand, parent: string[], inherited: OptionTable, extraAliases: string[] = []): CommandNode {
  const d = declared(mod);
  const path = [...parent, nameOf(mod)];
  const options = { ...inherited, ...d.options };
  return {
    path,
    aliases: [...new Set([...([] as string[]).concat(mod.aliases ?? []), ...extraAliases])],
    describe: typeof mod.describe === 'string' ? mod.describe : '',
    options,
    positionals: String(mod.command).split(' ').slice(1).map((p) => p.replace(/[<>[\].]/g, '')),
    commands: d.commands.filter((c) => c.describe !== false).map((c) => nodeOf(c, path, options)),
  };
}

/** Every command of the tree, groups before their subcommands. */
export function allCommands(tree: CommandTree): CommandNode[] {
  const out: CommandNode[] = [];
  const visit = (n: CommandNode) => {
    out.push(n);
    n.commands.forEach(visit);
  };
  tree.commands.forEach(visit);
  return out;
}

/** A flag's spellings: --name, its long aliases, -x for one-letter ones. */
export function flagNames(key: string, opt: OptionTable[string]): string[] {
  return [key, ...([] as string[]).concat(opt.alias ?? [])].map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
}
