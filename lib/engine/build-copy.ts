// A build's COPY and ADD: a layer tar written straight from the sources
// (the context, heredocs, an earlier stage or image, a URL, a local
// archive), to where the destination leads in the parent image (its
// symlinks followed inside the image: /bin/x lands in usr/bin when /bin is
// a link), extracted into the store by the code that extracts every layer.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AddInstr, CopyInstr, Heredoc, Stage } from '../build/dockerfile.js';
import { cacheKey } from '../build/cache.js';
import { substituteHeredoc } from '../build/substitute.js';
import { checksumSources, layerTar, openBuildContext, resolveSources, type FileEntry, type SourceItem, type TarFile } from '../build/context.js';
import type { TarInput } from '../build/layer-tar.js';
import { archiveKind, decompressed } from '../build/archives.js';
import type { ImageRecord } from '../image/types.js';
import { pullMissing } from '../image/pull.js';
import { resolveUser } from '../runtime/user.js';
import { helperOutput, pipeHelpers, runHelper, statInRoot } from '../native/rootfs-helper.js';
import { fnv1a } from '../core/hash.js';
import { lazyCrypto } from '../core/lazy.js';
import { HuskError, UsageError } from '../core/errors.js';
import { imageRootArgs } from './container-root.js';
import { cached, commitStep, fromCache, stageRef, type BuildRun, type StageState } from './build-state.js';


type CopyLike = CopyInstr | AddInstr;

/** One source of the step: files of the host (context, heredoc, download), or a tar (an archive to unpack, another image's files). */
type Source =
  | { kind: 'files'; item: SourceItem; named: string }
  | { kind: 'tar'; open: () => Readable; isDir: boolean; named: string; key: string; keepOwners: boolean; archive?: SourceItem };

export async function copyStep(run: BuildRun, stage: Stage, state: StageState, instr: CopyLike): Promise<StageState> {
  const scope = state.scope;
  const where = `${run.opts.dockerfile.name}:${instr.line}: ${instr.kind}`;
  const bad = (what: string): never => {
    throw new UsageError(`${where}: ${what}`);
  };
  const rawDest = scope.substitute(instr.dest);
  if (!rawDest) bad('the destination is empty');
  const workdir = state.config.config.WorkingDir || '/';
  const dest = path.posix.resolve(workdir, rawDest);
  const chown = instr.chown !== undefined ? ownerOf(run, state, scope.substitute(instr.chown), bad) : undefined;
  const chmod = instr.chmod !== undefined ? modeOf(scope.substitute(instr.chmod), bad) : undefined;
  const exclude = instr.exclude.map((e) => scope.substitute(e));

  const sources = await sourcesOf(run, stage, state, instr, exclude, bad);
  if (sources.length === 0) bad('no source files were specified');
  const destIsDir = /\/\.?$/.test(rawDest) || rawDest === '.' || sources.length > 1 || sources.some((s) => s.kind === 'files' && s.item.type === 'dir') || sources.some((s) => s.kind === 'tar' && s.isDir);
  if (sources.length > 1 && !/\/\.?$/.test(rawDest) && rawDest !== '.') bad(`when using ${instr.kind} with more than one source file, the destination must be a directory and end with a /`);

  const contentKey = await sourcesKey(run, sources);
  const key = cacheKey([state.key, instr.kind, contentKey, dest, String(destIsDir), JSON.stringify(chown ?? null), String(chmod ?? ''), String('parents' in instr && instr.parents)]);
  const hit = await cached(run, key);
  if (hit) return fromCache(run, state, hit, key);

  const target = await destination(run, state, dest, bad);
  const toDir = destIsDir || target.type === 'dir';
  const owner = chown ?? { uid: 0, gid: 0 };
  const base = target.path;
  const dirs = (toDir ? target.missing : target.missing.slice(0, -1)).map((_, i, all) => ({ name: path.posix.join(base, ...all.slice(0, i + 1)), uid: owner.uid, gid: owner.gid }));
  const destRoot = path.posix.join(base, ...target.missing);
  const parents = 'parents' in instr && instr.parents;

  const files: TarFile[] = [];
  const tars: TarInput[] = [];
  for (const s of sources) {
    if (s.kind === 'tar') {
      const into = s.isDir || toDir ? destRoot : path.posix.dirname(destRoot);
      const rename = s.isDir || toDir ? undefined : path.posix.basename(destRoot);
      tars.push({ input: s.open(), into, rename, keepOwners: s.keepOwners && !chown });
      continue;
    }
    const at = parents ? path.posix.join(destRoot, s.item.rel === '.' ? '' : s.item.type === 'dir' ? s.item.rel : path.posix.dirname(s.item.rel)) : destRoot;
    for (const e of s.item.entries) {
      if (s.item.type === 'dir') {
        if (e.rel === '') continue; // the directory itself: its contents go to the destination
        files.push({ name: path.posix.join(at, e.rel), entry: e });
      } else files.push({ name: toDir ? path.posix.join(at, path.posix.basename(s.named)) : destRoot, entry: e });
    }
  }
  const tar = layerTar(files, { uid: owner.uid, gid: owner.gid, chmod, mtime: run.opts.timestamp, dirs }, tars);
  const layer = await run.images.addLayer(tar, state.layers[state.layers.length - 1]).catch((err: Error) => {
    throw new HuskError(`${where}: ${err.message}`);
  });
  const createdBy = `/bin/sh -c #(nop) ${instr.kind} ${contentKey.slice(0, 12)} in ${dest}`;
  return commitStep(run, state, { config: structuredClone(state.config), layer, key, createdBy });
}

/** `--chown user[:group]`, resolved in the parent image's /etc/passwd and /etc/group (numbers need neither). */
function ownerOf(run: BuildRun, state: StageState, spec: string, bad: (what: string) => never): { uid: number; gid: number } {
  try {
    const u = resolveUser(spec, state.layers.map((l) => run.images.layerDiffDir(l.chainId)).reverse());
    return { uid: u.uid, gid: u.gid };
  } catch (err) {
    return bad(`--chown ${spec}: ${(err as Error).message}`);
  }
}

/** `--chmod 755` (octal; docker also takes the symbolic forms, which are rare in Dockerfiles). */
function modeOf(spec: string, bad: (what: string) => never): number {
  if (!/^[0-7]{3,4}$/.test(spec)) return bad(`--chmod ${spec}: give an octal mode such as 755`);
  return parseInt(spec, 8);
}

async function sourcesOf(run: BuildRun, stage: Stage, state: StageState, instr: CopyLike, exclude: string[], bad: (what: string) => never): Promise<Source[]> {
  const scope = state.scope;
  const docs = new Map(instr.heredocs.map((d) => [d.name, d]));
  const out: Source[] = [];
  const fromContext: string[] = [];
  for (const raw of instr.sources) {
    const doc = raw.startsWith('<<') ? docs.get(raw.replace(/^<<-?\s*/, '').replace(/["']/g, '')) : undefined;
    if (doc) {
      out.push(heredocSource(run, doc, (text) => substituteHeredoc(text, scope.lookup)));
      continue;
    }
    const src = scope.substitute(raw);
    if (instr.kind === 'COPY' && instr.from !== undefined) {
      out.push(await imageSource(run, stage, scope.substitute(instr.from), src, bad));
      continue;
    }
    if (/^https?:\/\//i.test(src)) {
      if (instr.kind !== 'ADD') bad(`${src}: COPY takes no URLs (ADD downloads them)`);
      out.push(await urlSource(run, src, (instr as AddInstr).checksum, bad));
      continue;
    }
    if (/^git@|^git:\/\/|\.git(#.*)?$/.test(src)) bad(`${src}: git sources are not supported; clone it into the context first`);
    fromContext.push(src);
  }
  if (fromContext.length > 0) {
    const contextDir = run.opts.contextDir;
    if (!contextDir) return bad('there is no build context to copy from (the Dockerfile came alone on stdin)');
    const context = openBuildContext(contextDir, run.opts.dockerfile.path);
    const items = await resolveSources(context, fromContext, { exclude });
    for (const item of items) {
      const unpack = instr.kind === 'ADD' && instr.unpack !== false && item.type === 'file' ? await archiveKind(item.entries[0]!.hostPath) : undefined;
      const file = item.entries[0]!.hostPath;
      // ADD unpacks a local archive into the destination; its own bytes make its part of the key.
      if (unpack) out.push({ kind: 'tar', open: () => decompressed(file, unpack), isDir: true, named: item.rel, key: `archive:${item.rel}`, keepOwners: true, archive: item });
      else out.push({ kind: 'files', item, named: item.rel });
    }
  }
  return out;
}

function heredocSource(run: BuildRun, doc: Heredoc, expand: (text: string) => string): Source {
  const content = doc.expand ? expand(doc.content) : doc.content;
  const file = path.join(run.tmp, `heredoc-${fnv1a(content)}`);
  fs.writeFileSync(file, content, { mode: 0o644 });
  const st = fs.statSync(file);
  const entry: FileEntry = { rel: '', hostPath: file, type: 'file', mode: 0o644, size: st.size, mtimeMs: run.opts.timestamp !== undefined ? run.opts.timestamp * 1000 : st.mtimeMs };
  return { kind: 'files', item: { rel: doc.name, type: 'file', entries: [entry] }, named: doc.name };
}

/** ADD URL: downloaded (checked against --checksum), named after the URL's last path part, mode 0600 as docker has it. */
async function urlSource(run: BuildRun, url: string, checksum: string | undefined, bad: (what: string) => never): Promise<Source> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    return bad(`${url}: ${(err as Error).message}`);
  }
  if (!res.ok || !res.body) return bad(`${url}: the server answered ${res.status} ${res.statusText}`);
  const name = decodeURIComponent(new URL(res.url || url).pathname.split('/').filter(Boolean).pop() ?? '') || 'index.html';
  const file = path.join(run.tmp, `download-${fnv1a(url)}`);
  const hash = lazyCrypto().createHash('sha256');
  await pipeline(
    Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>),
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        yield chunk;
      }
    },
    fs.createWriteStream(file, { mode: 0o600 }),
  );
  const digest = `sha256:${hash.digest('hex')}`;
  if (checksum !== undefined && checksum !== digest) bad(`${url}: --checksum ${checksum} does not match the download (${digest})`);
  const modified = Date.parse(res.headers.get('last-modified') ?? '');
  const mtimeMs = Number.isFinite(modified) ? modified : 0;
  fs.utimesSync(file, mtimeMs / 1000, mtimeMs / 1000);
  const entry: FileEntry = { rel: '', hostPath: file, type: 'file', mode: 0o600, size: fs.statSync(file).size, mtimeMs };
  return { kind: 'files', item: { rel: name, type: 'file', entries: [entry] }, named: name };
}

/** COPY --from=STAGE|IMAGE SRC: the files of that stage or image at SRC, read by husk-userns from its layers. */
async function imageSource(run: BuildRun, stage: Stage, from: string, src: string, bad: (what: string) => never): Promise<Source> {
  const image = await fromImage(run, stage, from, bad);
  const layers = run.images.layerDirs(image);
  const dir = fs.mkdtempSync(path.join(run.tmp, 'from-'));
  const root = imageRootArgs(run.ctx, layers, dir);
  const abs = path.posix.resolve('/', src);
  const st = await statInRoot(run.ctx.userns(), root, abs, `COPY --from=${from} ${src}`);
  const type = st.type === 'symlink' ? st.followed : st.type;
  if (!st.exists || type === 'missing' || type === undefined) bad(`--from=${from}: ${src}: no such file or directory in that ${stageRef(run.file, from, stage.index) ? 'stage' : 'image'}`);
  const isDir = type === 'dir';
  const open = () => {
    const d = fs.mkdtempSync(path.join(run.tmp, 'from-'));
    return helperOutput({ userns: run.ctx.userns(), args: ['archive', ...imageRootArgs(run.ctx, layers, d), '--follow', ...(isDir ? ['--contents'] : ['--name', path.posix.basename(abs)]), abs] }, `COPY --from=${from} ${src}`);
  };
  return { kind: 'tar', open, isDir, named: abs, key: `from:${image.id}:${abs}`, keepOwners: false };
}

/** The image of an earlier stage, or an image by name (pulled as FROM would). */
async function fromImage(run: BuildRun, stage: Stage, from: string, bad: (what: string) => never): Promise<ImageRecord> {
  const earlier = stageRef(run.file, from, stage.index);
  if (earlier) {
    const s = run.stages.get(earlier.index);
    if (!s?.image) bad(`--from=${from}: that stage has no files (FROM scratch with nothing in it)`);
    return s!.image!;
  }
  const local = run.images.findImage(from);
  if (local) return local;
  await pullMissing(run.ctx, from);
  return run.images.getImage(from);
}

/** The key of the step's sources: contents and metadata, never mtimes or owners. */
async function sourcesKey(run: BuildRun, sources: Source[]): Promise<string> {
  const items = sources.flatMap((s) => (s.kind === 'files' ? [s.item] : s.archive ? [s.archive] : []));
  const cacheFile = path.join(run.ctx.paths.dataRoot, 'build-cache', 'checksums', `${fnv1a(run.opts.contextDir ?? '-')}.json`);
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
  const files = items.length > 0 ? await checksumSources(items, cacheFile, { root: run.opts.contextDir }) : '';
  return cacheKey([files, ...sources.map((s) => (s.kind === 'tar' ? s.key : `files:${s.named}`))]);
}

/** Where `dest` leads in the parent image: its existing part with symlinks followed, and the components to make. */
async function destination(run: BuildRun, state: StageState, dest: string, bad: (what: string) => never): Promise<{ path: string; type?: string; missing: string[] }> {
  const components = dest.split('/').filter(Boolean);
  if (state.layers.length === 0) return { path: '', type: components.length === 0 ? 'dir' : undefined, missing: components };
  const dir = fs.mkdtempSync(path.join(run.tmp, 'dest-'));
  const layers = state.layers.map((l) => run.images.layerDiffDir(l.chainId));
  const out = await runHelper({ userns: run.ctx.userns(), args: ['realpath', ...imageRootArgs(run.ctx, layers, dir), dest] }, `${dest} in the image`);
  const r = JSON.parse(out) as { real: string; type: string; missing: string[] };
  if (r.missing.length > 0 && r.type !== 'dir') bad(`${dest}: ${r.real} is not a directory in the image`);
  return { path: r.real.replace(/^\/+/, ''), type: r.missing.length === 0 ? r.type : undefined, missing: r.missing };
}

/**
 * RUN --mount=type=bind,from=STAGE|IMAGE: the files at `source` of that
 * stage or image, copied out into the build's scratch space (a mount of
 * another image's layers cannot be handed to a container).
 */
export async function materializeFrom(run: BuildRun, stage: Stage, from: string, source: string, line: number): Promise<string> {
  const bad = (what: string): never => {
    throw new UsageError(`${run.opts.dockerfile.name}:${line}: RUN --mount from=${from}: ${what}`);
  };
  const image = await fromImage(run, stage, from, bad);
  const layers = run.images.layerDirs(image);
  const abs = path.posix.resolve('/', source);
  const dest = fs.mkdtempSync(path.join(run.tmp, 'mount-'));
  const userns = run.ctx.userns();
  // Extracted in the containers' user namespace: the files keep the owners the image gives them.
  await pipeHelpers(
    { userns, args: ['archive', ...imageRootArgs(run.ctx, layers, fs.mkdtempSync(path.join(run.tmp, 'from-'))), '--follow', abs] },
    { userns, args: ['extract', '--beneath', ...(userns && !userns.helpers ? ['--ignore-chown-errors'] : []), dest] },
    `RUN --mount from=${from} source=${source}`,
  );
  return path.join(dest, path.posix.basename(abs) || '.');
}
