// Per-registry TLS material, where podman and docker users keep it:
// certs.d/HOST[:PORT]/ holds CA certificates (*.crt) and client
// certificates (*.cert with the matching *.key). The user's directory is
// read first, then /etc/containers/certs.d and /etc/docker/certs.d; with
// --cert-dir only that directory counts.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { UsageError } from '../../core/errors.js';

export interface TlsMaterial {
  /** The system's CAs plus the registry's own: Node's `ca` replaces its default set. */
  ca?: string[];
  cert?: string;
  key?: string;
}

export function certsDirs(registry: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME ?? '/';
  const user = path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'containers', 'certs.d');
  return [user, '/etc/containers/certs.d', '/etc/docker/certs.d'].map((d) => path.join(d, registry));
}

/** What the certs.d directories (or `certDir`) hold for `registry`; undefined when nothing. */
export function tlsMaterialFor(registry: string, certDir?: string, env: NodeJS.ProcessEnv = process.env): TlsMaterial | undefined {
  if (certDir !== undefined && !isDir(certDir)) throw new UsageError(`--cert-dir ${certDir}: not a directory`);
  const dirs = certDir !== undefined ? [certDir] : certsDirs(registry, env).filter(isDir);
  const cas: string[] = [];
  let cert: string | undefined;
  let key: string | undefined;
  for (const dir of dirs) {
    for (const f of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, f);
      if (f.endsWith('.crt')) cas.push(fs.readFileSync(file, 'utf8'));
      else if (f.endsWith('.cert') && !cert) {
        const keyFile = file.replace(/\.cert$/, '.key');
        if (!fs.existsSync(keyFile)) throw new UsageError(`${file}: client certificate without its key ${path.basename(keyFile)}`);
        cert = fs.readFileSync(file, 'utf8');
        key = fs.readFileSync(keyFile, 'utf8');
      } else if (f.endsWith('.key') && !fs.existsSync(file.replace(/\.key$/, '.cert'))) {
        throw new UsageError(`${file}: key without its client certificate ${path.basename(file.replace(/\.key$/, '.cert'))}`);
      }
    }
  }
  if (cas.length === 0 && !cert) return undefined;
  const tls = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
  return { ...(cas.length ? { ca: [...tls.rootCertificates, ...extraSystemCas(), ...cas] } : {}), cert, key };
}

/** NODE_EXTRA_CA_CERTS, which Node adds to its default set but not to an explicit `ca`. */
function extraSystemCas(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [fs.readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
