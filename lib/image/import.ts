// `husk import`: a root filesystem tarball (plain, gzip or zstd) becomes a
// one-layer image, as `docker import` makes it.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { Context } from '../core/context.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { layerInput } from './compression.js';
import { applyChange } from './change.js';
import { formatReference, parseReference } from './reference.js';
import { ImageStore, ociManifest } from './store.js';
import type { ImageConfig, ImageRecord } from './types.js';

export interface ImportOptions {
  /** A path, or "-" for standard input. */
  source: string;
  name?: string;
  changes: string[];
  message?: string;
  /** The platform the image says it is for (the host's by default). */
  arch?: string;
  os?: string;
  variant?: string;
  /** Where `-` reads from (the CLI's stdin, opened only then). */
  stdin: () => Readable;
}

export async function importImage(ctx: Context, opts: ImportOptions): Promise<ImageRecord> {
  const name = opts.name ? formatReference(parseReference(opts.name, 'localhost')) : undefined;
  const runtimeConfig = {};
  for (const c of opts.changes) applyChange(runtimeConfig, c);
  const input = openSource(opts);
  const store = new ImageStore(ctx);
  const layer = await store.addLayer(await layerInput(input, 'the tarball'));
  const now = new Date().toISOString();
  const config: ImageConfig = {
    created: now,
    architecture: opts.arch ?? (process.arch === 'x64' ? 'amd64' : process.arch),
    ...(opts.variant ? { variant: opts.variant } : {}),
    os: opts.os ?? 'linux',
    config: runtimeConfig,
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created: now, created_by: `husk import ${opts.source}`, comment: opts.message }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  return store.addImage(configBytes, config, [layer], ociManifest(configBytes, [store.layerBlob(layer)]), name);
}

function openSource(opts: ImportOptions): Readable {
  if (opts.source === '-') return opts.stdin();
  if (/^https?:\/\//.test(opts.source)) throw new UsageError(`importing from a URL is not supported yet: ${opts.source}`);
  try {
    fs.accessSync(opts.source, fs.constants.R_OK);
  } catch {
    throw new NotFoundError(`${opts.source}: no such file or not readable`);
  }
  return fs.createReadStream(opts.source);
}

