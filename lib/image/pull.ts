// `husk pull`: an image from a registry into the store. Every blob's size and
// sha256 are checked while it streams; a layer is extracted as it arrives and
// is kept only when its digest (compressed) and diff id (uncompressed) match.
import { Transform, type Readable } from 'node:stream';
import type { Context } from '../engine/context.js';
import { HuskError, UsageError } from '../engine/errors.js';
import { lazyCrypto, lazyZlib } from '../util/lazy.js';
import { credentialsFromFiles, parseCredsFlag, type Credentials } from './registry/auth.js';
import { readBody, RegistryClient } from './registry/client.js';
import {
  hostPlatform,
  MANIFEST_ACCEPT,
  parseManifest,
  parsePlatform,
  selectPlatform,
  type Descriptor,
  type ImageManifest,
  type Platform,
} from './registry/manifest.js';
import { formatReference, hasExplicitRegistry, parseReference, type Reference } from './reference.js';
import { loadRegistriesConf, registryEntryFor } from './registries-conf.js';
import { resolveShortName, shortNameCandidates } from './short-names.js';
import { ImageStore, sha256 } from './store.js';
import type { ImageConfig, ImageRecord, LayerRecord } from './types.js';

export interface PullOptions {
  /** os/arch[/variant]; default linux and the host architecture. */
  platform?: string;
  /** false: plain http and unverified TLS allowed. */
  tlsVerify?: boolean;
  /** user:pass */
  creds?: string;
  /** Progress lines go here (nothing when undefined). */
  progress?: (line: string) => void;
  /** Bytes of a layer blob received so far, for progress bars. */
  bytes?: (digest: string, received: number, total: number) => void;
  /** Environment for the auth files (tests). */
  env?: NodeJS.ProcessEnv;
}

/** A verifying pass-through: errors (naming the digest) on a size or sha256 mismatch. */
export function verifier(desc: { digest: string; size: number }, onBytes?: (seen: number) => void): Transform & { failure?: Error } {
  const hash = lazyCrypto().createHash('sha256');
  let seen = 0;
  const t: Transform & { failure?: Error } = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > desc.size) {
        t.failure = new HuskError(`blob ${desc.digest}: size mismatch: more than the ${desc.size} bytes the manifest gives`);
        done(t.failure);
        return;
      }
      hash.update(chunk);
      onBytes?.(seen);
      done(null, chunk);
    },
    flush(done) {
      if (seen !== desc.size) {
        t.failure = new HuskError(`blob ${desc.digest}: size mismatch: got ${seen} bytes, the manifest gives ${desc.size}`);
        done(t.failure);
        return;
      }
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== desc.digest) {
        t.failure = new HuskError(`blob ${desc.digest}: digest mismatch: the content has digest ${got}`);
        done(t.failure);
        return;
      }
      done();
    },
  });
  return t;
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

/** A layer's media type: gzip, plain tar, or refused. */
function compressionOf(desc: Descriptor): 'gzip' | 'none' | 'zstd' {
  const mt = desc.mediaType ?? '';
  if (/zstd/.test(mt)) return 'zstd';
  if (/gzip/.test(mt) || mt === 'application/vnd.docker.image.rootfs.diff.tar.gzip') return 'gzip';
  if (/\.tar$|tar$/.test(mt)) return 'none';
  if (/foreign|nondistributable/.test(mt) && /gzip/.test(mt)) return 'gzip';
  throw new HuskError(`layer ${desc.digest}: unsupported media type "${mt}"`);
}

/** Sniffs gzip magic so a mislabelled layer still works. */
function decompress(input: Readable, declared: 'gzip' | 'none', digest: string): Readable {
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, chunk);
    },
  });
  let decided = false;
  input.on('error', (err) => out.destroy(err));
  input.once('data', (first: Buffer) => {
    decided = true;
    input.pause();
    const gz = first[0] === 0x1f && first[1] === 0x8b;
    if (first[0] === 0x28 && first[1] === 0xb5 && first[2] === 0x2f && first[3] === 0xfd) {
      out.destroy(new HuskError(`layer ${digest}: zstd-compressed layers are not supported yet`));
      input.destroy();
      return;
    }
    if (gz || declared === 'gzip') {
      const gunzip = lazyZlib().createGunzip();
      gunzip.on('error', (err) => out.destroy(new HuskError(`layer ${digest}: invalid gzip data: ${err.message}`)));
      gunzip.pipe(out);
      gunzip.write(first);
      input.pipe(gunzip);
    } else {
      out.write(first);
      input.pipe(out);
    }
    input.resume();
  });
  input.once('end', () => {
    if (!decided) out.end();
  });
  return out;
}

export interface PullResult {
  image: ImageRecord;
  name: string;
}

/** Pulls `ref` (docker.io/library normalization) into the store. */
export async function pullImage(ctx: Context, refText: string, opts: PullOptions = {}): Promise<PullResult> {
  const conf = loadRegistriesConf();
  const ref = parseReference(hasExplicitRegistry(refText) ? refText : await resolveShortName(refText, conf));
  const entry = registryEntryFor(conf, `${ref.registry}/${ref.repository}`);
  if (entry?.blocked) throw new UsageError(`${ref.registry}/${ref.repository} is blocked by registries.conf`);
  const name = formatReference(ref);
  const progress = opts.progress ?? (() => {});
  const want: Platform = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
  let credentials: Credentials | undefined;
  if (opts.creds !== undefined) credentials = parseCredsFlag(opts.creds);
  else credentials = credentialsFromFiles(ref.registry, undefined, ref.repository);

  // `insecure = true` in registries.conf: as --tls-verify=false, unless that was given explicitly.
  const client = new RegistryClient(ref.registry, { tlsVerify: opts.tlsVerify ?? !entry?.insecure, credentials });
  try {
    progress(`Trying to pull ${name}...`);
    const { manifest, manifestBytes, manifestDigest } = await resolveManifest(client, ref, want, !!opts.platform?.split('/')[2]);
    const store = new ImageStore(ctx);

    // The config first: it names the diff ids, which give the chain ids to skip.
    const configBytes = await fetchSmallBlob(client, ref.repository, manifest.config);
    let config: ImageConfig;
    try {
      config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    } catch {
      throw new HuskError(`image config ${manifest.config.digest}: malformed JSON`);
    }
    const diffIds = config?.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) {
      throw new HuskError(`image config ${manifest.config.digest}: ${Array.isArray(diffIds) ? diffIds.length : 'no'} diff ids for ${manifest.layers.length} layers`);
    }
    if (config.os && config.os !== want.os) throw new HuskError(`image ${name} is for ${config.os}, not ${want.os}`);
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
      const layer = await fetchLayer(client, ref.repository, desc, store, parent, onBytes);
      if (layer.diffId !== diffIds[i]) {
        throw new HuskError(`layer ${desc.digest}: its content has diff id ${layer.diffId}, the image config gives ${diffIds[i]}`);
      }
      progress(`Copying blob ${short(desc.digest)} done`);
      return layer;
    };
    const layers = await inParallel(manifest.layers.length, PARALLEL_LAYERS, pullOne);
    progress(`Copying config ${short(manifest.config.digest)} done`);
    store.putBlob(configBytes);
    progress('Writing manifest to image destination');
    store.putBlob(manifestBytes);
    // The image is named by the tag; a pull by digest is recorded by its digest.
    const image = store.addImage(config, layers, manifestDigest, name);
    return { image, name };
  } finally {
    client.close();
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
): Promise<{ manifest: ImageManifest; manifestBytes: Buffer; manifestDigest: string }> {
  const reference = ref.digest ?? ref.tag ?? 'latest';
  let got = await client.getManifest(ref.repository, reference, MANIFEST_ACCEPT);
  let digest = `sha256:${sha256(got.body)}`;
  if (ref.digest && digest !== ref.digest) throw new HuskError(`manifest ${ref.digest}: digest mismatch: the registry sent ${digest}`);
  let m = parseManifest(got.body, got.contentType);
  if (m.kind === 'list') {
    const pick = selectPlatform(m, want, explicitVariant);
    got = await client.getManifest(ref.repository, pick.digest, MANIFEST_ACCEPT);
    digest = `sha256:${sha256(got.body)}`;
    if (digest !== pick.digest) throw new HuskError(`manifest ${pick.digest}: digest mismatch: the registry sent ${digest}`);
    if (got.body.length !== pick.size) throw new HuskError(`manifest ${pick.digest}: size mismatch: got ${got.body.length} bytes, the index gives ${pick.size}`);
    m = parseManifest(got.body, got.contentType);
    if (m.kind !== 'image') throw new HuskError(`manifest ${pick.digest}: an index inside an index is not supported`);
  }
  return { manifest: m, manifestBytes: got.body, manifestDigest: digest };
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

async function fetchLayer(
  client: RegistryClient,
  repository: string,
  desc: Descriptor,
  store: ImageStore,
  parent?: LayerRecord,
  onBytes?: (seen: number) => void,
): Promise<LayerRecord> {
  const compression = compressionOf(desc);
  if (compression === 'zstd') throw new HuskError(`layer ${desc.digest}: zstd-compressed layers are not supported yet`);
  const res = await client.getBlob(repository, desc.digest);
  const check = verifier(desc, onBytes);
  res.on('error', (err) => check.destroy(err));
  res.pipe(check);
  const tar = decompress(check, compression, desc.digest);
  try {
    return await store.addLayer(tar, parent);
  } catch (err) {
    // The digest check is what the user needs to hear about, not the untar's view of a cut stream.
    if (!check.failure && !check.destroyed && !res.destroyed) {
      // Extraction failed first (e.g. corrupt gzip): read the rest through the check, bounded by the
      // declared size and the idle timeout, so that a corrupted blob is reported as such.
      await new Promise<void>((resolve) => {
        check.once('end', resolve);
        check.once('error', () => resolve());
        check.once('close', resolve);
        check.unpipe();
        check.resume();
      });
    }
    if (check.failure) throw check.failure;
    if (err instanceof HuskError) throw err;
    throw new HuskError(`layer ${desc.digest}: ${(err as Error).message}`);
  } finally {
    res.destroy();
  }
}

/** --platform validation for the command line (errors early, before any network). */
export function checkPlatform(value: string | undefined): void {
  if (value !== undefined) parsePlatform(value);
}

/**
 * podman's "missing" pull policy for run/create, for an image the caller did
 * not find in the store: pulled when its name says where from (a registry
 * written out, not localhost/, where husk keeps imported images; or a short
 * name registries.conf resolves). Progress goes to stderr.
 */
export async function pullMissing(ctx: Context, image: string): Promise<void> {
  let ref: Reference;
  try {
    ref = parseReference(image);
  } catch {
    return; // the caller's lookup reports the bad name
  }
  if (ref.registry === 'localhost') return;
  // A short name nothing in registries.conf resolves stays a local lookup ("image not known").
  if (!hasExplicitRegistry(image) && shortNameCandidates(image, loadRegistriesConf()).length === 0) return;
  await pullImage(ctx, image, { progress: (line) => process.stderr.write(`${line}\n`) });
}
