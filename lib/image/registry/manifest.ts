// Manifests as registries serve them: Docker schema 2 and OCI image
// manifests, Docker manifest lists and OCI indexes, and the choice of one
// platform from a list.
import { HuskError, UsageError } from '../../core/errors.js';
import { printable } from '../../core/printable.js';

export const MT_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MT_DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MT_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MT_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MANIFEST_ACCEPT = [MT_OCI_INDEX, MT_DOCKER_LIST, MT_OCI_MANIFEST, MT_DOCKER_MANIFEST].join(', ');

/** Larger manifests are refused (containers/image uses the same 4 MiB limit). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  platform?: Platform;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImageManifest {
  kind: 'image';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ManifestList {
  kind: 'list';
  mediaType: string;
  manifests: Descriptor[];
}

export type Manifest = ImageManifest | ManifestList;

const DIGEST = /^sha256:[a-f0-9]{64}$/;

function checkDescriptor(d: unknown, what: string): Descriptor {
  const bad = (why: string) => new HuskError(`invalid manifest: ${what} ${why}`);
  if (!d || typeof d !== 'object') throw bad('is not an object');
  const o = d as Record<string, unknown>;
  if (typeof o.digest !== 'string') throw bad('has no digest');
  if (!DIGEST.test(o.digest)) {
    if (/^[a-z0-9]+([+._-][a-z0-9]+)*:/.test(o.digest) && !o.digest.startsWith('sha256:')) {
      throw new HuskError(`unsupported digest algorithm in ${o.digest}: only sha256 is supported`);
    }
    throw bad(`has a malformed digest "${o.digest}"`);
  }
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) throw bad(`${o.digest} has no valid size`);
  return o as unknown as Descriptor;
}

/** Parses and checks a manifest; the media type comes from the body, else the Content-Type. */
export function parseManifest(body: Buffer, contentType?: string): Manifest {
  if (body.length > MAX_MANIFEST_BYTES) throw new HuskError(`manifest too large: ${body.length} bytes (at most ${MAX_MANIFEST_BYTES})`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new HuskError(`invalid manifest: malformed JSON (${printable((err as Error).message)})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new HuskError('invalid manifest: not a JSON object');
  const ct = contentType?.split(';')[0]?.trim();
  let mediaType = typeof json.mediaType === 'string' ? json.mediaType : ct ?? '';
  if (json.schemaVersion === 1 || /prettyjws|manifest\.v1\+json$/.test(mediaType) && !mediaType.includes('oci')) {
    throw new HuskError('Docker schema 1 manifests are not supported (the image is too old): push it again with a current client');
  }
  if (json.schemaVersion !== 2) throw new HuskError(`invalid manifest: schemaVersion ${String(json.schemaVersion)} (2 expected)`);
  if (!mediaType || mediaType === 'application/json' || mediaType === 'application/octet-stream') {
    // OCI allows leaving mediaType out: tell the two shapes apart.
    mediaType = Array.isArray(json.manifests) ? MT_OCI_INDEX : MT_OCI_MANIFEST;
  }
  if (mediaType === MT_DOCKER_LIST || mediaType === MT_OCI_INDEX) {
    if (!Array.isArray(json.manifests)) throw new HuskError('invalid manifest: an index without "manifests"');
    const manifests = json.manifests.map((d, i) => checkDescriptor(d, `manifests[${i}]`));
    return { kind: 'list', mediaType, manifests };
  }
  if (mediaType === MT_DOCKER_MANIFEST || mediaType === MT_OCI_MANIFEST) {
    const config = checkDescriptor(json.config, 'config');
    if (!Array.isArray(json.layers)) throw new HuskError('invalid manifest: no "layers"');
    const layers = json.layers.map((d, i) => checkDescriptor(d, `layers[${i}]`));
    return { kind: 'image', mediaType, config, layers };
  }
  throw new HuskError(`unsupported manifest type "${mediaType}"`);
}

/** The platform husk runs containers for: linux and the host architecture (Go's names). */
export function hostPlatform(arch: string = process.arch): Platform {
  switch (arch) {
    case 'x64':
      return { os: 'linux', architecture: 'amd64' };
    case 'arm64':
      return { os: 'linux', architecture: 'arm64', variant: 'v8' };
    case 'arm':
      return { os: 'linux', architecture: 'arm', variant: 'v7' };
    case 'ia32':
      return { os: 'linux', architecture: '386' };
    default:
      return { os: 'linux', architecture: arch };
  }
}

/** --platform os/arch[/variant] */
export function parsePlatform(value: string): Platform {
  const parts = value.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/i.test(p))) {
    throw new UsageError(`invalid platform "${value}": expected os/arch[/variant]`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return { os: os.toLowerCase(), architecture: normalizeArch(architecture.toLowerCase()), variant: variant?.toLowerCase() };
}

function normalizeArch(a: string): string {
  if (a === 'x86_64' || a === 'x86-64') return 'amd64';
  if (a === 'aarch64') return 'arm64';
  return a;
}

/** Whether an image for `got` (os and architecture, Go's or the kernel's names) is what `want` asks for. */
export function platformMatches(got: Platform, want: Platform): boolean {
  return got.os === want.os && normalizeArch(got.architecture) === want.architecture;
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/**
 * The manifest of a list for `want`: os and architecture must match; a
 * variant asked for must match (arm64's "v8" also matches an entry without
 * one); otherwise an entry without a variant is preferred... then the first.
 */
export function selectPlatform(list: ManifestList, want: Platform, explicitVariant = false): Descriptor {
  const candidates = list.manifests.filter(
    (m) => m.platform && m.platform.os === want.os && normalizeArch(m.platform.architecture) === want.architecture,
  );
  const variantOf = (m: Descriptor) => m.platform?.variant ?? (want.architecture === 'arm64' ? 'v8' : undefined);
  let pick: Descriptor | undefined;
  if (want.variant) {
    pick = candidates.find((m) => variantOf(m) === want.variant);
    if (!pick && !explicitVariant) pick = candidates[0];
  } else {
    pick = candidates.find((m) => !m.platform?.variant) ?? candidates[0];
  }
  if (!pick) {
    const available = list.manifests
      .filter((m) => m.platform && m.platform.architecture !== 'unknown')
      .map((m) => formatPlatform(m.platform!));
    throw new NotFoundPlatformError(
      `no image found in manifest list for platform ${formatPlatform(want)} (available: ${available.length ? [...new Set(available)].join(', ') : 'none'})`,
    );
  }
  return pick;
}

export class NotFoundPlatformError extends HuskError {}
