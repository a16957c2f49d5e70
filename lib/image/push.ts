// `husk push`: an image from the store to a registry. Layers go up as stored,
// uncompressed (digest = diff id, application/vnd.oci.image.layer.v1.tar), then
// the config, then an OCI image manifest naming what was pushed. Blobs the
// registry already has are skipped; a blob another repository of the same
// registry holds (the image was pulled from or pushed there) is mounted.
import fs from 'node:fs';
import type { Context } from '../engine/context.js';
import { HuskError, UsageError } from '../engine/errors.js';
import { credentialsFromFiles, parseCredsFlag, type Credentials } from './registry/auth.js';
import { RegistryClient } from './registry/client.js';
import { formatReference, hasExplicitRegistry, parseReference, type Reference } from './reference.js';
import { ImageStore, sha256 } from './store.js';
import { MEDIA_TYPE_CONFIG, MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_MANIFEST } from './types.js';

export interface PushOptions {
  /** false: plain http and unverified TLS allowed. */
  tlsVerify?: boolean;
  /** user:pass */
  creds?: string;
  /** Progress lines go here (nothing when undefined). */
  progress?: (line: string) => void;
}

export interface PushResult {
  /** sha256:... of the manifest pushed. */
  digest: string;
  destination: string;
}

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

function destinationOf(image: string, destination: string | undefined, names: string[]): Reference {
  const text = destination ?? (hasExplicitRegistry(image) ? image : names[0] ?? image);
  const ref = parseReference(text.replace(/^docker:\/\//, ''));
  if (ref.digest) throw new UsageError(`pushing to a digest is not supported: give a tag (${text})`);
  if (ref.registry === 'localhost') {
    throw new UsageError(`${formatReference(ref)} names no registry: give a destination, e.g. husk push ${image} REGISTRY/${ref.repository}:${ref.tag ?? 'latest'}`);
  }
  return ref;
}

export async function pushImage(ctx: Context, imageName: string, destination: string | undefined, opts: PushOptions = {}): Promise<PushResult> {
  const progress = opts.progress ?? (() => {});
  const store = new ImageStore(ctx);
  const image = store.getImage(imageName);
  const dest = destinationOf(imageName, destination, image.names);
  const name = formatReference(dest);

  let credentials: Credentials | undefined;
  if (opts.creds !== undefined) credentials = parseCredsFlag(opts.creds);
  else credentials = credentialsFromFiles(dest.registry, undefined, dest.repository);

  // Another repository of this image on the same registry: a mount source.
  const mountFrom = image.names
    .map((n) => {
      try {
        return parseReference(n);
      } catch {
        return undefined;
      }
    })
    .find((r) => r && r.registry === dest.registry && r.repository !== dest.repository)?.repository;

  const configDigest = `sha256:${image.id}`;
  const configFile = store.blobPath(configDigest);
  if (!fs.existsSync(configFile)) throw new HuskError(`image ${imageName}: its config blob ${configDigest} is missing from the store`);
  const layers = image.layers.map((chainId) => {
    const layer = store.getLayer(chainId);
    if (!layer) throw new HuskError(`image ${imageName}: layer ${chainId} is missing from the store`);
    const file = store.blobPath(layer.diffId);
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      throw new HuskError(`image ${imageName}: the blob of layer ${layer.diffId} is missing from the store`);
    }
    return { digest: layer.diffId, size, file };
  });

  const client = new RegistryClient(dest.registry, { tlsVerify: opts.tlsVerify ?? true, credentials });
  try {
    progress(`Getting image source signatures`);
    const upload = async (digest: string, size: number, file: string, what: 'blob' | 'config') => {
      if (await client.hasBlob(dest.repository, digest)) {
        progress(`Copying ${what} ${short(digest)} skipped: already exists`);
        return;
      }
      const how = await client.pushBlob(dest.repository, digest, size, { file }, what === 'blob' ? mountFrom : undefined);
      progress(`Copying ${what} ${short(digest)} ${how === 'mounted' ? `done (mounted from ${mountFrom})` : 'done'}`);
    };
    for (const l of layers) await upload(l.digest, l.size, l.file, 'blob');
    const configSize = fs.statSync(configFile).size;
    await upload(configDigest, configSize, configFile, 'config');

    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_MANIFEST,
      config: { mediaType: MEDIA_TYPE_CONFIG, digest: configDigest, size: configSize },
      layers: layers.map((l) => ({ mediaType: MEDIA_TYPE_LAYER_TAR, digest: l.digest, size: l.size })),
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = `sha256:${sha256(bytes)}`;
    progress('Writing manifest to image destination');
    const given = await client.putManifest(dest.repository, dest.tag ?? 'latest', bytes, MEDIA_TYPE_MANIFEST);
    if (given && given !== digest) throw new HuskError(`manifest ${digest}: the registry stored it as ${given}`);
    return { digest, destination: name };
  } finally {
    client.close();
  }
}
