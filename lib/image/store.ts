// The per-user image store: content-addressed blobs, extracted layers shared
// by chain id, and an index of images. Every write happens under the store
// lock and lands by rename, so a killed husk leaves either nothing or a whole
// object behind.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { lazyCrypto, lazyStreamPromises, lazyZlib } from '../core/lazy.js';
import { randomHex } from '../core/random.js';
import type { Context, UserNamespace } from '../core/context.js';
import { HuskError, NativeError, NotFoundError } from '../core/errors.js';
import { mkdirPrivate, readJson, readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../storage/atomic.js';
import { withLockSync } from '../storage/lock.js';
import { removeTrees, spawnUntar } from '../native/userns-helper.js';
import { helperErrorFrom, type HelperError } from '../native/helper-errors.js';
import { formatReference, hasExplicitRegistry, parseReference, repoAndTag } from './reference.js';
import { MEDIA_TYPE_CONFIG, MEDIA_TYPE_LAYER, MEDIA_TYPE_MANIFEST, type Compression, type ImageConfig, type ImageRecord, type LayerRecord } from './types.js';

interface ImageIndex {
  images: ImageRecord[];
}

export function sha256(data: string | Uint8Array): string {
  return lazyCrypto().createHash('sha256').update(data).digest('hex');
}

const blobOf = (layer: LayerRecord | undefined) => layer && (layer.digest ?? layer.diffId);

/** Layers an image was to be recorded with were removed meanwhile (a concurrent rmi): fetch them again. */
export class LayersGoneError extends HuskError {
  constructor(readonly chainIds: string[]) {
    super(`layers removed while the image was being recorded: ${chainIds.map((c) => c.slice(0, 12)).join(', ')}`);
  }
}

export class ImageStore {
  readonly root: string;
  readonly blobsDir: string;
  readonly layersDir: string;
  private readonly indexFile: string;
  private readonly lockFile: string;

  constructor(private readonly ctx: Context) {
    this.root = ctx.paths.dataRoot;
    this.blobsDir = path.join(this.root, 'blobs', 'sha256');
    this.layersDir = path.join(this.root, 'layers');
    this.indexFile = path.join(this.root, 'images.json');
    this.lockFile = path.join(this.root, 'storage.lock');
  }

  ensureDirs(): void {
    mkdirPrivate(this.blobsDir);
    mkdirPrivate(this.layersDir);
  }

  locked<T>(fn: () => T): T {
    this.ensureDirs();
    return withLockSync(this.lockFile, fn);
  }

  // ---- images

  listImages(): ImageRecord[] {
    return readJsonIfExists<ImageIndex>(this.indexFile)?.images ?? [];
  }

  /**
   * By ID (any unique prefix of 3+ hex digits, "sha256:" allowed), full name
   * or short name. A name with a digest names the image of that name whose
   * manifest has that digest, or none: the tag alone must never stand in
   * for a digest the user gave to pin the content.
   */
  findImage(nameOrId: string): ImageRecord | undefined {
    const images = this.listImages();
    const id = nameOrId.startsWith('sha256:') ? nameOrId.slice(7) : nameOrId;
    if (/^[a-f0-9]{3,64}$/.test(id)) {
      const byId = images.filter((i) => i.id.startsWith(id));
      if (byId.length === 1) return byId[0];
    }
    let ref;
    try {
      ref = parseReference(nameOrId);
    } catch {
      return undefined;
    }
    const explicit = hasExplicitRegistry(nameOrId);
    if (ref.digest) {
      const repo = explicit ? `${ref.registry}/${ref.repository}` : ref.repository.replace(/^library\//, '');
      return images.find((i) => i.digest === ref.digest && i.names.some((n) => inRepository(n, repo, explicit)));
    }
    const full = formatReference(ref);
    const exact = images.find((i) => i.names.includes(full));
    if (exact || explicit) return exact;
    // A short name: podman resolves it against local images by their last path components.
    const wanted = `/${ref.repository.replace(/^library\//, '')}:${ref.tag ?? 'latest'}`;
    return images.find((i) => i.names.some((n) => n.endsWith(wanted)));
  }

  getImage(nameOrId: string): ImageRecord {
    const image = this.findImage(nameOrId);
    if (!image) throw new NotFoundError(`${nameOrId}: image not known`);
    return image;
  }

  imageConfig(image: ImageRecord): ImageConfig {
    return readJson<ImageConfig>(this.blobPath(`sha256:${image.id}`));
  }

  /** The media type of the manifest the image came with (an OCI one when none is kept). */
  manifestMediaType(image: ImageRecord): string {
    try {
      const m = JSON.parse(fs.readFileSync(this.blobPath(image.digest), 'utf8')) as { mediaType?: string };
      if (typeof m.mediaType === 'string') return m.mediaType;
    } catch {
      /* none kept */
    }
    return MEDIA_TYPE_MANIFEST;
  }

  /** Extracted layer directories, bottom first; a missing one is named (a mount would only say EIO). */
  layerDirs(image: ImageRecord): string[] {
    return image.layers.map((c) => {
      const dir = this.layerDiffDir(c);
      if (!fs.existsSync(dir)) {
        throw new HuskError(`image ${image.names[0] ?? image.id.slice(0, 12)}: its layer ${c.slice(0, 12)} is missing from the store: pull or load the image again`);
      }
      return dir;
    });
  }

  layerDiffDir(chainId: string): string {
    return path.join(this.layersDir, chainId, 'diff');
  }

  /**
   * Records an image; a name moves away from any image that had it. The
   * config is kept as these bytes: their digest is the image ID, as the
   * registry and the manifest know it.
   */
  addImage(configBytes: Uint8Array, config: ImageConfig, layers: LayerRecord[], manifestBytes: Uint8Array, name?: string, build?: { buildKey?: string; intermediate: boolean }): ImageRecord {
    return this.locked(() => {
      // An rmi that ran since these layers were found may have removed them.
      const gone = layers.filter((l) => !this.getLayer(l.chainId) || !fs.existsSync(this.blobPath(blobOf(l)!)));
      if (gone.length) throw new LayersGoneError(gone.map((l) => l.chainId));
      const id = this.putBlob(configBytes).slice(7);
      const manifestDigest = this.putBlob(manifestBytes);
      const images = this.listImages();
      if (name) for (const other of images) other.names = other.names.filter((n) => n !== name);
      let record = images.find((i) => i.id === id);
      const isNew = !record;
      if (!record) {
        record = {
          id,
          names: [],
          digest: manifestDigest,
          created: config.created ?? new Date().toISOString(),
          layers: layers.map((l) => l.chainId),
          size: layers.reduce((s, l) => s + l.size, 0),
        };
        images.push(record);
      }
      if (name && !record.names.includes(name)) record.names.push(name);
      if (build?.buildKey) record.buildKey = build.buildKey;
      // A build step's image is cache, hidden, until something makes it an image of its own.
      if (build?.intermediate && isNew) record.intermediate = true;
      else if (!build?.intermediate || name) delete record.intermediate;
      this.writeIndex(images);
      return record;
    });
  }

  /** Makes an image (pulled from a build cache repository) the cache of a build step: hidden, keyed, without `drop`'s names. */
  markBuildCache(imageId: string, key: string, drop: string[]): void {
    this.locked(() => {
      const images = this.listImages();
      const image = images.find((i) => i.id === imageId);
      if (!image) return;
      image.names = image.names.filter((n) => !drop.includes(n));
      image.buildKey = key;
      if (image.names.length === 0) image.intermediate = true;
      this.writeIndex(images);
    });
  }

  /** Gives `name` to the image (taking it from any other), under the lock. */
  tag(imageId: string, name: string): void {
    this.locked(() => {
      const images = this.listImages();
      const image = images.find((i) => i.id === imageId);
      if (!image) throw new NotFoundError(`${imageId}: image not known`);
      for (const other of images) other.names = other.names.filter((n) => n !== name);
      image.names.push(name);
      this.writeIndex(images);
    });
  }

  /** Takes names away; an image left without any stays, listed as <none>. */
  untag(imageId: string, names: string[]): void {
    this.locked(() => {
      const images = this.listImages();
      const image = images.find((i) => i.id === imageId);
      if (!image) throw new NotFoundError(`${imageId}: image not known`);
      image.names = image.names.filter((n) => !names.includes(n));
      this.writeIndex(images);
    });
  }

  /**
   * Removes an image record, then the layers and blobs no remaining image
   * uses. The record goes first: a crash in between leaves unused layers,
   * never an image with missing ones.
   */
  removeImage(imageId: string): void {
    this.locked(() => {
      const images = this.listImages();
      const image = images.find((i) => i.id === imageId);
      if (!image) throw new NotFoundError(`${imageId}: image not known`);
      const rest = images.filter((i) => i !== image);
      this.writeIndex(rest);
      const used = new Set(rest.flatMap((i) => i.layers));
      const usedBlobs = new Set(rest.flatMap((i) => [i.id, i.digest.replace(/^sha256:/, '')]));
      for (const chainId of image.layers) {
        if (used.has(chainId)) continue;
        const layer = this.getLayer(chainId);
        removeTrees(this.ctx.userns(), [path.join(this.layersDir, chainId)]);
        const blob = blobOf(layer);
        if (blob && !this.blobUsedBy(rest, blob)) fs.rmSync(this.blobPath(blob), { force: true });
      }
      for (const blob of [image.id, image.digest.replace(/^sha256:/, '')]) {
        if (!usedBlobs.has(blob)) fs.rmSync(this.blobPath(blob), { force: true });
      }
    });
  }

  /** Whether a layer of these images keeps its bytes in `blob`. */
  private blobUsedBy(images: ImageRecord[], blob: string): boolean {
    return images.some((i) => i.layers.some((c) => blobOf(this.getLayer(c)) === blob));
  }

  /**
   * Half-written layers and blobs of husks that died (SIGKILL mid-pull):
   * named .tmp-<pid>-..., removed once that pid is gone.
   */
  removeStaleTemps(): void {
    const dead = (name: string) => {
      const pid = Number(/^\.?\.?tmp-(\d+)-/.exec(name.replace(/^\./, ''))?.[1]);
      if (!pid || pid === process.pid) return false;
      try {
        // A zombie (its parent not yet reaped it) is as dead as it gets.
        return /\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return true; // no such process
      }
    };
    const stale = (dir: string) => {
      try {
        return fs.readdirSync(dir).filter(dead).map((f) => path.join(dir, f));
      } catch {
        return [];
      }
    };
    const victims = [...stale(this.layersDir), ...stale(this.blobsDir)];
    if (victims.length) removeTrees(this.ctx.userns(), victims);
  }

  private writeIndex(images: ImageRecord[]): void {
    writeJsonAtomic(this.indexFile, { images } satisfies ImageIndex);
  }

  // ---- blobs

  blobPath(digest: string): string {
    return path.join(this.blobsDir, digest.replace(/^sha256:/, ''));
  }

  putBlob(data: Uint8Array): string {
    this.ensureDirs();
    const digest = `sha256:${sha256(data)}`;
    const file = this.blobPath(digest);
    if (!fs.existsSync(file)) writeFileAtomic(file, data, 0o644);
    return digest;
  }

  // ---- layers

  getLayer(chainId: string): LayerRecord | undefined {
    return readJsonIfExists<LayerRecord>(path.join(this.layersDir, chainId, 'layer.json'));
  }

  /**
   * What push and save write for an image: its layers' blobs, and the
   * manifest it came with when that names exactly its config and these blobs
   * (so a pulled image keeps its digest), else a new OCI manifest for them.
   */
  manifestOf(image: ImageRecord): StoredManifest {
    const configFile = this.blobPath(`sha256:${image.id}`);
    let configBytes: Buffer;
    try {
      configBytes = fs.readFileSync(configFile);
    } catch {
      throw new HuskError(`image ${image.id.slice(0, 12)}: its config blob is missing from the store`);
    }
    const layers = image.layers.map((chainId) => {
      const layer = this.getLayer(chainId);
      if (!layer) throw new HuskError(`image ${image.id.slice(0, 12)}: layer ${chainId} is missing from the store`);
      return { ...this.layerBlob(layer), diffId: layer.diffId };
    });
    const base = { configBytes, configFile, layers };
    try {
      const bytes = fs.readFileSync(this.blobPath(image.digest));
      const m = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; config?: { digest?: string }; layers?: Array<{ digest?: string; size?: number }> };
      const same =
        m.config?.digest === `sha256:${image.id}` &&
        m.layers?.length === layers.length &&
        m.layers.every((d, i) => d.digest === layers[i]!.digest && d.size === layers[i]!.size);
      if (same && m.mediaType) return { ...base, bytes, mediaType: m.mediaType };
    } catch {
      /* none kept, or not readable: a new one below */
    }
    return { ...base, bytes: ociManifest(configBytes, layers), mediaType: MEDIA_TYPE_MANIFEST };
  }

  /** The blob a layer keeps for push and save: its digest, file, size and media type. */
  layerBlob(layer: LayerRecord): LayerBlob {
    const digest = layer.digest ?? layer.diffId;
    const file = this.blobPath(digest);
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      throw new HuskError(`the blob ${digest} of layer ${layer.diffId} is missing from the store`);
    }
    const compression = layer.compression ?? 'none';
    return { digest, file, size, compression, mediaType: MEDIA_TYPE_LAYER[compression], tarSize: layer.tarSize ?? (compression === 'none' ? size : undefined) };
  }

  /**
   * A layer's blob for a registry: one kept as a plain tar (made by import,
   * load or commit) is compressed with gzip, as docker and podman push
   * layers, and kept so: the next push sends the same blob, which the
   * registry then has. The tar goes unless another image's layer keeps its
   * bytes there.
   */
  async gzipLayerBlob(chainId: string): Promise<LayerBlob> {
    const layer = this.getLayer(chainId);
    if (!layer) throw new HuskError(`layer ${chainId} is missing from the store`);
    const plain = this.layerBlob(layer);
    if (plain.compression !== 'none') return plain;
    const tmp = path.join(this.blobsDir, `.tmp-${process.pid}-${randomHex(8)}.gz`);
    const hash = lazyCrypto().createHash('sha256');
    try {
      const done = await lazyStreamPromises().pipeline(
        fs.createReadStream(plain.file),
        lazyZlib().createGzip(),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            yield chunk;
          }
        },
        fs.createWriteStream(tmp, { mode: 0o644, flags: 'wx' }),
      ).catch((err: NodeJS.ErrnoException) => {
        // A push of another image with this layer compressed it first, and the tar went.
        const now = this.getLayer(chainId);
        if (err.code === 'ENOENT' && now && (now.compression ?? 'none') !== 'none') return now;
        throw err;
      });
      if (done) return this.layerBlob(done);
      const digest = `sha256:${hash.digest('hex')}`;
      return this.locked(() => {
        const now = this.getLayer(chainId);
        if (!now) throw new HuskError(`layer ${chainId} was removed meanwhile`);
        if ((now.compression ?? 'none') !== 'none') return this.layerBlob(now); // another push was first
        fs.renameSync(tmp, this.blobPath(digest));
        const gzipped: LayerRecord = { ...now, digest, compression: 'gzip', tarSize: plain.size };
        writeJsonAtomic(path.join(this.layersDir, chainId, 'layer.json'), gzipped);
        const others = this.listImages().filter((i) => !i.layers.includes(chainId));
        if (!this.blobUsedBy(others, plain.digest)) fs.rmSync(plain.file, { force: true });
        return this.layerBlob(gzipped);
      });
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  /**
   * Extracts a layer (a tar, gzip or zstd; the helper sniffs which) on top of
   * `parent`, keeping its bytes unchanged as a blob. Both digests are
   * computed by the helper while it extracts; `check` sees them (diffId
   * only when the extraction succeeded) and throws to refuse the layer
   * before anything is recorded: a blob that is not what the manifest
   * promised is reported as such, whatever the extraction made of it.
   */
  async addLayer(input: Readable, parent?: LayerRecord, check?: (got: LayerDigests) => void): Promise<LayerRecord> {
    this.ensureDirs();
    this.removeStaleTemps();
    // The pid in the name tells whose it is: a husk killed mid-extraction leaves it behind.
    const tmp = path.join(this.layersDir, `.tmp-${process.pid}-${randomHex(8)}`);
    const tmpDiff = path.join(tmp, 'diff');
    const tmpBlob = path.join(this.blobsDir, `.${path.basename(tmp)}.blob`);
    mkdirPrivate(tmpDiff);
    const userns = this.ctx.userns();
    const blobFd = fs.openSync(tmpBlob, 'wx', 0o644);
    try {
      const out = await runUntar(userns, tmpDiff, input, blobFd);
      check?.(out);
      if (!out.diffId) throw out.error ?? new HuskError('invalid layer: extraction failed');
      const diffId = out.diffId;
      const chainId = parent ? sha256(`${parent.chainId.startsWith('sha256:') ? parent.chainId : `sha256:${parent.chainId}`} ${diffId}`) : diffId.slice(7);
      const layer: LayerRecord = {
        chainId,
        diffId,
        parent: parent?.chainId,
        size: out.bytes ?? 0,
        created: new Date().toISOString(),
        digest: out.digest,
        compression: out.compression,
        tarSize: out.tarSize,
      };
      return this.locked(() => {
        const existing = this.getLayer(chainId);
        if (existing) {
          // Another pull won: its layer (and blob) stay; ours goes.
          if (!fs.existsSync(this.blobPath(existing.digest ?? existing.diffId))) fs.renameSync(tmpBlob, this.blobPath(existing.digest ?? existing.diffId));
          removeTrees(userns, [tmp]);
          return existing;
        }
        fs.renameSync(tmpBlob, this.blobPath(out.digest));
        writeJsonAtomic(path.join(tmp, 'layer.json'), layer);
        fs.renameSync(tmp, path.join(this.layersDir, chainId));
        return layer;
      });
    } catch (err) {
      removeTrees(userns, [tmp]);
      throw err;
    } finally {
      fs.closeSync(blobFd);
      fs.rmSync(tmpBlob, { force: true });
    }
  }
}

/** Whether a stored name is in `repo`: the whole registry/repository, or (short) its last path components. */
function inRepository(name: string, repo: string, whole: boolean): boolean {
  const [nameRepo] = repoAndTag(name);
  return whole ? nameRepo === repo : nameRepo.endsWith(`/${repo}`);
}

/** An OCI image manifest naming a config (as these bytes) and layer blobs. */
export function ociManifest(configBytes: Uint8Array, layers: Array<{ digest: string; size: number; mediaType: string }>, annotations?: Record<string, string>): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_MANIFEST,
      config: { mediaType: MEDIA_TYPE_CONFIG, digest: `sha256:${sha256(configBytes)}`, size: configBytes.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
      ...(annotations ? { annotations } : {}),
    }),
  );
}

const DOCKER_LAYER: Partial<Record<Compression, string>> = {
  none: 'application/vnd.docker.image.rootfs.diff.tar',
  gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};

/** A docker v2s2 manifest naming a config and layer blobs (zstd has no docker type: an OCI manifest then). */
export function dockerManifest(configBytes: Uint8Array, layers: Array<{ digest: string; size: number; mediaType: string; compression: Compression }>): Buffer {
  if (!layers.every((l) => DOCKER_LAYER[l.compression])) return ociManifest(configBytes, layers);
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: `sha256:${sha256(configBytes)}`, size: configBytes.length },
      layers: layers.map((l) => ({ mediaType: DOCKER_LAYER[l.compression], digest: l.digest, size: l.size })),
    }),
  );
}

export interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
  configBytes: Buffer;
  configFile: string;
  layers: Array<LayerBlob & { diffId: string }>;
}

export interface LayerBlob {
  digest: string;
  file: string;
  size: number;
  compression: Compression;
  mediaType: string;
  /** Bytes of the uncompressed tar, when known. */
  tarSize?: number;
}

export interface LayerDigests {
  /** Of the bytes as given, and their number. */
  digest: string;
  size: number;
  /** Of the uncompressed tar; only when the extraction succeeded. */
  diffId?: string;
}

/** What `husk-userns untar` reports: the digests always, the rest when the extraction succeeded. */
interface UntarOutput extends LayerDigests {
  compression?: Compression;
  tarSize?: number;
  bytes?: number;
  /** Why the extraction failed. */
  error?: HelperError;
}

/** Feeds `input` to `husk-userns untar`, which writes the raw bytes to `blobFd`. */
async function runUntar(userns: UserNamespace | undefined, dest: string, input: Readable, blobFd: number): Promise<UntarOutput> {
  const untar = spawnUntar(userns, dest, blobFd);
  let stdout = '';
  let stderr = '';
  untar.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  untar.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number>((resolve, reject) => {
    untar.on('error', reject);
    untar.on('close', (code) => resolve(code ?? 1));
  });
  const fed = lazyStreamPromises().pipeline(input, untar.stdin!).catch((err: NodeJS.ErrnoException) => err);
  const [code, feedErr] = await Promise.all([exited, fed]);
  // The input's own failure (a broken download, an oversized blob) is the cause of anything else.
  // (A helper of ours that produced it, as commit's layer-tar, has said why already.)
  const explained = feedErr instanceof HuskError || feedErr instanceof NativeError;
  if (feedErr && (explained || feedErr.code !== 'EPIPE')) throw explained ? feedErr : new HuskError(`reading layer: ${feedErr.message}`);
  const failure = () => helperErrorFrom(code, stderr, 'invalid layer', { fallback: `extraction failed (exit ${code})` });
  let out: UntarOutput;
  try {
    out = JSON.parse(stdout.trim().split('\n').pop() ?? '') as UntarOutput;
  } catch {
    throw failure();
  }
  if (code !== 0) out.error = failure();
  return out;
}

/** A registry blob that is not what its descriptor promised. */
export function checkBlob(expect: { digest: string; size: number }, got: LayerDigests): void {
  if (got.size !== expect.size) throw new HuskError(`blob ${expect.digest}: size mismatch: got ${got.size} bytes, the manifest gives ${expect.size}`);
  if (got.digest !== expect.digest) throw new HuskError(`blob ${expect.digest}: digest mismatch: the content has digest ${got.digest}`);
}
