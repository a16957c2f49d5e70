// The layering of lib/, checked: every import points down the order below,
// and no two folders import each other. A newcomer can trust the picture in
// ARCHITECTURE.md because this test keeps it true.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LIB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lib');

/**
 * Top to bottom. A folder may import its own files and any folder below it,
 * except that lib/cli reaches the rest only through the engine (and core).
 * Folders on one line are peers: they may not import each other.
 */
export const LAYERS: string[][] = [
  ['cli'],
  ['engine'],
  ['build', 'network', 'compose', 'kube', 'systemd'],
  ['runtime'],
  ['image'],
  ['storage'],
  ['native'],
  ['core'],
];
const CLI_MAY_IMPORT = new Set(['cli', 'engine', 'core']);

const rank = new Map(LAYERS.flatMap((row, i) => row.map((name) => [name, i] as const)));

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Static and dynamic imports and re-exports, relative ones only. */
function importsOf(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const specs = [...src.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
}

const folderOf = (file: string) => path.relative(LIB, file).split(path.sep)[0]!;

export function layeringViolations(files: string[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const from = folderOf(file);
    if (!rank.has(from)) {
      problems.push(`lib/${from} is not in the layer order: add it to LAYERS and to ARCHITECTURE.md`);
      continue;
    }
    for (const target of importsOf(file)) {
      const to = folderOf(target);
      if (to === from) continue;
      const rel = `${path.relative(LIB, file)} imports ${path.relative(LIB, target)}`;
      if (!rank.has(to)) problems.push(`${rel}: lib/${to} is not in the layer order`);
      else if (rank.get(to)! <= rank.get(from)!) problems.push(`${rel}: ${to} is not below ${from}`);
      else if (from === 'cli' && !CLI_MAY_IMPORT.has(to)) problems.push(`${rel}: the CLI reaches ${to} only through the engine`);
    }
  }
  return [...new Set(problems)];
}

/** Cycles between files (an import cycle makes load order and ownership unclear). */
export function fileCycles(files: string[]): string[][] {
  const graph = new Map<string, string[]>(files.map((f) => [f, importsOf(f).filter((t) => fs.existsSync(t))]));
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const next of graph.get(f) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((p) => path.relative(LIB, p)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

const files = tsFiles(LIB);

t.test('every import in lib/ points down the layer order', async (t) => {
  t.ok(files.length > 50, `read ${files.length} files`);
  t.same(layeringViolations(files), []);
});

t.test('no import cycle between files', async (t) => {
  t.same(fileCycles(files).map((c) => c.join(' -> ')), []);
});

t.test('the checker itself finds an upward import and a CLI import past the engine', async (t) => {
  const up = path.join(LIB, 'core', '__probe_up.ts');
  const a = path.join(LIB, 'engine', '__probe_a.ts');
  t.match(layeringViolationsOf(up, "import x from '../engine/create.js';"), [/core\/__probe_up\.ts imports engine\/create\.ts: engine is not below core/]);
  t.match(layeringViolationsOf(a, "import x from '../image/store.js';"), []);
  const cliFile = path.join(LIB, 'cli', '__probe_cli.ts');
  t.match(layeringViolationsOf(cliFile, "import x from '../image/store.js';"), [/the CLI reaches image only through the engine/]);
});

/** Runs the checker on one file's source without writing it into lib/. */
function layeringViolationsOf(file: string, source: string): string[] {
  const read = fs.readFileSync;
  (fs as { readFileSync: unknown }).readFileSync = ((p: fs.PathOrFileDescriptor, o?: unknown) => (p === file ? source : read(p, o as never))) as typeof fs.readFileSync;
  try {
    return layeringViolations([file]);
  } finally {
    (fs as { readFileSync: unknown }).readFileSync = read;
  }
}
