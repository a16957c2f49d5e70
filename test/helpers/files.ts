// Reading and writing what tests look at: tar archives (tar-stream) and
// directory trees.
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';

export interface TarEntry {
  name: string;
  type: string;
  data: Buffer;
  uid: number;
  gid: number;
  linkname?: string | null;
}

/** The entries of a tar archive, from a file or from memory. */
export async function readTar(source: string | Buffer): Promise<TarEntry[]> {
  const extract = tar.extract();
  if (typeof source === 'string') fs.createReadStream(source).pipe(extract as unknown as NodeJS.WritableStream);
  else extract.end(source);
  const out: TarEntry[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const h = entry.header;
    out.push({ name: h.name, type: h.type ?? 'file', data: Buffer.concat(chunks), uid: h.uid ?? 0, gid: h.gid ?? 0, linkname: h.linkname });
  }
  return out;
}

export interface TarInput {
  name: string;
  data?: string | Buffer;
  /** 'directory', 'symlink', else a file. */
  type?: string;
  linkname?: string | null;
}

/** A tar archive of these entries (files 0644, directories 0755). */
export async function writeTar(files: TarInput[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const f of files) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (f.type === 'directory') pack.entry({ name: f.name, type: 'directory', mode: 0o755 }, cb);
      else if (f.type === 'symlink') pack.entry({ name: f.name, type: 'symlink', linkname: f.linkname! }, cb);
      else pack.entry({ name: f.name, mode: 0o644 }, f.data ?? '', cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * Every entry below `dir`, depth first, as [path, dirent]; `enter` picks the
 * directories walked into (default: all, symlinks are not directories here).
 */
export function* treeEntries(dir: string, enter: (p: string, e: fs.Dirent) => boolean = () => true): Generator<[string, fs.Dirent]> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // gone meanwhile, or not ours to read
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    yield [p, e];
    if (e.isDirectory() && enter(p, e)) yield* treeEntries(p, enter);
  }
}

/** The first path below `dir` with one of these names. */
export function findNamed(dir: string, names: string[]): string | undefined {
  for (const [p, e] of treeEntries(dir)) if (names.includes(e.name)) return p;
  return undefined;
}
