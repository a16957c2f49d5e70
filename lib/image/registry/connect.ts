// Where an image is fetched from and how: registries.conf may send a name
// to another location (prefix → location) and to mirrors tried first; each
// source gets its own TLS settings (insecure, certs.d) and credentials.
import { UsageError } from '../../core/errors.js';
import { formatReference, parseReference, type Reference } from '../reference.js';
import { loadRegistriesConf, registryEntryFor, type RegistriesConf } from '../registries-conf.js';
import { credentialsFromFiles, parseCredsFlag } from './auth.js';
import { tlsMaterialFor } from './certs.js';
import { RegistryClient } from './client.js';

export interface AccessOptions {
  /** Given: as the user said. Undefined: verify, unless registries.conf says insecure. */
  tlsVerify?: boolean;
  /** --cert-dir: the only certs.d-style directory to read. */
  certDir?: string;
  /** --creds USER:PASS */
  creds?: string;
  /** --authfile: the only credentials file to read. */
  authfile?: string;
}

export interface Source {
  ref: Reference;
  insecure: boolean;
  mirror: boolean;
}

export function clientFor(registry: string, repository: string, opts: AccessOptions, insecure = false): RegistryClient {
  const credentials = opts.creds !== undefined ? parseCredsFlag(opts.creds) : credentialsFromFiles(registry, opts.authfile ? [opts.authfile] : undefined, repository);
  return new RegistryClient(registry, { tlsVerify: opts.tlsVerify ?? !insecure, credentials, tls: tlsMaterialFor(registry, opts.certDir) });
}

/** Whether registries.conf lets `registry` (host[:port]) go without TLS checks, as pull and push see it. */
export function insecureRegistry(registry: string, conf: RegistriesConf = loadRegistriesConf()): boolean {
  return registryEntryFor(conf, registry)?.insecure ?? false;
}

/** The places to pull `ref` from, in order: the mirrors that apply, then the registry's location. */
export function pullSources(ref: Reference, conf: RegistriesConf): Source[] {
  const name = `${ref.registry}/${ref.repository}`;
  const entry = registryEntryFor(conf, name);
  if (!entry) return [{ ref, insecure: false, mirror: false }];
  if (entry.blocked) throw new UsageError(`${name} is blocked by registries.conf`);
  const rewrite = (location: string): Reference => {
    const moved = parseReference(`${location}${name.slice(entry.prefix.length)}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`}`);
    return moved;
  };
  const mirrors = entry.mirrors
    .filter((m) => m.pullFromMirror === 'all' || (m.pullFromMirror === 'digest-only') === !!ref.digest)
    .map((m) => ({ ref: rewrite(m.location), insecure: m.insecure, mirror: true }));
  return [...mirrors, { ref: entry.location && entry.location !== entry.prefix ? rewrite(entry.location) : ref, insecure: entry.insecure, mirror: false }];
}

export const describeSource = (s: Source) => formatReference(s.ref);
