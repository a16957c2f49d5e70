#!/usr/bin/env node
// podman's flag inventory, from its man pages: for every podman command whose
// first word husk also has, each flag's long names, short letter, and whether
// it takes a value. test/unit/podman-flags.test.ts checks husk's option
// tables against it, offline; rerun this to follow a newer podman.
//
//   node scripts/podman-flags.mjs PODMAN [REF] [--out FILE]
//
// PODMAN is a git dir of containers/podman (a bare mirror or a checkout's
// .git; REF defaults to HEAD), a checkout's work tree, or the directory
// holding its docs/source/markdown files.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = 'docs/source/markdown';

/**
 * Where a man page's heading says less or other than the flag podman defines
 * (cmd/podman/** at the same commit; podman 4.3.1's --help agrees where it
 * has the flag), keyed "command: flag". Most are value flags whose heading
 * leaves out `=*value*`; the rest are shorthands a shared options/*.md file
 * gives one command but not another.
 */
const DOC_SLIPS = {
  'podman: config': { takesValue: true },
  'podman: conmon': { takesValue: true },
  'podman: connection': { takesValue: true },
  'build: cache-ttl': { takesValue: true },
  'build: format': { takesValue: true },
  'build: from': { takesValue: true },
  'build: ignorefile': { takesValue: true },
  'container clone: cpus': { takesValue: true },
  'container clone: name': { takesValue: true },
  'container diff: format': { takesValue: true },
  'diff: format': { takesValue: true },
  'events: format': { takesValue: true },
  'export: output': { takesValue: true },
  'image diff: format': { takesValue: true },
  'import: arch': { takesValue: true },
  'import: os': { takesValue: true },
  'import: variant': { takesValue: true },
  'network prune: filter': { takesValue: true },
  'network update: dns-add': { takesValue: true },
  'network update: dns-drop': { takesValue: true },
  'pod clone: cpus': { takesValue: true },
  'pod clone: name': { takesValue: true },
  'pod logs: container': { takesValue: true },
  'pod ps: sort': { takesValue: true },
  'ps: last': { takesValue: true },
  'ps: watch': { takesValue: true },
  'pull: policy': { takesValue: true },
  'restart: cidfile': { takesValue: true },
  'system service: cors': { takesValue: true },
  'system service: time': { takesValue: true },
  'volume prune: filter': { takesValue: true },
  // options/hostname.pod.md has no -h, but pods share the containers' `-h, --hostname`.
  'pod clone: hostname': { short: 'h' },
  'pod create: hostname': { short: 'h' },
  // Pods' -h is --hostname, so their --help has no shorthand.
  'pod clone: help': { short: undefined },
  'pod create: help': { short: undefined },
  // options/filter.container.md's -f is ps's; rm's -f is --force.
  'rm: filter': { short: undefined },
};

/** Value names that spell a boolean flag (`--logsplit=bool-value`, `--env=false`). */
const BOOLEAN_VALUES = /^(bool-value|true\s*\|\s*false|false|true)$/i;

/** podman's spellings husk does not take from podman: its compose runs an external provider with that provider's flags. */
const NOT_PODMANS_OWN = new Set(['compose']);

function main(argv) {
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? argv.splice(outAt, 2)[1] : path.join(repo, 'test', 'fixtures', 'podman-flags.json');
  const [where, ref = 'HEAD'] = argv;
  if (!where) {
    process.stderr.write('usage: node scripts/podman-flags.mjs PODMAN-GIT-DIR-OR-DOCS-DIR [REF] [--out FILE]\n');
    process.exit(2);
  }
  const docs = openDocs(where, ref);
  const husk = huskTopLevelWords();
  const pages = docs.list().filter((f) => /^podman-.*\.1\.md(\.in)?$/.test(f));
  const commands = {};
  for (const page of pages) {
    const text = expand(docs, docs.read(page));
    const [name, ...also] = spellings(text);
    if (!name || NOT_PODMANS_OWN.has(name) || !husk.has(name.split(' ')[0])) continue;
    commands[name] = { page, also, flags: flagsIn(text, name) };
  }
  const inventory = {
    source: 'https://github.com/containers/podman',
    commit: docs.commit,
    generatedBy: 'node scripts/podman-flags.mjs (from docs/source/markdown/podman*.1.md*)',
    global: flagsIn(expand(docs, docs.read('podman.1.md')), 'podman'),
    commands: Object.fromEntries(Object.entries(commands).sort(([a], [b]) => a.localeCompare(b))),
  };
  fs.writeFileSync(out, stringify(inventory));
  process.stdout.write(`${out}: ${Object.keys(commands).length} commands, podman ${docs.commit}\n`);
}

/** The man pages, read from a git dir at a ref or from files. */
function openDocs(where, ref) {
  const docsDir = [path.join(where, DOCS), where].find((d) => fs.existsSync(path.join(d, 'podman.1.md')));
  if (docsDir) {
    return {
      commit: gitCommit(['-C', docsDir], 'HEAD') ?? 'unknown (read from files)',
      list: () => fs.readdirSync(docsDir),
      read: (f) => fs.readFileSync(path.join(docsDir, f), 'utf8'),
    };
  }
  const git = ['--git-dir', where];
  const commit = gitCommit(git, ref);
  if (!commit) throw new Error(`${where}: neither a podman git dir nor a directory with podman.1.md`);
  const run = (...a) => execFileSync('git', [...git, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return {
    commit,
    list: () => run('ls-tree', '--name-only', `${commit}:${DOCS}`).split('\n').filter(Boolean),
    read: (f) => run('show', `${commit}:${DOCS}/${f}`),
  };
}

function gitCommit(git, ref) {
  try {
    return execFileSync('git', [...git, 'rev-parse', '--verify', `${ref}^{commit}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** husk's top-level commands and their other names, as lib/cli/command-table.ts lists them. */
function huskTopLevelWords() {
  const table = fs.readFileSync(path.join(repo, 'lib', 'cli', 'command-table.ts'), 'utf8');
  const words = [...table.matchAll(/^\s+'?([\w-]+)'?: (?:\(\) => import|')/gm)].map((m) => m[1]);
  return new Set(words);
}

/** A .md.in page with its `@@option NAME` includes in place, as hack/markdown-preprocess makes the .md. */
function expand(docs, text) {
  return text.replace(/^@@option (\S+)\s*$/gm, (_, name) => {
    const quadlet = name.startsWith('quadlet:');
    return render(docs.read(`options/${name.replace(/^quadlet:/, '')}.md`), { is_quadlet: quadlet });
  });
}

/** `<< if is_quadlet >> ... << else >> ... << endif >>`: the branch a man page (not a quadlet unit) shows. */
function render(text, context) {
  const stack = [];
  const shown = () => stack.every(Boolean);
  let out = '';
  let at = 0;
  for (const m of text.matchAll(/<<(.*?)>>/gs)) {
    if (shown()) out += text.slice(at, m.index);
    at = m.index + m[0].length;
    const inner = m[1].trim();
    const cond = /^if (not )?(\w+)$/.exec(inner);
    if (cond) stack.push(Boolean(context[cond[2]]) !== Boolean(cond[1]));
    else if (inner === 'else') stack.push(!stack.pop());
    else if (inner === 'endif') stack.pop();
    else if (shown()) out += m[0]; // <<container|pod>> and the like: text, not flags
  }
  return out + (shown() ? text.slice(at) : '');
}

/** The command's spellings from its SYNOPSIS (`**podman container ls**`), first the page's own. */
function spellings(text) {
  const synopsis = section(text, /^SYNOPSIS$/);
  const names = [...synopsis.matchAll(/^\*\*podman ([a-z][\w -]*?)\*\*/gm)].map((m) => m[1].trim());
  return [...new Set(names)];
}

/** The lines of the `## TITLE` sections whose title matches. */
function section(text, title) {
  let inside = false;
  const kept = [];
  for (const line of text.split('\n')) {
    const h = /^## (.*)$/.exec(line);
    if (h) inside = title.test(h[1].trim());
    else if (inside) kept.push(line);
  }
  return kept.join('\n');
}

/** `#### **--name**, **-n**=*value*` headings of the OPTIONS sections. */
function flagsIn(text, command) {
  const flags = [];
  for (const [, heading] of section(text, /OPTIONS$/).matchAll(/^#### (\*\*--.*)$/gm)) {
    const flag = parseHeading(heading);
    const slip = DOC_SLIPS[`${command}: ${flag.name}`];
    if (slip) Object.assign(flag, slip);
    if (flag.short === undefined) delete flag.short;
    if (!flags.some((f) => f.name === flag.name)) flags.push(flag);
  }
  return flags.sort((a, b) => a.name.localeCompare(b.name));
}

function parseHeading(heading) {
  const names = [...heading.matchAll(/\*\*(-{1,2}[\w-]+)\*\*/g)].map((m) => m[1]);
  const long = names.filter((n) => n.startsWith('--')).map((n) => n.slice(2));
  const short = names.find((n) => /^-[^-]/.test(n))?.slice(1) ?? null;
  // A value's name follows `=` (`=*value*`, `=**gzip** | *zstd*`); a boolean's, if any, says so (`=*bool-value*`).
  const eq = heading.indexOf('**=');
  const value = eq < 0 ? undefined : heading.slice(eq + 3).replace(/\*/g, '').trim();
  const takesValue = value !== undefined && !BOOLEAN_VALUES.test(value);
  return { name: long[0], ...(long.length > 1 && { aliases: long.slice(1) }), ...(short && { short }), takesValue };
}

/** JSON with one flag per line: small, and a new podman's changes read as a diff. */
function stringify(inventory) {
  const flagList = (flags, indent) => (flags.length === 0 ? '[]' : `[\n${flags.map((f) => `${indent}  ${JSON.stringify(f)}`).join(',\n')}\n${indent}]`);
  const cmds = Object.entries(inventory.commands).map(
    ([name, c]) =>
      `    ${JSON.stringify(name)}: {\n      "page": ${JSON.stringify(c.page)},\n      "also": ${JSON.stringify(c.also)},\n      "flags": ${flagList(c.flags, '      ')}\n    }`,
  );
  return `{
  "source": ${JSON.stringify(inventory.source)},
  "commit": ${JSON.stringify(inventory.commit)},
  "generatedBy": ${JSON.stringify(inventory.generatedBy)},
  "global": ${flagList(inventory.global, '  ')},
  "commands": {
${cmds.join(',\n')}
  }
}
`;
}

main(process.argv.slice(2));
