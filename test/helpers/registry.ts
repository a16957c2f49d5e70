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
