// Podman's flags, flag for flag: every flag podman's man pages document for a
// command husk also has must be in husk's option table for that command
// (working, ignoredFlag or refusedFlag), under its name or an alias, with
// podman's shorthand and podman's kind (a boolean or a flag that takes a
// value), so that a script written for podman parses the same on husk.
// The inventory is test/fixtures/podman-flags.json, made from podman's docs by
// scripts/podman-flags.mjs (offline here: CI has no network).
import fs from 'node:fs';
import t from 'tap';
import type { Options } from 'yargs';
import { findCommand } from '../../lib/cli/dispatch.js';
import { GLOBAL_OPTIONS, GLOBAL_SHORTHANDS } from '../../lib/cli/common.js';
import type { OptionTable } from '../../lib/cli/parse-args.js';
import { DOCKER_SHORTHANDS } from '../../lib/cli/compat.js';

interface PodmanFlag {
  name: string;
  aliases?: string[];
  short?: string;
  takesValue: boolean;
}
interface Inventory {
  commit: string;
  global: PodmanFlag[];
  commands: Record<string, { page: string; also: string[]; flags: PodmanFlag[] }>;
}

const inventory = JSON.parse(fs.readFileSync(new URL('../fixtures/podman-flags.json', import.meta.url), 'utf8')) as Inventory;

/** husk's parser answers --help and -h before any table (and podman's -h is sometimes --hostname, checked there). */
const HANDLED_BY_THE_PARSER = new Set(['help']);

/** Each name and shorthand of a table, to its option. */
function namesOf(table: OptionTable): Map<string, Options> {
  const names = new Map<string, Options>();
  for (const [key, opt] of Object.entries(table)) {
    for (const name of [key, ...([] as string[]).concat((opt.alias as string | string[] | undefined) ?? [])]) names.set(name, opt);
  }
  return names;
}

/** podman's boolean --no-cache is husk's boolean --cache negated, as parse-args reads --no-X. */
function negated(flag: PodmanFlag, names: Map<string, Options>): Options | undefined {
  const opt = flag.name.startsWith('no-') ? names.get(flag.name.slice(3)) : undefined;
  return opt?.type === 'boolean' && !flag.takesValue ? opt : undefined;
}

/** What husk's table lacks or takes otherwise than podman's flags, as one line ("" when nothing). */
function differences(flags: PodmanFlag[], table: OptionTable, dockerShorthands: Record<string, string> = {}): string {
  const names = namesOf(table);
  const missing: string[] = [];
  const notBoolean: string[] = [];
  const noValue: string[] = [];
  for (const flag of flags) {
    if (HANDLED_BY_THE_PARSER.has(flag.name)) continue;
    const opt = [flag.name, ...(flag.aliases ?? [])].map((n) => names.get(n)).find(Boolean) ?? negated(flag, names);
    if (!opt) {
      missing.push(`--${flag.name}${flag.short ? `/-${flag.short}` : ''}`);
      continue;
    }
    const huskTakesValue = opt.type !== 'boolean';
    if (huskTakesValue && !flag.takesValue) notBoolean.push(`--${flag.name}`);
    if (!huskTakesValue && flag.takesValue) noValue.push(`--${flag.name}`);
    if (flag.short && names.get(flag.short) !== opt && !dockerShorthands[flag.short]) missing.push(`-${flag.short} (--${flag.name})`);
  }
  return [
    missing.length ? `missing ${missing.join(' ')}` : '',
    notBoolean.length ? `a boolean in podman: ${notBoolean.join(' ')}` : '',
    noValue.length ? `takes a value in podman: ${noValue.join(' ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** husk's command for a podman spelling ("container ls"), when husk has one under exactly those words. */
async function huskCommand(spelling: string) {
  const words = spelling.split(' ');
  try {
    const found = await findCommand(words);
    return found && found.path.length === words.length ? found : undefined;
  } catch {
    return undefined; // not a husk command at all
  }
}

t.test(`podman's global options (podman ${inventory.commit.slice(0, 12)})`, async (t) => {
  // -r and -c are read before the command word only (GLOBAL_SHORTHANDS), where they clash with no command's
  // own -r/-c; -v/--version before any command is main's (`husk -v`), as podman's.
  const table: OptionTable = { ...GLOBAL_OPTIONS };
  for (const [short, name] of Object.entries(GLOBAL_SHORTHANDS)) table[name] = { ...table[name], alias: short.slice(1) };
  table.version = { type: 'boolean', alias: 'v' };
  const found = differences(inventory.global, table);
  t.ok(found === '', `global options: ${found || 'all there'}`, { diagnostic: false });
});

t.test(`podman's commands' flags (podman ${inventory.commit.slice(0, 12)})`, async (t) => {
  const huskLacks: string[] = [];
  for (const [name, command] of Object.entries(inventory.commands)) {
    let found;
    for (const spelling of [name, ...command.also]) if (!found) found = await huskCommand(spelling);
    if (!found) {
      huskLacks.push(name);
      continue;
    }
    // A command husk refuses as a whole (system check, machine...) fails whatever its flags.
    if (String(found.mod.describe ?? '').startsWith('Not supported')) {
      huskLacks.push(`${name} (refused)`);
      continue;
    }
    const table = { ...GLOBAL_OPTIONS, ...found.declared.options };
    const differ = differences(command.flags, table, DOCKER_SHORTHANDS[name]);
    // The list is the message: one line per command, the whole of what is to do.
    t.ok(differ === '', `${name}${found.path.join(' ') === name ? '' : ` (husk ${found.path.join(' ')})`}: ${differ || 'all there'}`, { diagnostic: false });
  }
  // Commands are another matter than flags: listed, not failed.
  t.comment(`podman commands husk does not have: ${huskLacks.join(', ')}`);
});
