// The build context of `husk build`: a directory on the host, minus what its
// ignore file excludes, as COPY and ADD see it. Sources are matched and
// walked here, never outside the context root: a symlink named as a source
// is followed as if the root were `/`, and a walk never follows symlinks
// (they are copied as symlinks).

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { BuildContext, FileEntry, SourceItem } from './entries.js';
import { cleanPath, globMatch, hasWildcards, parseIgnoreFile, PatternMatcher } from './patterns.js';

export type { BuildContext, FileEntry, SourceItem, TarFile, TarOptions } from './entries.js';
export { checksumSources } from './checksum.js';
export { layerTar } from './layer-tar.js';

/** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS is 40; Go's fs.RootPath allows 255). */
const MAX_LINKS = 255;

class DockerContext implements BuildContext {
  constructor(
    readonly root: string,
    readonly matcher: PatternMatcher,
  ) {}

  ignored(rel: string): boolean {
    const p = cleanPath(rel);
    // As moby: the root itself is never excluded.
    return p !== '.' && this.matcher.matches(p);
  }

  /** An excluded directory with an exception below it is still part of the context. */
  mayIncludeBelow(rel: string): boolean {
    return this.matcher.mayIncludeBelow(rel);
  }
}

/** The ignore file docker reads: `<Dockerfile>.dockerignore` beside the Dockerfile first, else the root's. */
function ignoreFileFor(root: string, dockerfile?: string): string | undefined {
  const candidates = [...(dockerfile ? [`${path.resolve(dockerfile)}.dockerignore`] : []), path.join(root, '.dockerignore')];
  return candidates.find((f) => fs.existsSync(f));
}

export function openBuildContext(root: string, dockerfile?: string): BuildContext {
  const abs = path.resolve(root);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new UsageError(`unable to prepare context: path ${JSON.stringify(root)} not found`);
  }
  if (!st.isDirectory()) throw new UsageError(`unable to prepare context: ${JSON.stringify(root)} is not a directory`);
  const file = ignoreFileFor(abs, dockerfile);
  const patterns = file ? parseIgnoreFile(fs.readFileSync(file, 'utf8')) : [];
  return new DockerContext(abs, new PatternMatcher(patterns, file ?? '.dockerignore'));
}

// ---------------------------------------------------------------- sources

/** What a walk needs: the context's rules and COPY --exclude's. */
interface Rules {
  root: string;
  ignored(rel: string): boolean;
  ignoredMayIncludeBelow(rel: string): boolean;
  exclude?: PatternMatcher;
}

function rulesFor(ctx: BuildContext, exclude?: string[]): Rules {
  return {
    root: ctx.root,
    ignored: (rel) => ctx.ignored(rel),
    // A context made elsewhere cannot tell: walk excluded directories to be safe.
    ignoredMayIncludeBelow: (rel) => (ctx instanceof DockerContext ? ctx.mayIncludeBelow(rel) : true),
    exclude: exclude?.length ? new PatternMatcher(exclude, '--exclude') : undefined,
  };
}

const join = (dir: string, name: string): string => (dir === '.' || dir === '' ? name : `${dir}/${name}`);

/** A source as a clean path relative to the root; one leaving the context is refused. */
function contextPath(pattern: string): string {
  if (pattern.startsWith('/')) return cleanPath(pattern).replace(/^\/+/, '') || '.';
  const rel = cleanPath(pattern);
  if (rel === '..' || rel.startsWith('../')) throw new UsageError(`forbidden path outside the build context: ${pattern}`);
  return rel;
}

async function lstatOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.lstat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

interface Resolved {
  /** Where the path leads, relative to the root ('.' for the root). */
  rel: string;
  st: fs.Stats;
}

const parts = (p: string): string[] => p.split('/').filter((c) => c !== '' && c !== '.');

/**
 * `rel` looked up component by component with the root as `/`: symlinks
 * (the last one too) are followed, an absolute target or `..` never leaves
 * the root. Undefined when it does not exist in the context docker would
 * send: missing, or excluded by the ignore file (a directory with an
 * exception below it stays).
 */
async function resolveInContext(rules: Rules, rel: string): Promise<Resolved | undefined> {
  const todo = parts(rel);
  const cur: string[] = [];
  let st = await fs.promises.stat(rules.root);
  let links = 0;
  while (todo.length > 0) {
    const name = todo.shift()!;
    if (name === '..') {
      cur.pop();
      continue;
    }
    const candidate = [...cur, name].join('/');
    const found = await lstatOrUndefined(path.join(rules.root, candidate));
    if (!found) return undefined;
    if (found.isSymbolicLink()) {
      if (rules.ignored(candidate)) return undefined;
      if (++links > MAX_LINKS) throw new UsageError(`${rel}: too many levels of symbolic links`);
      const target = await fs.promises.readlink(path.join(rules.root, candidate));
      if (target.startsWith('/')) cur.length = 0;
      todo.unshift(...parts(target));
      continue;
    }
    if (todo.length > 0 && !found.isDirectory()) return undefined;
    if (rules.ignored(candidate) && !(found.isDirectory() && rules.ignoredMayIncludeBelow(candidate))) return undefined;
    cur.push(name);
    st = found;
  }
  return { rel: cur.join('/') || '.', st };
}

function kindOf(st: fs.Stats): FileEntry['type'] | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return undefined; // sockets, fifos, devices: never part of a context
}

/** Per item: dev:ino of files with other links, to find hard links after the walk. */
type InodeKeys = Map<FileEntry, string>;

async function entryFor(rel: string, hostPath: string, st: fs.Stats, type: FileEntry['type'], inodes: InodeKeys): Promise<FileEntry> {
  const e: FileEntry = { rel, hostPath, type, mode: st.mode & 0o7777, size: type === 'dir' ? 0 : st.size, mtimeMs: st.mtimeMs };
  if (type === 'symlink') e.linkTarget = await fs.promises.readlink(hostPath);
  if (type === 'file' && st.nlink > 1) inodes.set(e, `${st.dev}:${st.ino}`);
  return e;
}

/** The contents of a directory, depth first, names in order; ignored and excluded entries left out. */
async function walkDir(rules: Rules, host: string, ctxRel: string, srcRel: string, inodes: InodeKeys): Promise<FileEntry[]> {
  const names = (await fs.promises.readdir(host)).sort();
  const stats = await Promise.all(names.map((n) => fs.promises.lstat(path.join(host, n))));
  const out: FileEntry[] = [];
  for (let i = 0; i < names.length; i++) {
    const st = stats[i]!;
    const type = kindOf(st);
    if (!type) continue;
    const childHost = path.join(host, names[i]!);
    const cRel = join(ctxRel, names[i]!);
    const sRel = join(srcRel, names[i]!);
    const ignored = rules.ignored(cRel);
    const excluded = rules.exclude?.matches(sRel) ?? false;
    if (type !== 'dir') {
      if (!ignored && !excluded) out.push(await entryFor(sRel, childHost, st, type, inodes));
      continue;
    }
    // An excluded directory is walked only for the exceptions that may lie below it.
    if ((ignored && !rules.ignoredMayIncludeBelow(cRel)) || (excluded && !rules.exclude!.mayIncludeBelow(sRel))) continue;
    const children = await walkDir(rules, childHost, cRel, sRel, inodes);
    if ((!ignored && !excluded) || children.length > 0) out.push(await entryFor(sRel, childHost, st, 'dir', inodes), ...children);
  }
  return out;
}

/** The second and later names of one inode point at the first. */
function markHardLinks(entries: FileEntry[], inodes: InodeKeys): void {
  const first = new Map<string, string>();
  for (const e of entries) {
    const key = inodes.get(e);
    if (key === undefined) continue;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, e.rel);
    else e.hardlinkOf = seen;
  }
}

/** The item for a resolved source; undefined when nothing of it is in the context. */
async function itemFor(rules: Rules, shown: string, r: Resolved): Promise<SourceItem | undefined> {
  const type = kindOf(r.st);
  const host = path.join(rules.root, r.rel);
  const inodes: InodeKeys = new Map();
  if (type === 'file') return { rel: shown, type: 'file', entries: [await entryFor('', host, r.st, 'file', inodes)] };
  if (type !== 'dir') return undefined;
  const children = await walkDir(rules, host, r.rel, '', inodes);
  // A directory the ignore file excludes exists only through its exceptions.
  if (r.rel !== '.' && rules.ignored(r.rel) && children.length === 0) return undefined;
  const entries = [await entryFor('', host, r.st, 'dir', inodes), ...children];
  markHardLinks(entries, inodes);
  return { rel: shown, type: 'dir', entries };
}

/**
 * The paths below `dir` matching the remaining components, as Go's
 * filepath.Walk with filepath.Match finds them for buildkit: symlinks to
 * directories are not entered, a match is not searched below.
 */
async function matchBelow(rules: Rules, dir: Resolved, shown: string, rest: string[], out: Array<[string, string]>): Promise<void> {
  const [comp, ...more] = rest as [string, ...string[]];
  let names: string[];
  try {
    names = (await fs.promises.readdir(path.join(rules.root, dir.rel))).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR' || (err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const name of names) {
    if (!globMatch(comp, name)) continue;
    const cRel = join(dir.rel, name);
    if (more.length === 0) {
      out.push([join(shown, name), cRel]);
      continue;
    }
    const st = await lstatOrUndefined(path.join(rules.root, cRel));
    if (!st?.isDirectory()) continue;
    if (rules.ignored(cRel) && !rules.ignoredMayIncludeBelow(cRel)) continue;
    await matchBelow(rules, { rel: cRel, st }, join(shown, name), more, out);
  }
}

/** A wildcard source: zero or more items (buildkit allows a wildcard to match nothing). */
async function wildcardSources(rules: Rules, rel: string): Promise<SourceItem[]> {
  const comps = rel.split('/');
  const first = comps.findIndex(hasWildcards);
  const baseShown = comps.slice(0, first).join('/') || '.';
  const base = await resolveInContext(rules, baseShown);
  if (!base?.st.isDirectory()) return [];
  const matches: Array<[string, string]> = [];
  await matchBelow(rules, base, baseShown, comps.slice(first), matches);
  const items: SourceItem[] = [];
  for (const [shown, cRel] of matches) {
    if (rules.exclude?.matches(shown)) continue;
    const r = await resolveInContext(rules, cRel);
    const item = r && (await itemFor(rules, shown, r));
    if (item) items.push(item);
  }
  return items;
}

export async function resolveSources(ctx: BuildContext, patterns: string[], opts: { exclude?: string[] } = {}): Promise<SourceItem[]> {
  const rules = rulesFor(ctx, opts.exclude);
  const items: SourceItem[] = [];
  for (const pattern of patterns) {
    const rel = contextPath(pattern);
    if (hasWildcards(rel)) {
      items.push(...(await wildcardSources(rules, rel)));
      continue;
    }
    const r = await resolveInContext(rules, rel);
    const item = r && (await itemFor(rules, rel, r));
    if (!item) throw new UsageError(`file not found in build context or excluded by .dockerignore: ${pattern}`);
    items.push(item);
  }
  return items;
}
