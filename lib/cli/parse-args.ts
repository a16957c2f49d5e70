// The options and words of one husk command, parsed as docker's CLI (pflag)
// parses them: --name=value or --name value, -abc clusters whose last letter
// may take a value (-eA=1, -e A=1), --flag=false and --no-flag for booleans,
// and "--" to end the options. yargs stays for help; this is the common path,
// a few hundred microseconds instead of the ten milliseconds yargs takes.
import type { Options } from 'yargs';
import { UsageError } from '../core/errors.js';

export type OptionTable = Record<string, Options>;

export interface ParseRules {
  /** How errors name the command, as in "see 'husk volume ls --help'". */
  command: string;
  /** After this many words the rest is the container's command (run IMAGE CMD..., exec CTR CMD...). */
  wordsBeforeRest?: number;
  /** Unknown options are words (top's ps descriptors, `husk top CTR -eo pid`). */
  unknownOptionsAreWords?: boolean;
}

export interface ParsedArgs {
  /** Each option under its name, its aliases and their camelCase forms, as yargs gives them. */
  values: Record<string, unknown>;
  words: string[];
  help: boolean;
}

interface Known {
  key: string;
  opt: Options;
}

export function parseArgs(argv: string[], table: OptionTable, rules: ParseRules): ParsedArgs {
  const known = lookupTable(table);
  const given: Record<string, unknown> = {};
  const words: string[] = [];
  let help = false;
  const fail = (what: string): never => {
    throw new UsageError(`${what} (see 'husk ${rules.command} --help')`);
  };
  const set = ({ key, opt }: Known, raw: string, flag: string) => {
    const value = convert(opt, raw, flag, fail);
    if (opt.array) ((given[key] ??= []) as unknown[]).push(value);
    else given[key] = value; // a flag given twice takes its last value, as docker's do
  };

  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (!tok.startsWith('-') || tok === '-') {
      words.push(tok);
      if (words.length === rules.wordsBeforeRest) {
        words.push(...argv.slice(i + 1));
        break;
      }
      continue;
    }
    if (tok.startsWith('--')) {
      const eq = tok.indexOf('=');
      const name = eq < 0 ? tok.slice(2) : tok.slice(2, eq);
      const inline = eq < 0 ? undefined : tok.slice(eq + 1);
      const found = known.get(name);
      if (!found) {
        const negated = name.startsWith('no-') ? known.get(name.slice(3)) : undefined;
        if (negated?.opt.type === 'boolean' && inline === undefined) given[negated.key] = false;
        else if (name === 'help') help = true;
        else if (rules.unknownOptionsAreWords) words.push(tok);
        else fail(`unknown flag: --${name}`);
        continue;
      }
      if (found.opt.type === 'boolean') set(found, inline ?? 'true', `--${name}`);
      else if (inline !== undefined) set(found, inline, `--${name}`);
      else if (i + 1 < argv.length) set(found, argv[++i]!, `--${name}`);
      else fail(`flag needs an argument: --${name}`);
      continue;
    }
    i = shortCluster(argv, i, known, rules, { set, fail, word: (w) => words.push(w), help: () => (help = true) });
  }
  return { values: withDefaults(table, given), words, help };
}

interface ClusterActions {
  set(found: Known, raw: string, flag: string): void;
  fail(what: string): never;
  word(w: string): void;
  help(): void;
}

/** -abc, -eVALUE, -e=VALUE, -e VALUE: returns the index of the last token used. */
function shortCluster(argv: string[], i: number, known: Map<string, Known>, rules: ParseRules, act: ClusterActions): number {
  const tok = argv[i]!;
  const letters = tok.slice(1);
  for (let j = 0; j < letters.length; j++) {
    const letter = letters[j]!;
    const found = known.get(letter);
    if (!found) {
      if (letter === 'h') act.help();
      else if (rules.unknownOptionsAreWords) return act.word(tok), i;
      else act.fail(`unknown shorthand flag: '${letter}' in ${tok}`);
      continue;
    }
    const after = letters.slice(j + 1);
    if (found.opt.type === 'boolean') {
      if (!after.startsWith('=')) {
        act.set(found, 'true', `-${letter}`);
        continue;
      }
      act.set(found, after.slice(1), `-${letter}`);
      return i;
    }
    // Only the last letter of a cluster takes the next word; any other takes the rest of the cluster.
    if (after !== '') act.set(found, after.startsWith('=') ? after.slice(1) : after, `-${letter}`);
    else if (i + 1 < argv.length) act.set(found, argv[++i]!, `-${letter}`);
    else act.fail(`flag needs an argument: '${letter}' in ${tok}`);
    return i;
  }
  return i;
}

function convert(opt: Options, raw: string, flag: string, fail: (what: string) => never): unknown {
  if (opt.type === 'boolean') {
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    return fail(`invalid argument "${raw}" for "${flag}": give true or false`);
  }
  if (opt.type === 'number') {
    const n = raw.trim() === '' ? NaN : Number(raw);
    // Said here, with the value as typed: a NaN passed on would be all a later message could show.
    return Number.isFinite(n) ? n : fail(`invalid argument "${raw}" for "${flag}": a number is expected`);
  }
  return raw;
}

function lookupTable(table: OptionTable): Map<string, Known> {
  const known = new Map<string, Known>();
  for (const [key, opt] of Object.entries(table)) {
    for (const name of [key, ...([] as string[]).concat(opt.alias ?? [])]) known.set(name, { key, opt });
  }
  return known;
}

/** Defaults for what was not given, coercions for everything, then each value under all its names. */
function withDefaults(table: OptionTable, given: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, opt] of Object.entries(table)) {
    let value: unknown = key in given ? given[key] : Array.isArray(opt.default) ? [...(opt.default as unknown[])] : opt.default;
    if (value === undefined) continue;
    if (opt.coerce) value = opt.coerce(value);
    for (const name of [key, ...([] as string[]).concat(opt.alias ?? [])]) {
      values[name] = value;
      values[name.replace(/-+([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = value;
    }
  }
  return values;
}
