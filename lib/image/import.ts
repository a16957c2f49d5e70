// `husk import`: a root filesystem tarball (plain or gzip) becomes a
// one-layer image, as `docker import` makes it.
import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import type { Context } from '../engine/context.js';
import { NotFoundError, UsageError } from '../engine/errors.js';
import { lazyZlib } from '../util/lazy.js';
import { applyChange } from './change.js';
import { formatReference, parseReference } from './reference.js';
import { ImageStore, sha256 } from './store.js';
import { MEDIA_TYPE_CONFIG, MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_MANIFEST, type ImageConfig, type ImageRecord } from './types.js';

export interface ImportOptions {
  /** A path, or "-" for standard input. */
  source: string;
  name?: string;
  changes: string[];
  message?: string;
  stdin?: Readable;
}

export async function importImage(ctx: Context, opts: ImportOptions): Promise<ImageRecord> {
  const name = opts.name ? formatReference(parseReference(opts.name, 'localhost')) : undefined;
  const runtimeConfig = {};
  for (const c of opts.changes) applyChange(runtimeConfig, c);
  const input = openSource(opts);
  const store = new ImageStore(ctx);
  const layer = await store.addLayer(await decompressed(input));
  const now = new Date().toISOString();
  const config: ImageConfig = {
    created: now,
    architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    os: 'linux',
    config: runtimeConfig,
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created: now, created_by: `husk import ${opts.source}`, comment: opts.message }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_MANIFEST,
    config: { mediaType: MEDIA_TYPE_CONFIG, digest: `sha256:${sha256(configBytes)}`, size: configBytes.length },
    layers: [{ mediaType: MEDIA_TYPE_LAYER_TAR, digest: layer.diffId, size: fs.statSync(store.blobPath(layer.diffId)).size }],
  };
  const manifestDigest = store.putBlob(Buffer.from(JSON.stringify(manifest)));
  return store.addImage(config, [layer], manifestDigest, name);
}

function openSource(opts: ImportOptions): Readable {
  if (opts.source === '-') return opts.stdin ?? process.stdin;
  if (/^https?:\/\//.test(opts.source)) throw new UsageError(`importing from a URL is not supported yet: ${opts.source}`);
  try {
    fs.accessSync(opts.source, fs.constants.R_OK);
  } catch {
    throw new NotFoundError(`${opts.source}: no such file or not readable`);
  }
  return fs.createReadStream(opts.source);
}

/** Sniffs the first bytes: gzip is inflated here, plain tar passes through. */
async function decompressed(input: Readable): Promise<Readable> {
  const head = await readHead(input, 6);
  const out = new PassThrough();
  if (head.length === 0) throw new UsageError('the tarball is empty');
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = lazyZlib().createGunzip();
    gunzip.on('error', (err) => out.destroy(new UsageError(`invalid gzip data: ${err.message}`)));
    gunzip.write(head);
    input.pipe(gunzip).pipe(out);
    return out;
  }
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) throw new UsageError('zstd-compressed tarballs are not supported yet');
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) throw new UsageError('bzip2-compressed tarballs are not supported: decompress it first');
  if (head[0] === 0xfd && head[1] === 0x37) throw new UsageError('xz-compressed tarballs are not supported: decompress it first');
  out.write(head);
  input.pipe(out);
  return out;
}

function readHead(input: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      len += chunk.length;
      if (len >= n) finish();
    };
    const finish = () => {
      input.off('data', onData);
      input.off('end', finish);
      input.off('error', reject);
      input.pause();
      resolve(Buffer.concat(chunks));
    };
    input.on('data', onData);
    input.once('end', finish);
    input.once('error', reject);
  });
}
