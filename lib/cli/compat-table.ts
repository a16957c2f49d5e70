// docs/podman-compatibility.md: for each podman command husk has, each of
// podman's flags and what husk does with it (works, ignored with a warning,
// refused with the reason), read from husk's own option tables; then the
// flags husk takes that podman has not (docker's). Written by
// `npm run docs`, and checked current by test/unit/podman-compatibility.
import { GLOBAL_OPTIONS } from './common.js';
import { DOCKER_SHORTHANDS, flagStatus } from './compat.js';
import { findCommand } from './dispatch.js';
import type { OptionTable } from './parse-args.js';

export interface PodmanFlag {
  name: string;
  aliases?: string[];
  short?: string;
  takesValue: boolean;
}

/** test/fixtures/podman-flags.json, made from podman's man pages by scripts/podman-flags.mjs. */
export interface PodmanInventory {
  commit: string;
  global: PodmanFlag[];
  commands: Record<string, { page: string; also: string[]; flags: PodmanFlag[] }>;
}

const STATUS = { accepted: 'works', ignored: 'ignored, with a warning', refused: 'refused' } as const;
/** Flags the command line itself answers, before any command's table. */
const PARSER_FLAGS: Record<string, string> = { help: 'Show help', version: 'Print "husk version X"' };
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The option a podman flag names in husk's table: its name, an alias, or --no-X of a boolean X. */
function optionFor(table: OptionTable, flag: PodmanFlag): [string, OptionTable[string]] | undefined {
  for (const name of [flag.name, ...(flag.aliases ?? [])]) {
    for (const [key, opt] of Object.entries(table)) if (key === name || ([] as string[]).concat(opt.alias ?? []).includes(name)) return [key, opt];
  }
  const negated = flag.name.startsWith('no-') ? table[flag.name.slice(3)] : undefined;
  return negated?.type === 'boolean' ? [flag.name.slice(3), negated] : undefined;
}

function section(title: string, flags: PodmanFlag[], table: OptionTable, skip: Set<string>, dockerShorthands: Record<string, string> = {}): string[] {
  const rows: string[] = [];
  const used = new Set<string>();
  for (const flag of [...flags].sort((a, b) => a.name.localeCompare(b.name))) {
    if (PARSER_FLAGS[flag.name]) {
      rows.push(`| \`--${flag.name}${flag.short ? `, -${flag.short}` : ''}\` | works | ${PARSER_FLAGS[flag.name]} |`);
      continue;
    }
    const found = optionFor(table, flag);
    const spelled = `--${flag.name}${flag.short ? `, -${flag.short}` : ''}`;
    if (!found) {
      rows.push(`| \`${spelled}\` | not yet | |`);
      continue;
    }
    used.add(found[0]);
    const { status, reason } = flagStatus(found[1]);
    const described = status === 'accepted' ? (typeof found[1].describe === 'string' ? found[1].describe : '') : (reason ?? '');
    const kept = flag.short ? dockerShorthands[flag.short] : undefined;
    const note = kept ? `${described} (${kept})` : described;
    rows.push(`| \`${spelled}\` | ${STATUS[status]} | ${cell(note)} |`);
  }
  const own = Object.keys(table).filter((k) => !used.has(k) && !skip.has(k) && flagStatus(table[k]!).status === 'accepted').sort();
  const lines = [`### ${title}`, '', '| podman flag | husk | notes |', '| --- | --- | --- |', ...rows, ''];
  if (own.length) lines.push(`husk also takes (docker's or its own): ${own.map((k) => `\`--${k}\``).join(', ')}`, '');
  return lines;
}

export async function compatTable(inventory: PodmanInventory): Promise<string> {
  const globals = new Set(Object.keys(GLOBAL_OPTIONS));
  const out = [
    '# podman compatibility',
    '',
    `For each podman command husk has, every flag podman's man pages document (podman ${inventory.commit.slice(0, 12)}) and what husk does with it:`,
    '**works**; **ignored, with a warning** (the flag changes nothing in husk, and the warning says why); **refused** (the command fails with exit code 125 and says why).',
    'Written by `npm run docs` from husk\'s own option tables; `test/unit/podman-compatibility.test.ts` fails when it is not current.',
    '',
    ...section('Global options', inventory.global, GLOBAL_OPTIONS, new Set()),
  ];
  const missing: string[] = [];
  for (const [name, command] of Object.entries(inventory.commands).sort(([a], [b]) => a.localeCompare(b))) {
    let found;
    for (const spelling of [name, ...command.also]) {
      if (found) break;
      const words = spelling.split(' ');
      const f = await findCommand(words).catch(() => undefined);
      if (f && f.path.length === words.length) found = f;
    }
    if (!found) {
      missing.push(name);
      continue;
    }
    const title = `podman ${name}${found.path.join(' ') === name ? '' : ` (husk ${found.path.join(' ')})`}`;
    const describe = String(found.mod.describe ?? '');
    // A command husk refuses as a whole fails whatever its flags: its reason is the row.
    if (describe.startsWith('Not supported')) out.push(`### ${title}`, '', `Refused: ${describe.replace(/^Not supported: /, '')}`, '');
    // Global options count where a command has them too (build's --runtime).
    else out.push(...section(title, command.flags, { ...GLOBAL_OPTIONS, ...found.declared.options }, globals, DOCKER_SHORTHANDS[name]));
  }
  out.push('## podman commands husk does not have', '', missing.map((m) => `\`${m}\``).join(', '), '');
  return out.join('\n');
}
