// The layer of a COPY/ADD as a tar stream: the destination's missing
// parents, then the files in the order given, contents read from disk as
// the reader asks for them. The same inputs with a fixed mtime give the same
// bytes (no user or group names, no atime, no host ids).

import fs from 'node:fs';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import tar, { type Header, type Pack } from 'tar-stream';
import { HuskError } from '../core/errors.js';
import type { FileEntry, TarFile, TarOptions } from './entries.js';

const CHUNK = 1 << 20;

// tar-stream replaces a mode of 0 by its default (0644/0755): the file type
// bits keep it non-zero, and tar-stream writes only mode & 07777.
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

function checkName(name: string): void {
  if (name === '' || name.startsWith('/') || name.split('/').includes('..')) throw new HuskError(`layer entry ${JSON.stringify(name)}: not a relative path inside the layer`);
}

const dirName = (name: string): string => (name.endsWith('/') ? name : `${name}/`);

function addEntry(pack: Pack, header: Header | (Partial<Header> & { name: string })): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));
}

/** Exactly `size` bytes of an open file into the entry, waiting whenever the reader is behind. */
async function streamContent(pack: Pack, header: Partial<Header> & { name: string }, fh: fs.promises.FileHandle, size: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    (async () => {
      let left = size;
      while (left > 0) {
        // A fresh buffer per chunk: the tar stream keeps a reference until it is read.
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
        const { bytesRead } = await fh.read(buf, 0, buf.length, size - left);
        if (bytesRead === 0) throw new HuskError(`${header.name}: the file shrank while it was copied into the layer`);
        left -= bytesRead;
        if (!sink.write(buf.subarray(0, bytesRead))) await once(sink, 'drain');
      }
      sink.end(() => undefined);
    })().catch((err: Error) => {
      sink.destroy(err);
      reject(err);
    });
  });
}

interface State {
  opts: TarOptions;
  /** dev:ino of files written, to their names: where a hard link points. */
  written: Map<string, string>;
}

function baseHeader(s: State, name: string, e?: FileEntry): Partial<Header> & { name: string } {
  const ms = s.opts.mtime !== undefined ? s.opts.mtime * 1000 : e ? e.mtimeMs : Date.now();
  return { name, uid: s.opts.uid, gid: s.opts.gid, uname: '', gname: '', mtime: new Date(ms) };
}

async function addFile(pack: Pack, s: State, f: TarFile): Promise<void> {
  const e = f.entry;
  const mode = (s.opts.chmod ?? e.mode) | S_IFREG;
  // O_NOFOLLOW: a file swapped for a symlink since the walk must not read outside the context.
  const fh = await fs.promises.open(e.hostPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const st = await fh.stat();
    const key = `${st.dev}:${st.ino}`;
    const target = e.hardlinkOf !== undefined ? s.written.get(key) : undefined;
    if (target !== undefined) {
      await addEntry(pack, { ...baseHeader(s, f.name, e), type: 'link', linkname: target, mode, size: 0 });
      return;
    }
    if (!s.written.has(key)) s.written.set(key, f.name);
    await streamContent(pack, { ...baseHeader(s, f.name, e), type: 'file', mode, size: e.size }, fh, e.size);
  } finally {
    await fh.close();
  }
}

async function writeLayer(pack: Pack, files: TarFile[], opts: TarOptions): Promise<void> {
  await writeEntries(pack, files, opts);
  pack.finalize();
}

/** The destination's parents, then the files: into a pack that more may follow. */
async function writeEntries(pack: Pack, files: TarFile[], opts: TarOptions): Promise<void> {
  const s: State = { opts, written: new Map() };
  for (const d of opts.dirs ?? []) {
    const h = { ...baseHeader(s, dirName(d.name)), uid: d.uid ?? opts.uid, gid: d.gid ?? opts.gid };
    await addEntry(pack, { ...h, type: 'directory', mode: (d.mode ?? 0o755) | S_IFDIR });
  }
  for (const f of files) {
    const e = f.entry;
    if (e.type === 'dir') await addEntry(pack, { ...baseHeader(s, dirName(f.name), e), type: 'directory', mode: (opts.chmod ?? e.mode) | S_IFDIR });
    // --chmod does not apply to symlinks: their mode means nothing on Linux.
    else if (e.type === 'symlink') await addEntry(pack, { ...baseHeader(s, f.name, e), type: 'symlink', linkname: e.linkTarget ?? '', mode: 0o777 | S_IFLNK });
    else await addFile(pack, s, f);
  }
}

export function layerTar(files: TarFile[], opts: TarOptions): Readable {
  for (const d of opts.dirs ?? []) checkName(d.name.replace(/\/$/, ''));
  for (const f of files) checkName(f.name.replace(/\/$/, ''));
  const pack = tar.pack();
  writeLayer(pack, files, opts).catch((err: Error) => pack.destroy(err));
  // A Node stream for the callers (pipeline, store.addLayer); pulling from the pack keeps backpressure.
  return Readable.from(pack, { objectMode: false });
}

/** A tar to put into the layer: its entries under `into` (the first renamed to `rename`, for a single file). */
export interface TarInput {
  input: Readable;
  into: string;
  rename?: string;
  /** Keep the tar's owners (ADD of an archive) instead of the step's. */
  keepOwners: boolean;
}

/**
 * A COPY/ADD layer from several kinds of sources: the destination's missing
 * parents, host files, and tars whose entries are moved under the
 * destination (another image's files, an archive ADD unpacks). Names that
 * would leave the destination are refused.
 */
export function composeLayer(parts: { dirs: NonNullable<TarOptions['dirs']>; files: TarFile[]; tars: TarInput[] }, opts: TarOptions): Readable {
  for (const d of parts.dirs) checkName(d.name.replace(/\/$/, ''));
  for (const f of parts.files) checkName(f.name.replace(/\/$/, ''));
  const pack = tar.pack();
  (async () => {
    await writeEntries(pack, parts.files, { ...opts, dirs: parts.dirs });
    for (const t of parts.tars) await addTar(pack, t, opts);
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  return Readable.from(pack, { objectMode: false });
}

async function addTar(pack: Pack, t: TarInput, opts: TarOptions): Promise<void> {
  const extract = tar.extract();
  t.input.on('error', (err) => extract.destroy(err));
  t.input.pipe(extract);
  let first = true;
  for await (const entry of extract) {
    const h = entry.header;
    const rel = cleanRel(t.rename !== undefined && first ? t.rename : h.name);
    first = false;
    if (rel === undefined) throw new HuskError(`archive entry ${JSON.stringify(h.name)} leaves the destination`);
    const name = rel === '' ? t.into : `${t.into ? `${t.into}/` : ''}${rel}`;
    if (name === '') {
      entry.resume();
      continue;
    }
    const linkname = h.type === 'link' && h.linkname ? linkUnder(t, h.linkname) : h.linkname;
    const header: Header = {
      ...h,
      name: h.type === 'directory' ? `${name}/` : name,
      linkname,
      uname: '',
      gname: '',
      ...(t.keepOwners ? {} : { uid: opts.uid, gid: opts.gid }),
      ...(opts.chmod !== undefined && (h.type === 'file' || h.type === 'directory') ? { mode: opts.chmod } : {}),
      ...(opts.mtime !== undefined ? { mtime: new Date(opts.mtime * 1000) } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      entry.pipe(sink);
      entry.on('error', reject);
    });
  }
}

/** An archive's entry name relative to where it lands: leading / and ./ dropped; undefined if it climbs out. */
function cleanRel(name: string): string | undefined {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') return undefined;
    parts.push(p);
  }
  return parts.join('/');
}

/** A hard link's target: an entry of the same archive, so under the same destination. */
function linkUnder(t: TarInput, linkname: string): string {
  const rel = cleanRel(linkname);
  if (rel === undefined) throw new HuskError(`archive hard link to ${JSON.stringify(linkname)} leaves the destination`);
  return `${t.into ? `${t.into}/` : ''}${rel}`;
}
