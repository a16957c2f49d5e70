// The cache key of COPY/ADD sources: what lands in the layer (names, types,
// modes, sizes, link targets, content), not when or by whom it was written.
// File contents are hashed once: their digests are kept in a cache file,
// valid while the file's inode, size, mtime and ctime are unchanged, so an
// unchanged rebuild only stats.

import fs from 'node:fs';
import path from 'node:path';
import { HuskError } from '../core/errors.js';
import { lazyCrypto } from '../core/lazy.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import type { SourceItem } from './entries.js';

/** Big enough for few system calls, small enough that 4 at once cost 4 MiB. */
const CHUNK = 1 << 20;
const CONCURRENCY = 4;

interface Validity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}
interface Cached extends Validity {
  sha256: string;
}
interface DigestCache {
  version: 1;
  files: Record<string, Cached>;
}

export interface ChecksumOptions {
  /** Cache entries outside this directory are dropped (files from another context). */
  root?: string;
  /** The content digest of a file (hex sha256): a test's spy, or the streaming default. */
  hashFile?: (file: string) => Promise<string>;
}

/** sha256 of a file in 1 MiB reads through one buffer: memory stays flat however large the file. */
export async function sha256File(file: string): Promise<string> {
  const hash = lazyCrypto().createHash('sha256');
  const fh = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

function readCache(file: string): DigestCache {
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DigestCache>;
    if (c && c.version === 1 && c.files && typeof c.files === 'object') return c as DigestCache;
  } catch {
    /* missing or corrupt: start over */
  }
  return { version: 1, files: Object.create(null) as Record<string, Cached> };
}

const validityOf = (st: fs.BigIntStats): Validity => ({
  dev: String(st.dev),
  ino: String(st.ino),
  size: String(st.size),
  mtimeNs: String(st.mtimeNs),
  ctimeNs: String(st.ctimeNs),
});

const sameValidity = (a: Validity, b: Validity): boolean =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

async function eachLimited<T>(list: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) await fn(list[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
}

/** Content digests of the files, from the cache where still valid; updates `cache` and says whether it changed. */
async function digestFiles(files: string[], cache: DigestCache, hashFile: (f: string) => Promise<string>): Promise<[Map<string, string>, boolean]> {
  const digests = new Map<string, string>();
  let changed = false;
  await eachLimited(files, CONCURRENCY, async (file) => {
    const before = await fs.promises.lstat(file, { bigint: true });
    if (!before.isFile()) throw new HuskError(`${file}: changed while the build context was read: not a regular file any more`);
    const v = validityOf(before);
    const hit = cache.files[file];
    if (hit && sameValidity(hit, v)) {
      digests.set(file, hit.sha256);
      return;
    }
    const digest = await hashFile(file);
    digests.set(file, digest);
    // A file written while it was read has a digest of neither version: never cache that.
    const after = validityOf(await fs.promises.lstat(file, { bigint: true }));
    if (sameValidity(v, after)) {
      cache.files[file] = { ...v, sha256: digest };
      changed = true;
    }
  });
  return [digests, changed];
}

/** Drops digests of files gone, or outside `root`: the cache never outgrows the context. */
async function prune(cache: DigestCache, root?: string): Promise<void> {
  const under = root && `${path.resolve(root)}/`;
  const paths = Object.keys(cache.files);
  await eachLimited(paths, 16, async (p) => {
    if (under && !p.startsWith(under)) delete cache.files[p];
    else if (!(await fs.promises.lstat(p).catch(() => undefined))?.isFile()) delete cache.files[p];
  });
}

export async function checksumSources(items: SourceItem[], cacheFile: string, opts: ChecksumOptions = {}): Promise<string> {
  const cache = readCache(cacheFile);
  const files = [...new Set(items.flatMap((i) => i.entries.filter((e) => e.type === 'file' && !e.hardlinkOf).map((e) => e.hostPath)))];
  const [digests, changed] = await digestFiles(files, cache, opts.hashFile ?? sha256File);
  if (changed) {
    await prune(cache, opts.root);
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
    writeJsonAtomic(cacheFile, cache, 0o600, false);
  }
  const hash = lazyCrypto().createHash('sha256');
  // One JSON line per item and entry: unambiguous whatever the names contain.
  for (const item of items) {
    hash.update(`${JSON.stringify(['item', item.rel, item.type])}\n`);
    for (const e of item.entries) {
      const content = e.type === 'file' && !e.hardlinkOf ? digests.get(e.hostPath)! : null;
      hash.update(`${JSON.stringify([e.rel, e.type, e.mode, e.size, e.linkTarget ?? null, e.hardlinkOf ?? null, content])}\n`);
    }
  }
  return hash.digest('hex');
}
