// Typed access to the registry and OCI-layout fixtures (plain .mjs files
// without type declarations), for every test that talks to a registry.
import fs from 'node:fs';

export interface Registry {
  /** 127.0.0.1:PORT */
  host: string;
  port: number;
  url: string;
  caCert?: string;
  certDir?: string;
  auth?: { user: string; password: string };
  stop(): Promise<void>;
}

export interface SkopeoCopyOptions {
  srcCreds?: string;
  destCreds?: string;
  srcCertDir?: string;
  destCertDir?: string;
}

interface RegistryModule {
  startRegistry(o: { dir: string; tls?: boolean; auth?: { user: string; password: string }; timeoutMs?: number }): Promise<Registry>;
  skopeoCopy(src: string, dst: string, o?: SkopeoCopyOptions): string;
  skopeoManifest(ref: string, o?: { certDir?: string; creds?: string }): string;
}

export interface OciLayout {
  dir: string;
  tag: string;
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
  diffId: string;
}

interface LayoutModule {
  writeOciLayout(
    tar: string,
    dir: string,
    o?: { tag?: string; cmd?: string[]; env?: string[]; entrypoint?: string[]; user?: string; workingDir?: string; created?: string },
  ): OciLayout;
}

// Variables: a literal .mjs specifier would make TypeScript look for declarations.
const registrySpec = '../fixtures/registry.mjs';
const layoutSpec = '../fixtures/oci-layout.mjs';
export const { startRegistry, skopeoCopy, skopeoManifest } = (await import(registrySpec)) as RegistryModule;
export const { writeOciLayout } = (await import(layoutSpec)) as LayoutModule;

/** What the registry tests need on this machine, or why they cannot run. */
export function registryToolsMissing(): string | undefined {
  const missing = ['/usr/bin/docker-registry', '/usr/bin/skopeo'].filter((p) => !fs.existsSync(p));
  return missing.length ? `missing ${missing.join(', ')}` : undefined;
}

// ---- the in-test registry (test/fixtures/fake-registry.mjs)

export type Compression = 'gzip' | 'zstd' | 'none';

export interface FakeLayer {
  data: Buffer;
  digest: string;
  size: number;
  diffId: string;
  mediaType: string;
  compression: Compression;
}

export interface FakeImage {
  manifest: Buffer;
  manifestDigest: string;
  config: Buffer;
  configDigest: string;
  layers: FakeLayer[];
  platform: { os: string; architecture: string; variant?: string };
}

export interface FakeIndex {
  body: Buffer;
  digest: string;
}

/** What the fake registry tells an `intercept` hook about a request. */
export interface FakeRequestInfo {
  kind: 'ping' | 'token' | 'manifest' | 'blob' | 'other';
  path: string;
  /** How many times this method and path were asked for, this one included. */
  count: number;
  name?: string;
  ref?: string;
  digest?: string;
  query?: URLSearchParams;
}

export interface FakeRequest {
  method: string;
  url: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  kind: FakeRequestInfo['kind'];
}

export interface FakeRegistry {
  /** 127.0.0.1:PORT */
  host: string;
  port: number;
  url: string;
  /** Every request that reached a handler, in order. */
  requests: FakeRequest[];
  /** Answers a request itself (returns true), or leaves it to the registry. */
  intercept?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, info: FakeRequestInfo) => boolean;
  /** Whether blob requests with Range get 206 (default true). */
  range: boolean;
  putBlob(data: Buffer): string;
  putManifest(name: string, ref: string, body: Buffer, contentType?: string): void;
  putImage(name: string, tag: string, image: FakeImage): void;
  putIndex(name: string, tag: string, index: FakeIndex, images: FakeImage[]): void;
  stop(): Promise<void>;
}

interface FakeRegistryModule {
  MT_OCI_MANIFEST: string;
  MT_OCI_INDEX: string;
  MT_LAYER: Record<Compression, string>;
  sha256(data: Buffer): string;
  compress(tar: Buffer, compression?: Compression): Buffer;
  buildImage(o: {
    layers: Array<{ tar: Buffer; compression?: Compression }>;
    architecture?: string;
    os?: string;
    variant?: string;
    cmd?: string[];
    created?: string;
    label?: string;
    /** Set in the config's "config" as given, right or wrong. */
    runtimeConfig?: Record<string, unknown>;
  }): FakeImage;
  buildIndex(entries: Array<{ image: FakeImage; platform?: { os: string; architecture: string; variant?: string } }>): FakeIndex;
  sendBlob(
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
    data: Buffer,
    o?: { range?: boolean; cutAt?: number },
  ): void;
  startFakeRegistry(o?: { bearer?: { service: string; token: string } }): Promise<FakeRegistry>;
}

const fakeRegistrySpec = '../fixtures/fake-registry.mjs';
export const fakeRegistry = (await import(fakeRegistrySpec)) as FakeRegistryModule;
