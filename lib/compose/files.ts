// Which compose files a project is made of, and what it is called, as docker
// compose decides: the first of compose.yaml, compose.yml,
// docker-compose.yml, docker-compose.yaml in the directory or its parents,
// with the override file beside it; or the -f files (`-` is stdin). A file's
// text becomes a plain tree: YAML with anchors, aliases and `<<:` merge keys
// resolved, then every string value interpolated, then checked against the
// specification's schema.
import fs from 'node:fs';
import path from 'node:path';
import { parse, type ScalarTag } from 'yaml';
import { UsageError } from '../core/errors.js';
import { InterpolationError, interpolateTree, type Lookup } from './interpolate.js';
import { validateCompose } from './schema.js';

export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
export const OVERRIDE_FILES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

/** The first default file in `dir` or the nearest parent with one, and its override file; warnings when a directory holds several. */
export function findComposeFiles(dir: string, warnings: string[]): string[] | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const found = DEFAULT_FILES.filter((f) => isFile(path.join(d, f)));
    if (found.length > 0) {
      if (found.length > 1) warnings.push(`Found multiple config files with supported names: ${found.map((f) => path.join(d, f)).join(', ')}; using ${path.join(d, found[0]!)}`);
      const overrides = OVERRIDE_FILES.filter((f) => isFile(path.join(d, f)));
      if (overrides.length > 1) warnings.push(`Found multiple override files with supported names: ${overrides.map((f) => path.join(d, f)).join(', ')}; using ${path.join(d, overrides[0]!)}`);
      return [path.join(d, found[0]!), ...overrides.slice(0, 1).map((f) => path.join(d, f))];
    }
    if (path.dirname(d) === d) return undefined;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A host path from a file: `~` is HOME, a relative one is below `dir`. */
export function hostPath(p: string, dir: string, home: string | undefined): string {
  if (home && (p === '~' || p.startsWith('~/'))) return path.join(home, p.slice(1));
  return path.resolve(dir, p);
}

/** A project name as docker compose makes one: lowercase, only [a-z0-9_-], not starting with - or _. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[-_]+/, '');
}

/** How a file is named in messages: relative to `cwd` when below it. */
export function displayName(file: string, cwd: string): string {
  if (file === '-') return '-';
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export interface ReadOptions {
  cwd: string;
  lookup: Lookup;
  /** Names used unset without a default (for the warning compose prints). */
  unset: Set<string>;
  stdinText?: string;
}

/**
 * `0440` is an octal number, as docker compose's YAML parser (go-yaml v3)
 * keeps reading YAML 1.1 octals: file modes are written so (`mode: 0440`).
 * The YAML 1.2 core schema alone would read 440.
 */
const OCTAL_1_1: ScalarTag = { tag: 'tag:yaml.org,2002:int', default: true, test: /^[-+]?0[0-7]+$/, resolve: (s) => parseInt(s, 8) };

/** One compose file: parsed, interpolated, validated. */
export function readComposeFile(file: string, opts: ReadOptions): Record<string, unknown> {
  const name = displayName(file, opts.cwd);
  let text: string;
  if (file === '-') text = opts.stdinText ?? '';
  else {
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`${name}: cannot read the compose file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  let doc: unknown;
  try {
    doc = parse(text, { merge: true, prettyErrors: true, customTags: (tags) => [OCTAL_1_1, ...tags] });
  } catch (err) {
    const e = err as Error & { linePos?: Array<{ line: number; col: number }> };
    const where = e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}: ` : '';
    throw new UsageError(`${name}: ${where}${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  if (doc === null || doc === undefined) throw new UsageError(`${name}: empty compose file`);
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${name}: the top level must be a mapping`);
  try {
    doc = interpolateTree(doc, opts.lookup, opts.unset);
  } catch (err) {
    if (err instanceof InterpolationError) throw new UsageError(`${name}: ${err.message}`);
    throw err;
  }
  validateCompose(doc, name);
  return doc as Record<string, unknown>;
}
