// The flags pull and push share for reaching a registry, as podman spells them.
import type { Options } from 'yargs';
import type { AccessOptions } from '../engine/registry.js';
import { lastWins } from './common.js';

export const REGISTRY_OPTIONS: Record<string, Options> = {
  // No default: without the flag, registries.conf's `insecure` decides.
  'tls-verify': { type: 'boolean', describe: 'Require HTTPS and verify certificates (false: allow http and unverified TLS)' },
  'cert-dir': { type: 'string', coerce: lastWins, describe: 'Read CA and client certificates (*.crt, *.cert, *.key) from this directory' },
  creds: { type: 'string', coerce: lastWins, describe: 'Credentials for the registry: USERNAME:PASSWORD' },
  authfile: { type: 'string', coerce: lastWins, describe: 'Read credentials from this file (as `login --authfile` writes it)' },
};

export type RegistryArgs = { tlsVerify?: boolean; certDir?: string; creds?: string; authfile?: string };

export function accessFrom(argv: RegistryArgs): AccessOptions {
  return { tlsVerify: argv.tlsVerify, certDir: argv.certDir, creds: argv.creds, authfile: argv.authfile };
}
