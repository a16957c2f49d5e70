// `husk push`: an image from the store to a registry. Layers go up as stored
// (a pulled layer as the registry's blob it came as, gzip or zstd; an
// imported, loaded or committed one compressed with gzip the first time it is
// pushed, and kept so), then the config, then the manifest: the
// image's own manifest when it names exactly these blobs (so a pulled image
// keeps its digest), else a new OCI manifest. Blobs the registry already has
// are skipped; a blob another repository of the same registry holds (the
// image was pulled from or pushed there) is mounted.
import type { Context } from '../core/context.js';
import { HuskError, UsageError } from '../core/errors.js';
import { clientFor, type AccessOptions } from './registry/connect.js';
import { loadRegistriesConf, registryEntryFor } from './registries-conf.js';
import { formatReference, hasExplicitRegistry, parseReference, type Reference } from './reference.js';
import { ImageStore, sha256 } from './store.js';

export interface PushOptions extends AccessOptions {
  /** Progress lines go here (nothing when undefined). */
  progress?: (line: string) => void;
  /** Bytes of a blob sent so far, for progress bars. */
  bytes?: (digest: string, sent: number, total: number) => void;
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

  for (const chainId of image.layers) await store.gzipLayerBlob(chainId);
  const manifest = store.manifestOf(image);
  const { layers, configFile } = manifest;
  const configDigest = `sha256:${image.id}`;
  const configSize = manifest.configBytes.length;
  const digest = `sha256:${sha256(manifest.bytes)}`;
  if (dest.digest && dest.digest !== digest) {
    throw new UsageError(`${name}: the image's manifest has digest ${digest}, not ${dest.digest}`);
  }

  const entry = registryEntryFor(loadRegistriesConf(), `${dest.registry}/${dest.repository}`);
  if (entry?.blocked) throw new UsageError(`${dest.registry}/${dest.repository} is blocked by registries.conf`);
  const client = clientFor(dest.registry, dest.repository, opts, entry?.insecure);
  try {
    progress(`Getting image source signatures`);
    const upload = async (digest: string, size: number, file: string, what: 'blob' | 'config') => {
      if (await client.hasBlob(dest.repository, digest)) {
        progress(`Copying ${what} ${short(digest)} skipped: already exists`);
        return;
      }
      const onBytes = what === 'blob' && opts.bytes ? (sent: number) => opts.bytes!(digest, sent, size) : undefined;
      const how = await client.pushBlob(dest.repository, digest, size, file, what === 'blob' ? mountFrom : undefined, onBytes);
      progress(`Copying ${what} ${short(digest)} ${how === 'mounted' ? `done (mounted from ${mountFrom})` : 'done'}`);
    };
    for (const l of layers) await upload(l.digest, l.size, l.file, 'blob');
    await upload(configDigest, configSize, configFile, 'config');
    progress('Writing manifest to image destination');
    // By digest: the manifest goes up untagged, under its digest.
    const given = await client.putManifest(dest.repository, dest.digest ?? dest.tag ?? 'latest', manifest.bytes, manifest.mediaType);
    if (given && given !== digest) throw new HuskError(`manifest ${digest}: the registry stored it as ${given}`);
    return { digest, destination: name };
  } finally {
    client.close();
  }
}

