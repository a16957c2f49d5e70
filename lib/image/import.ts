// `husk import`: a root filesystem tarball (plain or gzip) becomes a
// one-layer image, as `docker import` makes it.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { Context } from '../engine/context.js';
import { NotFoundError, UsageError } from '../engine/errors.js';
import { gunzipped } from './compression.js';
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
  const layer = await store.addLayer(await gunzipped(input, 'the tarball'));
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

