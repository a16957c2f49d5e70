// `husk save` and `husk load`: images to and from docker-archive (docker
// save's manifest.json layout) and oci-archive (an OCI image layout in a tar).
//
// Saving streams blobs straight out of the store (layers are kept there
// uncompressed, under their diff id). Loading spools the archive's files to a
// private temp dir in the store (a docker archive may name its layers only at
// its end), verifies every digest and diff id, and only then records layers
// and images: a tampered or incomplete archive leaves the store as it was.
// Entries are read into temp files under names husk chooses, so a hostile
// name (../, /etc/...) is never a path on this host.
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import tar, { type Extract, type Pack } from 'tar-stream';

/** One entry of an archive being read (tar-stream names its type but does not export it). */
type Entry = Extract extends AsyncIterable<infer S> ? S : never;
import type { Context } from '../core/context.js';
import { HuskError, NotFoundError, UsageError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { checkLayerHead, gunzipped } from './compression.js';
import { decompressedLayer, layerFileDigests } from '../native/userns-helper.js';
import { writeFileWhole } from '../storage/atomic.js';
import { formatReference, parseReference, repoAndTag } from './reference.js';
import { imageSchemas, type DocumentKind, type SchemaChecker } from './schema.js';
import { dockerManifest, ImageStore, ociManifest, sha256, type LayerBlob, type LayerDigests, type StoredManifest } from './store.js';
import { MEDIA_TYPE_LAYER, MEDIA_TYPE_MANIFEST, type ImageConfig, type ImageRecord, type LayerRecord } from './types.js';

export type ArchiveFormat = 'docker-archive' | 'oci-archive' | 'oci-dir' | 'docker-dir';
export const ARCHIVE_FORMATS: ArchiveFormat[] = ['docker-archive', 'oci-archive', 'oci-dir', 'docker-dir'];
/** Formats written as a directory (-o names it) rather than a tar. */
const DIR_FORMATS: ArchiveFormat[] = ['oci-dir', 'docker-dir'];

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';
/** Fixed timestamps make an archive of the same images byte for byte the same. */
const MTIME = new Date(0);
/** manifest.json, index.json, configs and manifests: read into memory, so bounded. */
const MAX_JSON = 32 << 20;

interface DockerManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

// ---------------------------------------------------------------- save

export interface SaveOptions {
  images: string[];
  format: ArchiveFormat;
  /** A file path (a directory for oci-dir and docker-dir); without it, the archive goes to `stdout`. */
  output?: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  /** oci-archive, oci-dir: layers as plain tars, whatever the store keeps (podman's --uncompressed). */
  uncompressed?: boolean;
  /** docker-dir: layers gzip-compressed, whatever the store keeps (podman's --compress). */
  compress?: boolean;
}

interface SaveItem {
  image: ImageRecord;
  names: string[];
  manifest: StoredManifest;
}

export async function saveImages(ctx: Context, opts: SaveOptions): Promise<void> {
  if (!ARCHIVE_FORMATS.includes(opts.format)) throw new UsageError(`format value must be one of ${ARCHIVE_FORMATS.join(' ')}`);
  const stdout = opts.stdout;
  const toDir = DIR_FORMATS.includes(opts.format);
  if (toDir && !opts.output) throw new UsageError(`--format ${opts.format} writes a directory: name it with -o`);
  if (!opts.output && stdout.isTTY) throw new UsageError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  const store = new ImageStore(ctx);
  const items = resolveImages(store, opts.images);
  if (opts.format === 'docker-dir' && items.length > 1) throw new UsageError('docker-dir holds one image: save the others to directories of their own');
  if (opts.compress) for (const item of items) await compressLayers(store, item);

  const pack = tar.pack();
  const packer = { 'docker-archive': packDocker, 'oci-archive': packOci, 'oci-dir': packOci, 'docker-dir': packDockerDir }[opts.format];
  const produced = packer(store, items, pack, opts).catch((err: unknown) => {
    pack.destroy(err as Error);
    throw err;
  });

  if (toDir) {
    await Promise.all([produced, unpackInto(pack, opts.output!)]);
    return;
  }
  if (!opts.output) {
    const consumed = (async () => {
      for await (const chunk of pack) {
        if (!stdout.write(chunk as Buffer)) await once(stdout, 'drain');
      }
    })();
    await Promise.all([produced, consumed]);
    return;
  }

  await writeFileWhole(opts.output, async (fd) => {
    const consumed = (async () => {
      for await (const chunk of pack) fs.writeSync(fd, chunk as Buffer);
    })();
    await Promise.all([produced, consumed]);
  });
}

/** Each named image once, with the names to record for it. */
function resolveImages(store: ImageStore, wanted: string[]): SaveItem[] {
  const byId = new Map<string, SaveItem>();
  for (const w of wanted) {
    const image = store.getImage(w);
    let item = byId.get(image.id);
    if (!item) {
      item = { image, names: [], manifest: store.manifestOf(image) };
      byId.set(image.id, item);
    }
    for (const n of namesFor(image, w)) if (!item.names.includes(n)) item.names.push(n);
  }
  return [...byId.values()];
}

/** The name the user gave (as stored); none when the image was named by its ID, as docker and podman save it. */
function namesFor(image: ImageRecord, wanted: string): string[] {
  const hex = wanted.startsWith('sha256:') ? wanted.slice(7) : wanted;
  if (/^[a-f0-9]{3,64}$/.test(hex) && image.id.startsWith(hex)) return [];
  try {
    const ref = parseReference(wanted);
    const full = formatReference(ref);
    if (image.names.includes(full)) return [full];
    const suffix = `/${ref.repository.replace(/^library\//, '')}:${ref.tag ?? 'latest'}`;
    const short = image.names.find((n) => n.endsWith(suffix));
    if (short) return [short];
  } catch {
    /* not a reference */
  }
  return image.names;
}

async function addFile(pack: Pack, name: string, file: string): Promise<void> {
  await addStream(pack, name, fs.statSync(file).size, fs.createReadStream(file));
}

async function addStream(pack: Pack, name: string, size: number, source: Readable): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ name, size, mode: 0o644, mtime: MTIME }, (err) => (err ? reject(err) : resolve()));
    (async () => {
      for await (const chunk of source) {
        if (!entry.write(chunk)) await once(entry, 'drain');
      }
      entry.end(() => undefined);
    })().catch((err: Error) => {
      source.destroy();
      entry.destroy(err);
      reject(err);
    });
  });
}

/** A layer as docker-archive holds it: the uncompressed tar (decompressed on the way when stored compressed). */
async function addLayerTar(pack: Pack, name: string, layer: LayerBlob): Promise<void> {
  if (layer.compression === 'none') return addFile(pack, name, layer.file);
  const size = layer.tarSize ?? (await layerFileDigests(layer.file)).tarSize;
  await addStream(pack, name, size, decompressedLayer(layer.file));
}

async function addBytes(pack: Pack, name: string, data: Buffer | string): Promise<void> {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
  await new Promise<void>((resolve, reject) => pack.entry({ name, size: buf.length, mode: 0o644, mtime: MTIME }, buf, (err) => (err ? reject(err) : resolve())));
}

async function addDir(pack: Pack, name: string): Promise<void> {
  await new Promise<void>((resolve, reject) => pack.entry({ name, type: 'directory', mode: 0o755, mtime: MTIME }, (err) => (err ? reject(err) : resolve())));
}

async function packDocker(store: ImageStore, items: SaveItem[], pack: Pack): Promise<void> {
  const written = new Set<string>();
  const manifest: DockerManifestEntry[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const item of items) {
    const layers: string[] = [];
    for (const layer of item.manifest.layers) {
      const hex = layer.diffId.replace(/^sha256:/, '');
      layers.push(`${hex}/layer.tar`);
      if (written.has(hex)) continue;
      written.add(hex);
      await addDir(pack, `${hex}/`);
      await addLayerTar(pack, `${hex}/layer.tar`, layer);
    }
    await addBytes(pack, `${item.image.id}.json`, item.manifest.configBytes);
    manifest.push({ Config: `${item.image.id}.json`, RepoTags: item.names.length ? item.names : null, Layers: layers });
    const top = layers.length ? layers[layers.length - 1]!.split('/')[0]! : item.image.id;
    for (const n of item.names) {
      const [repo, tag] = repoAndTag(n);
      (repositories[repo] ??= {})[tag] = top;
    }
  }
  await addBytes(pack, 'manifest.json', JSON.stringify(manifest));
  if (Object.keys(repositories).length) await addBytes(pack, 'repositories', JSON.stringify(repositories));
  pack.finalize();
}

async function packOci(store: ImageStore, items: SaveItem[], pack: Pack, opts: { uncompressed?: boolean } = {}): Promise<void> {
  await addBytes(pack, 'oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await addDir(pack, 'blobs/');
  await addDir(pack, 'blobs/sha256/');
  const written = new Set<string>();
  const index: Descriptor[] = [];
  const blob = async (digest: string, write: (name: string) => Promise<void>) => {
    const hex = digest.replace(/^sha256:/, '');
    if (written.has(hex)) return;
    written.add(hex);
    await write(`blobs/sha256/${hex}`);
  };
  for (const item of items) {
    // The blobs as stored, and the image's own manifest when it names them: the digests stay.
    // Uncompressed, each layer is its tar (named by its diff id) under a manifest made for them.
    const { layers, configBytes, bytes: manifest, mediaType } = opts.uncompressed ? await uncompressedManifest(item.manifest) : item.manifest;
    for (const l of layers) await blob(l.digest, (name) => (l.compression === 'none' ? addFile(pack, name, l.file) : addLayerTar(pack, name, l)));
    await blob(`sha256:${item.image.id}`, (name) => addBytes(pack, name, configBytes));
    const digest = `sha256:${sha256(manifest)}`;
    await blob(digest, (name) => addBytes(pack, name, manifest));
    const desc: Descriptor = { mediaType, digest, size: manifest.length };
    if (item.names.length === 0) index.push(desc);
    // As docker writes them: the tag as ref.name, the whole name for containerd (and husk).
    for (const n of item.names) index.push({ ...desc, annotations: { [CONTAINERD_NAME]: n, [REF_NAME]: repoAndTag(n)[1] } });
  }
  await addBytes(pack, 'index.json', JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: index }));
  pack.finalize();
}

/** The manifest and layers of an image whose layers are all written as plain tars. */
async function uncompressedManifest(m: StoredManifest): Promise<StoredManifest> {
  if (m.layers.every((l) => l.compression === 'none')) return m;
  const layers = await Promise.all(
    m.layers.map(async (l) => ({ ...l, digest: l.diffId, size: l.tarSize ?? (await layerFileDigests(l.file)).tarSize, mediaType: MEDIA_TYPE_LAYER.none })),
  );
  const bytes = ociManifest(m.configBytes, layers);
  // Written through addLayerTar, which decompresses what the file holds.
  return { ...m, bytes, mediaType: MEDIA_TYPE_MANIFEST, layers: layers.map((l, i) => ({ ...l, compression: m.layers[i]!.compression, tarSize: l.size })) };
}

/** docker-dir (the dir transport): a version file, a v2s2 manifest, and each blob under its bare digest. */
async function packDockerDir(store: ImageStore, items: SaveItem[], pack: Pack): Promise<void> {
  const { layers, configBytes } = items[0]!.manifest;
  const manifest = dockerManifest(configBytes, layers);
  await addBytes(pack, 'version', 'Directory Transport Version: 1.1\n');
  await addBytes(pack, 'manifest.json', manifest);
  for (const l of layers) await addFile(pack, l.digest.replace(/^sha256:/, ''), l.file);
  await addBytes(pack, sha256(configBytes), configBytes);
  pack.finalize();
}

/** --compress: layers the store keeps as plain tars gzip-compressed (kept so, as push keeps them). */
async function compressLayers(store: ImageStore, item: SaveItem): Promise<void> {
  for (const chainId of item.image.layers) await store.gzipLayerBlob(chainId);
  item.manifest = store.manifestOf(item.image);
}

/** Writes the entries of our own pack (plain names, files and directories only) under `dir`. */
async function unpackInto(pack: Pack, dir: string): Promise<void> {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new HuskError(`${dir}: cannot write: ${(err as Error).message}`);
  }
  const extract = tar.extract();
  pack.pipe(extract as unknown as NodeJS.WritableStream);
  for await (const e of extract as AsyncIterable<Entry>) {
    const target = path.join(dir, e.header.name);
    if (e.header.type === 'directory') {
      fs.mkdirSync(target, { recursive: true });
      e.resume();
      continue;
    }
    const out = fs.createWriteStream(target, { mode: 0o644 });
    for await (const chunk of e) if (!out.write(chunk)) await once(out, 'drain');
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

// ---------------------------------------------------------------- load

export interface LoadOptions {
  /** A path; without it, standard input. */
  input?: string;
  /** Where no input, or `-`, reads from (the CLI's stdin, opened only then). */
  stdin: () => Readable;
}

export interface LoadResult {
  /** Names given to loaded images; an untagged image appears as its ID only. */
  names: string[];
  untagged: string[];
}

/** The archive's files, spooled to temp files; symlinks kept as aliases. */
class Spool {
  private readonly files = new Map<string, string>();
  private readonly links = new Map<string, string>();
  private count = 0;

  constructor(readonly dir: string) {}

  async take(entry: Entry): Promise<void> {
    const h = entry.header;
    const name = cleanName(h.name);
    if (name && (h.type === 'file' || h.type === 'contiguous-file' || !h.type)) {
      const file = path.join(this.dir, String(this.count++));
      const fd = fs.openSync(file, 'wx', 0o600);
      try {
        for await (const chunk of entry) fs.writeSync(fd, chunk as Buffer);
      } finally {
        fs.closeSync(fd);
      }
      this.files.set(name, file);
      return;
    }
    if (name && (h.type === 'symlink' || h.type === 'link') && h.linkname) {
      // Docker's older archives link a repeated layer to its first copy.
      const target = h.type === 'symlink' ? cleanName(path.posix.join(path.posix.dirname(name), h.linkname)) : cleanName(h.linkname);
      if (target) this.links.set(name, target);
    }
    for await (const chunk of entry) void chunk;
  }

  /** The temp file holding an archive path, following (a few) links; undefined when absent. */
  lookup(name: string): string | undefined {
    let n = cleanName(name);
    for (let i = 0; n && i < 8; i++) {
      const f = this.files.get(n);
      if (f) return f;
      n = this.links.get(n);
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }
}

/** An archive path made relative and plain; undefined for anything leaving the archive (../, absolute). */
function cleanName(name: string): string | undefined {
  if (!name || name.startsWith('/') || name.includes('\0')) return undefined;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) return undefined;
  return parts.join('/');
}

export async function loadImages(ctx: Context, opts: LoadOptions): Promise<LoadResult> {
  const store = new ImageStore(ctx);
  store.ensureDirs();
  const input = openInput(opts);
  const tmp = fs.mkdtempSync(path.join(store.root, '.load-'));
  try {
    const spool = new Spool(tmp);
    await readArchive(await gunzipped(input, 'archive'), spool);
    const schemas = await imageSchemas();
    const plans = spool.has('manifest.json') ? planDocker(spool, schemas) : spool.has('index.json') ? planOci(spool, schemas) : undefined;
    if (!plans) throw new UsageError('not an image archive: it holds neither manifest.json (docker-archive) nor oci-layout and index.json (oci-archive)');
    if (plans.length === 0) throw new UsageError('the archive holds no images');
    // Everything is verified before anything is recorded.
    for (const p of plans) await verify(p);
    const result: LoadResult = { names: [], untagged: [] };
    for (const p of plans) {
      const image = await record(store, p);
      if (p.names.length === 0) result.untagged.push(`sha256:${image.id}`);
      result.names.push(...p.names);
    }
    return result;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function openInput(opts: LoadOptions): Readable {
  if (!opts.input || opts.input === '-') return opts.stdin();
  try {
    fs.accessSync(opts.input, fs.constants.R_OK);
  } catch {
    throw new NotFoundError(`${opts.input}: no such file or not readable`);
  }
  if (fs.statSync(opts.input).isDirectory()) return directoryAsTar(opts.input);
  return fs.createReadStream(opts.input);
}

/**
 * An oci-dir (as `save --format oci-dir` writes it) read as the oci-archive
 * it would be: its regular files, packed; symlinks and the like are left out.
 */
function directoryAsTar(dir: string): Readable {
  if (!fs.existsSync(path.join(dir, 'oci-layout'))) {
    throw new UsageError(`${dir}: not an OCI layout directory (no oci-layout file): husk loads oci-dir directories and archives`);
  }
  const pack = tar.pack();
  const walk = async (rel: string): Promise<void> => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const name = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(name);
      else if (e.isFile()) await addFile(pack, name, path.join(dir, name));
    }
  };
  walk('').then(
    () => pack.finalize(),
    (err: Error) => pack.destroy(err),
  );
  return pack as unknown as Readable;
}

async function readArchive(input: Readable, spool: Spool): Promise<void> {
  const extract = tar.extract();
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of extract) await spool.take(entry);
  } catch (err) {
    if (err instanceof HuskError) throw err;
    throw new UsageError(`reading the archive: ${(err as Error).message}`);
  }
}

interface LayerPlan {
  file: string;
  /** What the archive calls it, for messages. */
  name: string;
  diffId: string;
  /** The blob digest an OCI manifest gives (of the bytes as stored, compressed or not). */
  blobDigest?: string;
}

interface ImagePlan {
  config: ImageConfig;
  configBytes: Buffer;
  layers: LayerPlan[];
  names: string[];
}

function readSmall(spool: Spool, name: string, what: string): Buffer {
  const file = spool.lookup(name);
  if (!file) throw new UsageError(`invalid archive: ${what} ${name} is missing`);
  if (fs.statSync(file).size > MAX_JSON) throw new UsageError(`invalid archive: ${what} ${name} is too large`);
  return fs.readFileSync(file);
}

function parseJson<T>(data: Buffer, what: string): T {
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch (err) {
    throw new UsageError(`invalid archive: ${what} is not valid JSON: ${printable((err as Error).message)}`);
  }
}

/** Refuses a document that does not match its schema (lib/image/oci-schemas): nothing is stored yet. */
function checkSchema<T>(schemas: SchemaChecker, kind: DocumentKind, doc: T, what: string): T {
  const problem = schemas.problem(kind, doc);
  if (problem) throw new UsageError(`invalid archive: ${what}: ${problem}`);
  return doc;
}

function configFrom(schemas: SchemaChecker, bytes: Buffer, what: string): ImageConfig {
  const config = checkSchema(schemas, 'config', parseJson<ImageConfig>(bytes, what), what);
  const ids = config.rootfs.diff_ids;
  if (ids.some((d) => !/^sha256:[a-f0-9]{64}$/.test(d))) {
    throw new UsageError(`invalid archive: ${what} has no valid rootfs.diff_ids`);
  }
  return config;
}

function normalizeName(name: string, what: string): string {
  try {
    return formatReference(parseReference(name));
  } catch (err) {
    throw new UsageError(`invalid archive: ${what}: ${(err as Error).message}`);
  }
}

function planDocker(spool: Spool, schemas: SchemaChecker): ImagePlan[] {
  const manifest = parseJson<DockerManifestEntry[]>(readSmall(spool, 'manifest.json', 'file'), 'manifest.json');
  checkSchema(schemas, 'docker-archive-manifest', manifest, 'manifest.json');
  return manifest.map((m) => {
    const configBytes = readSmall(spool, m.Config, 'image config');
    const named = /([a-f0-9]{64})(?:\.json)?$/.exec(m.Config)?.[1];
    if (named && sha256(configBytes) !== named) throw new UsageError(`invalid archive: image config ${m.Config} does not match its digest`);
    const config = configFrom(schemas, configBytes, `image config ${m.Config}`);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== m.Layers.length) {
      throw new UsageError(`invalid archive: manifest.json lists ${m.Layers.length} layers, the image config ${diffIds.length}`);
    }
    const layers = m.Layers.map((name, j) => {
      const file = spool.lookup(name);
      if (!file) throw new UsageError(`invalid archive: layer ${name} named in manifest.json is missing from the archive`);
      return { file, name, diffId: diffIds[j]! };
    });
    const names = (m.RepoTags ?? []).map((t) => normalizeName(String(t), `RepoTags entry "${t}"`));
    return { config, configBytes, layers, names };
  });
}

function blobName(digest: unknown, what: string): string {
  if (typeof digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(digest)) throw new UsageError(`invalid archive: ${what} has an unsupported digest ${String(digest)}`);
  return `blobs/sha256/${digest.slice(7)}`;
}

function readBlob(spool: Spool, desc: Descriptor, what: string): Buffer {
  const data = readSmall(spool, blobName(desc.digest, what), what);
  if (`sha256:${sha256(data)}` !== desc.digest) throw new UsageError(`invalid archive: ${what} ${desc.digest} does not match its digest`);
  return data;
}

function planOci(spool: Spool, schemas: SchemaChecker): ImagePlan[] {
  if (!spool.has('oci-layout')) throw new UsageError('invalid archive: index.json without oci-layout');
  const layout = parseJson<{ imageLayoutVersion?: string }>(readSmall(spool, 'oci-layout', 'file'), 'oci-layout');
  if (typeof layout?.imageLayoutVersion !== 'string') throw new UsageError('invalid archive: oci-layout lacks imageLayoutVersion');
  const byManifest = new Map<string, ImagePlan>();
  const visit = (index: { manifests: Descriptor[] }, depth: number, inherited?: string) => {
    for (const desc of index.manifests) {
      const named = desc.annotations?.[CONTAINERD_NAME] ?? fullRefName(desc.annotations?.[REF_NAME]) ?? inherited;
      if (desc.mediaType === OCI_INDEX || desc.mediaType === DOCKER_LIST) {
        if (depth > 2) throw new UsageError('invalid archive: indexes nested too deep');
        const what = `index ${desc.digest}`;
        const nested = checkSchema(schemas, 'index', parseJson<{ manifests: Descriptor[] }>(readBlob(spool, desc, 'index'), what), what);
        const arch = process.arch === 'x64' ? 'amd64' : process.arch;
        const mine = nested.manifests.filter((d) => !d.platform || (d.platform.os === 'linux' && d.platform.architecture === arch));
        visit({ manifests: mine.slice(0, 1) }, depth + 1, named);
        continue;
      }
      let plan = byManifest.get(desc.digest);
      if (!plan) {
        const what = `manifest ${desc.digest}`;
        const manifest = checkSchema(schemas, 'manifest', parseJson<{ config: Descriptor; layers: Descriptor[] }>(readBlob(spool, desc, 'manifest'), what), what);
        const configBytes = readBlob(spool, manifest.config, 'image config');
        const config = configFrom(schemas, configBytes, `image config ${manifest.config.digest}`);
        const diffIds = config.rootfs.diff_ids;
        if (diffIds.length !== manifest.layers.length) {
          throw new UsageError(`invalid archive: manifest ${desc.digest} lists ${manifest.layers.length} layers, its config ${diffIds.length}`);
        }
        const layers = manifest.layers.map((l, j) => {
          const name = blobName(l.digest, 'layer');
          const file = spool.lookup(name);
          if (!file) throw new UsageError(`invalid archive: layer ${l.digest} named in manifest ${desc.digest} is missing from the archive`);
          return { file, name, diffId: diffIds[j]!, blobDigest: l.digest };
        });
        plan = { config, configBytes, layers, names: [] };
        byManifest.set(desc.digest, plan);
      }
      if (named) {
        const n = normalizeName(named, `image name "${named}"`);
        if (!plan.names.includes(n)) plan.names.push(n);
      }
    }
  };
  visit(checkSchema(schemas, 'index', parseJson<{ manifests: Descriptor[] }>(readSmall(spool, 'index.json', 'file'), 'index.json'), 'index.json'), 0);
  return [...byManifest.values()];
}

/** A ref.name that is a whole reference (podman and skopeo write those); a bare tag names nothing. */
function fullRefName(ref: string | undefined): string | undefined {
  return ref && /[/:]/.test(ref) ? ref : undefined;
}

/** Checks every layer (as stored, and uncompressed) against the manifest and the config. */
async function verify(plan: ImagePlan): Promise<void> {
  for (const l of plan.layers) {
    checkLayerHead(readFileHead(l.file, 6), `layer ${l.name}`);
    let got;
    try {
      got = await layerFileDigests(l.file);
    } catch (err) {
      throw new UsageError(`invalid archive: layer ${l.name}: ${(err as Error).message}`);
    }
    checkLayer(l, got);
  }
}

function readFileHead(file: string, n: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(n);
    return head.subarray(0, fs.readSync(fd, head, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function checkLayer(l: LayerPlan, got: LayerDigests): void {
  if (l.blobDigest && got.digest !== l.blobDigest) {
    throw new UsageError(`invalid archive: layer ${l.name} does not match its digest ${l.blobDigest}: refusing to load`);
  }
  if (got.diffId && got.diffId !== l.diffId) {
    throw new UsageError(`invalid archive: layer ${l.name} has diff id ${got.diffId}, the image config says ${l.diffId}: refusing to load`);
  }
}

async function record(store: ImageStore, plan: ImagePlan): Promise<ImageRecord> {
  const layers: LayerRecord[] = [];
  let parent: LayerRecord | undefined;
  for (const l of plan.layers) {
    const chainId = parent ? sha256(`sha256:${parent.chainId} ${l.diffId}`) : l.diffId.slice(7);
    let layer = store.getLayer(chainId);
    if (!layer || !fs.existsSync(store.layerBlob(layer).file)) {
      // Checked again as it is extracted: the file could have changed since.
      layer = await store.addLayer(fs.createReadStream(l.file), parent, (got) => checkLayer(l, got));
    }
    layers.push(layer);
    parent = layer;
  }
  const manifest = ociManifest(plan.configBytes, layers.map((l) => store.layerBlob(l)));
  const [first, ...rest] = plan.names;
  const image = store.addImage(plan.configBytes, plan.config, layers, manifest, first);
  for (const n of rest) store.tag(image.id, n);
  return image;
}

