// `husk pull`: an image from a registry into the store. Every blob's size and
// sha256 are checked while it streams; a layer is extracted as it arrives and
// is kept, with the registry's blob unchanged, only when its digest
// (compressed) and diff id (uncompressed) match.
import { PassThrough } from 'node:stream';
import type { Context } from '../core/context.js';
import { HuskError, messageFor, NotFoundError, UsageError } from '../core/errors.js';
import { clientFor, pullSources, type AccessOptions } from './registry/connect.js';
import { readBody, RegistryClient, RegistryError } from './registry/client.js';
import {
  formatPlatform,
  hostPlatform,
  MANIFEST_ACCEPT,
  parseManifest,
  parsePlatform,
  platformMatches,
  selectPlatform,
  type Descriptor,
  type ImageManifest,
  type Platform,
} from './registry/manifest.js';
import { formatReference, hasExplicitRegistry, parseReference, type Reference } from './reference.js';
import { loadRegistriesConf } from './registries-conf.js';
import { imageSchemas, type DocumentKind } from './schema.js';
import { resolveShortName, shortNameCandidates } from './short-names.js';
import { checkBlob, ImageStore, LayersGoneError, sha256 } from './store.js';
import type { ImageConfig, ImageRecord, LayerRecord } from './types.js';

export interface PullOptions extends AccessOptions {
  /** os/arch[/variant]; default linux and the host architecture. */
  platform?: string;
  /** Progress lines go here (nothing when undefined). */
  progress?: (line: string) => void;
  /** Warnings go here (an image for another architecture), even when progress does not. */
  warn?: (line: string) => void;
  /** Bytes of a layer blob received so far, for progress bars. */
  bytes?: (digest: string, received: number, total: number) => void;
  /** Environment for the auth files (tests). */
  env?: NodeJS.ProcessEnv;
}

function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  let parent: string | undefined;
  for (const d of diffIds) {
    const id: string = parent ? sha256(`sha256:${parent} ${d}`) : d.replace(/^sha256:/, '');
    out.push(id);
    parent = id;
  }
  return out;
}

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** Refuses layer media types husk cannot unpack (the helper sniffs the compression itself). */
function checkLayerType(desc: Descriptor): void {
  const mt = desc.mediaType ?? '';
  if (!/tar([+.](gzip|zstd))?$/.test(mt)) throw new HuskError(`layer ${desc.digest}: unsupported media type "${mt}"`);
}

export interface PullResult {
  image: ImageRecord;
  name: string;
}

/**
 * Pulls `refText` (docker.io/library normalization, short names through
 * registries.conf) into the store: from the first of its mirrors that has
 * it, else from the registry's location.
 */
export async function pullImage(ctx: Context, refText: string, opts: PullOptions = {}): Promise<PullResult> {
  const conf = loadRegistriesConf();
  const ref = parseReference(hasExplicitRegistry(refText) ? refText : await resolveShortName(refText, conf, ctx.ui));
  const sources = pullSources(ref, conf);
  const name = formatReference(ref);
  const progress = opts.progress ?? (() => {});
  const store = new ImageStore(ctx);
  store.ensureDirs(); // a store that cannot be written fails here, before any download
  progress(`Trying to pull ${name}...`);
  for (const [i, source] of sources.entries()) {
    const client = clientFor(source.ref.registry, source.ref.repository, opts, source.insecure);
    try {
      return { image: await pullFrom(client, source.ref, name, store, opts), name };
    } catch (err) {
      // A mirror that fails (down, or without the image) hands over to the next source.
      if (!source.mirror || i === sources.length - 1 || err instanceof UsageError) throw err;
      progress(`Mirror ${formatReference(source.ref)}: ${messageFor(err)}; trying the next source`);
    } finally {
      client.close();
    }
  }
  throw new HuskError(`${name}: no source to pull from`);
}

/**
 * The ID (config digest) of the image a registry has under `refText` for
 * this platform, without pulling it: what auto-update compares with the
 * local image. The name must say its registry (no short-name lookup).
 */
export async function remoteImageId(ctx: Context, refText: string, opts: PullOptions = {}): Promise<string> {
  if (!hasExplicitRegistry(refText)) throw new UsageError(`${refText}: checking a registry for updates needs a fully qualified image name (registry/repository:tag)`);
  const ref = parseReference(refText);
  const sources = pullSources(ref, loadRegistriesConf());
  const want: Platform = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
  for (const [i, source] of sources.entries()) {
    const client = clientFor(source.ref.registry, source.ref.repository, opts, source.insecure);
    try {
      const { manifest } = await resolveManifest(client, source.ref, want, !!opts.platform?.split('/')[2]);
      return manifest.config.digest.replace(/^sha256:/, '');
    } catch (err) {
      if (!source.mirror || i === sources.length - 1) throw err;
    } finally {
      client.close();
    }
  }
  throw new HuskError(`${formatReference(ref)}: no source to look at`);
}

/** `pull --all-tags`: every tag of a repository (the name must carry no tag or digest). */
export async function pullAllTags(ctx: Context, refText: string, opts: PullOptions = {}): Promise<PullResult[]> {
  const conf = loadRegistriesConf();
  const ref = parseReference(hasExplicitRegistry(refText) ? refText : await resolveShortName(refText, conf, ctx.ui));
  if (ref.digest || /:[^/]*$/.test(refText)) throw new UsageError(`--all-tags takes a repository without a tag or digest: ${refText}`);
  const source = pullSources(ref, conf).pop()!;
  const client = clientFor(source.ref.registry, source.ref.repository, opts, source.insecure);
  let tags: string[];
  try {
    tags = await client.listTags(source.ref.repository);
  } finally {
    client.close();
  }
  if (tags.length === 0) throw new NotFoundError(`${formatReference(ref).replace(/:[^/:]*$/, '')}: the repository has no tags`);
  const results: PullResult[] = [];
  for (const tag of tags) results.push(await pullImage(ctx, formatReference({ ...ref, tag }), opts));
  return results;
}

async function pullFrom(client: RegistryClient, ref: Reference, name: string, store: ImageStore, opts: PullOptions): Promise<ImageRecord> {
  const progress = opts.progress ?? (() => {});
  const want: Platform = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
  const { manifest, manifestBytes } = await resolveManifest(client, ref, want, !!opts.platform?.split('/')[2]);

  // The config first: it names the diff ids, which give the chain ids to skip.
  const configBytes = await fetchSmallBlob(client, ref.repository, manifest.config);
  let config: ImageConfig;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  } catch {
    throw new HuskError(`image config ${manifest.config.digest}: malformed JSON`);
  }
  await checkSchema('config', config, `image config ${manifest.config.digest}`);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new HuskError(`image config ${manifest.config.digest}: ${diffIds.length} diff ids for ${manifest.layers.length} layers`);
  }
  if (config.os && config.os !== want.os) throw new HuskError(`image ${name} is for ${config.os}, not ${want.os}`);
  // As podman: pulled all the same (emulation may run it), but not without a word.
  const got = { os: config.os, architecture: config.architecture, variant: config.variant };
  if (!platformMatches(got, want)) opts.warn?.(`image platform (${formatPlatform(got)}) does not match the expected platform (${formatPlatform(want)})`);
  const chains = chainIds(diffIds);

  // Layers are extracted into directories of their own, so they can come in
  // at once: the chain ids (hence each layer's parent) are known from the config.
  const pullOne = async (i: number): Promise<LayerRecord> => {
    const desc = manifest.layers[i]!;
    const existing = store.getLayer(chains[i]!);
    if (existing) {
      progress(`Copying blob ${short(desc.digest)} skipped: already exists`);
      return existing;
    }
    const parent = i > 0 ? ({ chainId: chains[i - 1]! } as LayerRecord) : undefined;
    const onBytes = opts.bytes && ((seen: number) => opts.bytes!(desc.digest, seen, desc.size));
    const layer = await fetchLayer(client, ref.repository, desc, store, parent, diffIds[i]!, onBytes);
    progress(`Copying blob ${short(desc.digest)} done`);
    return layer;
  };
  // An rmi at the same moment can remove a layer found present above; recording
  // the image checks under the store lock, and what went is fetched again.
  for (let attempt = 1; ; attempt++) {
    const layers = await inParallel(manifest.layers.length, PARALLEL_LAYERS, pullOne);
    try {
      const image = store.addImage(configBytes, config, layers, manifestBytes, name);
      progress(`Copying config ${short(manifest.config.digest)} done`);
      progress('Writing manifest to image destination');
      return image;
    } catch (err) {
      if (!(err instanceof LayersGoneError) || attempt >= 3) throw err;
    }
  }
}

/** How many layers are downloaded and extracted at once. */
const PARALLEL_LAYERS = 3;

/** fn(0..n-1), at most `limit` at a time; results in order; the first failure rejects. */
async function inParallel<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return results;
}

async function resolveManifest(
  client: RegistryClient,
  ref: Reference,
  want: Platform,
  explicitVariant: boolean,
): Promise<{ manifest: ImageManifest; manifestBytes: Buffer }> {
  const reference = ref.digest ?? ref.tag ?? 'latest';
  let got = await client.getManifest(ref.repository, reference, MANIFEST_ACCEPT);
  let digest = `sha256:${sha256(got.body)}`;
  if (ref.digest && digest !== ref.digest) throw new HuskError(`manifest ${ref.digest}: digest mismatch: the registry sent ${digest}`);
  let m = parseManifest(got.body, got.contentType);
  await checkSchema(m.kind === 'list' ? 'index' : 'manifest', JSON.parse(got.body.toString('utf8')), `manifest ${digest}`);
  if (m.kind === 'list') {
    const pick = selectPlatform(m, want, explicitVariant);
    got = await client.getManifest(ref.repository, pick.digest, MANIFEST_ACCEPT);
    digest = `sha256:${sha256(got.body)}`;
    if (digest !== pick.digest) throw new HuskError(`manifest ${pick.digest}: digest mismatch: the registry sent ${digest}`);
    if (got.body.length !== pick.size) throw new HuskError(`manifest ${pick.digest}: size mismatch: got ${got.body.length} bytes, the index gives ${pick.size}`);
    m = parseManifest(got.body, got.contentType);
    if (m.kind !== 'image') throw new HuskError(`manifest ${pick.digest}: an index inside an index is not supported`);
    await checkSchema('manifest', JSON.parse(got.body.toString('utf8')), `manifest ${digest}`);
  }
  return { manifest: m, manifestBytes: got.body };
}

/** Refuses a document that does not match its schema (lib/image/oci-schemas), before anything is stored. */
async function checkSchema(kind: DocumentKind, doc: unknown, what: string): Promise<void> {
  const problem = (await imageSchemas()).problem(kind, doc);
  if (problem) throw new HuskError(`invalid ${what}: ${problem}`);
}

async function fetchSmallBlob(client: RegistryClient, repository: string, desc: Descriptor): Promise<Buffer> {
  if (desc.size > 16 * 1024 * 1024) throw new HuskError(`config blob ${desc.digest} too large: ${desc.size} bytes`);
  const res = await client.getBlob(repository, desc.digest);
  const body = await readBody(res, desc.size + 1).catch((err: Error) => {
    throw new HuskError(`blob ${desc.digest}: ${/too large/.test(err.message) ? `size mismatch: more than the ${desc.size} bytes the manifest gives` : err.message}`);
  });
  if (body.length !== desc.size) throw new HuskError(`blob ${desc.digest}: size mismatch: got ${body.length} bytes, the manifest gives ${desc.size}`);
  const got = `sha256:${sha256(body)}`;
  if (got !== desc.digest) throw new HuskError(`blob ${desc.digest}: digest mismatch: the content has digest ${got}`);
  return body;
}

/**
 * Streams a layer blob into the store. The helper hashes and extracts it as
 * it arrives; the download resumes where it broke off (Range) when a
 * connection drops, so the helper sees one unbroken stream.
 */
async function fetchLayer(
  client: RegistryClient,
  repository: string,
  desc: Descriptor,
  store: ImageStore,
  parent: LayerRecord | undefined,
  diffId: string,
  onBytes?: (seen: number) => void,
): Promise<LayerRecord> {
  checkLayerType(desc);
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const downloaded = downloadBlob(client, repository, desc, body, onBytes).then(
    () => body.end(),
    (err: unknown) => {
      body.destroy(err as Error);
      throw err;
    },
  );
  const added = store.addLayer(body, parent, (got) => {
    checkBlob(desc, got);
    if (got.diffId && got.diffId !== diffId) throw new HuskError(`layer ${desc.digest}: its content has diff id ${got.diffId}, the image config gives ${diffId}`);
  });
  // A download failure is the cause of whatever the extraction saw.
  const [download, layer] = await Promise.allSettled([downloaded, added]);
  if (download.status === 'rejected') throw download.reason;
  if (layer.status === 'rejected') throw layer.reason;
  return layer.value;
}

const BLOB_ATTEMPTS = 4;

async function downloadBlob(client: RegistryClient, repository: string, desc: Descriptor, sink: PassThrough, onBytes?: (seen: number) => void): Promise<void> {
  let received = 0;
  for (let attempt = 1; ; attempt++) {
    const res = await client.getBlob(repository, desc.digest, received);
    // A registry that ignores Range sends the whole blob again: skip what we have.
    let skip = res.statusCode === 206 ? 0 : received;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        let bytes = chunk;
        if (skip > 0) {
          const n = Math.min(skip, bytes.length);
          skip -= n;
          bytes = bytes.subarray(n);
          if (bytes.length === 0) continue;
        }
        received += bytes.length;
        if (received > desc.size) throw new HuskError(`blob ${desc.digest}: size mismatch: more than the ${desc.size} bytes the manifest gives`);
        onBytes?.(received);
        await writeTo(sink, bytes);
      }
    } catch (err) {
      if (err instanceof HuskError && !(err instanceof RegistryError)) throw err;
      if (attempt >= BLOB_ATTEMPTS || sink.destroyed || isTimeout(err)) {
        throw new HuskError(`blob ${desc.digest}: ${connectionTrouble(err)} (after ${received} of ${desc.size} bytes)`);
      }
      continue; // resume from `received`
    } finally {
      res.destroy();
    }
    if (received === desc.size) return;
    if (attempt >= BLOB_ATTEMPTS) throw new HuskError(`blob ${desc.digest}: size mismatch: got ${received} bytes, the manifest gives ${desc.size}`);
  }
}

/** Node's words for a connection that went away ("aborted", ECONNRESET) as the user's. */
function connectionTrouble(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.message === 'aborted' || e.code === 'ECONNRESET' || e.code === 'ERR_STREAM_PREMATURE_CLOSE') return 'the registry closed the connection';
  return e.message;
}

const isTimeout = (err: unknown) => (err as { code?: string }).code === 'ETIMEDOUT' || /did not respond/.test((err as Error).message ?? '');

/** Writes with backpressure; rejects when the reader went away. */
function writeTo(sink: PassThrough, bytes: Buffer): Promise<void> {
  if (sink.destroyed) return Promise.reject(new HuskError('the layer extraction stopped reading'));
  if (sink.write(bytes)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new HuskError('the layer extraction stopped reading'));
    sink.once('drain', onDrain);
    sink.once('close', onClose);
  });
}

/** --platform validation for the command line (errors early, before any network). */
export function checkPlatform(value: string | undefined): void {
  if (value !== undefined) parsePlatform(value);
}

/**
 * podman's "missing" pull policy for run/create, for an image the caller did
 * not find in the store: pulled when its name says where from (a registry
 * written out, not localhost/, where husk keeps imported images; or a short
 * name registries.conf resolves). Progress goes to the user through ctx.ui.
 */
export async function pullMissing(ctx: Context, image: string, access: AccessOptions = {}): Promise<void> {
  let ref: Reference;
  try {
    ref = parseReference(image);
  } catch {
    return; // the caller's lookup reports the bad name
  }
  if (ref.registry === 'localhost') return;
  // A short name nothing in registries.conf resolves stays a local lookup ("image not known").
  if (!hasExplicitRegistry(image) && shortNameCandidates(image, loadRegistriesConf()).length === 0) return;
  await pullImage(ctx, image, { ...access, progress: (line) => ctx.ui.progress(line), warn: (line) => ctx.ui.progress(`WARNING: ${line}`) });
}
