// The per-user image store: content-addressed blobs, extracted layers shared
// by chain id, and an index of images. Every write happens under the store
// lock and lands by rename, so a killed husk leaves either nothing or a whole
// object behind.
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { lazyCrypto } from '../util/lazy.js';
import { randomHex } from '../util/random.js';
import type { Context } from '../engine/context.js';
import { HuskError, NotFoundError } from '../engine/errors.js';
import { mkdirPrivate, readJson, readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../storage/atomic.js';
import { withLockSync } from '../storage/lock.js';
import { removeTrees, spawnUntar } from '../storage/userns-helper.js';
import { formatReference, hasExplicitRegistry, parseReference } from './reference.js';
import type { ImageConfig, ImageRecord, LayerRecord } from './types.js';

interface ImageIndex {
  images: ImageRecord[];
}

export function sha256(data: string | Uint8Array): string {
  return lazyCrypto().createHash('sha256').update(data).digest('hex');
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

  /** By ID (any unique prefix of 3+ hex digits, "sha256:" allowed), full name or short name. */
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
    const full = formatReference(ref);
    const exact = images.find((i) => i.names.includes(full) || (ref.digest && i.digest === ref.digest));
    if (exact || hasExplicitRegistry(nameOrId)) return exact;
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

  /** Extracted layer directories, bottom first. */
  layerDirs(image: ImageRecord): string[] {
    return image.layers.map((c) => this.layerDiffDir(c));
  }

  layerDiffDir(chainId: string): string {
    return path.join(this.layersDir, chainId, 'diff');
  }

  /** Records an image; a name moves away from any image that had it. */
  addImage(config: ImageConfig, layers: LayerRecord[], manifestDigest: string, name?: string): ImageRecord {
    const configBytes = Buffer.from(JSON.stringify(config));
    const id = this.putBlob(configBytes).slice(7);
    return this.locked(() => {
      const images = this.listImages();
      if (name) for (const other of images) other.names = other.names.filter((n) => n !== name);
      let record = images.find((i) => i.id === id);
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
      this.writeIndex(images);
      return record;
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
        if (layer && !rest.some((i) => i.layers.some((c) => this.getLayer(c)?.diffId === layer.diffId))) {
          fs.rmSync(this.blobPath(layer.diffId), { force: true });
        }
      }
      for (const blob of [image.id, image.digest.replace(/^sha256:/, '')]) {
        if (!usedBlobs.has(blob)) fs.rmSync(this.blobPath(blob), { force: true });
      }
    });
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
   * Extracts an uncompressed tar stream as a new layer on top of `parent`,
   * keeping the tar as a blob. The diff id is computed while streaming.
   */
  async addLayer(tar: Readable, parent?: LayerRecord): Promise<LayerRecord> {
    this.ensureDirs();
    this.removeStaleTemps();
    // The pid in the name tells whose it is: a husk killed mid-extraction leaves it behind.
    const tmp = path.join(this.layersDir, `.tmp-${process.pid}-${randomHex(8)}`);
    const tmpDiff = path.join(tmp, 'diff');
    const tmpBlob = path.join(this.blobsDir, `.${path.basename(tmp)}.tar`);
    mkdirPrivate(tmpDiff);
    const userns = this.ctx.userns();
    const hash = lazyCrypto().createHash('sha256');
    const blobFd = fs.openSync(tmpBlob, 'wx', 0o644);
    try {
      const untar = spawnUntar(userns, tmpDiff);
      let stdout = '';
      let stderr = '';
      untar.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      untar.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number>((resolve, reject) => {
        untar.on('error', reject);
        untar.on('close', (code) => resolve(code ?? 1));
      });
      const tee = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          fs.writeSync(blobFd, chunk);
          done(null, chunk);
        },
      });
      const fed = pipeline(tar, tee, untar.stdin!).catch((err: NodeJS.ErrnoException) => err);
      const [code, feedErr] = await Promise.all([exited, fed]);
      if (code !== 0) {
        const why = stderr.trim().split('\n').pop()?.replace(/^husk-userns: /, '') || `extraction failed (exit ${code})`;
        throw new HuskError(`invalid layer: ${why}`);
      }
      if (feedErr && feedErr.code !== 'EPIPE') throw new HuskError(`reading layer: ${feedErr.message}`);
      const stats = JSON.parse(stdout.trim().split('\n').pop() || '{}') as { bytes?: number };
      fs.fsyncSync(blobFd);
      const diffId = `sha256:${hash.digest('hex')}`;
      const chainId = parent ? sha256(`${parent.chainId.startsWith('sha256:') ? parent.chainId : `sha256:${parent.chainId}`} ${diffId}`) : diffId.slice(7);
      const layer: LayerRecord = { chainId, diffId, parent: parent?.chainId, size: stats.bytes ?? 0, created: new Date().toISOString() };
      return this.locked(() => {
        fs.renameSync(tmpBlob, this.blobPath(diffId));
        const existing = this.getLayer(chainId);
        if (existing) {
          removeTrees(userns, [tmp]);
          return existing;
        }
        writeJsonAtomic(path.join(tmp, 'layer.json'), layer);
        fs.renameSync(tmp, path.join(this.layersDir, chainId));
        return layer;
      });
    } catch (err) {
      fs.rmSync(tmpBlob, { force: true });
      removeTrees(userns, [tmp]);
      throw err;
    } finally {
      fs.closeSync(blobFd);
    }
  }
}
