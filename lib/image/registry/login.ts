// husk login / logout: credentials checked against the registry (docker's
// way: GET /v2/, answer its challenge with them) and kept in the auth file
// podman uses ($XDG_RUNTIME_DIR/containers/auth.json, or --authfile).
import { tlsMaterialFor, type TlsMaterial } from './certs.js';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { HuskError } from '../../core/errors.js';
import { printable } from '../../core/printable.js';
import { mkdirPrivate, writeFileAtomic } from '../../storage/atomic.js';
import { lazyHttp, lazyHttps } from '../../core/lazy.js';
import { decodeAuthEntry, parseChallenges, type Credentials } from './auth.js';
import { registryHost, withRegistryScheme } from './client.js';
import { insecureRegistry } from './connect.js';

/** Where logins are written: --authfile, REGISTRY_AUTH_FILE, podman's runtime file, else the config one. */
export function authFileFor(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
  const home = env.HOME ?? '/';
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'containers', 'auth.json');
}

interface AuthFile {
  auths?: Record<string, unknown>;
  [key: string]: unknown;
}

function readAuthFile(file: string): AuthFile {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as AuthFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new HuskError(`reading ${file}: ${printable((err as Error).message)}`);
  }
}

function writeAuthFile(file: string, content: AuthFile): void {
  mkdirPrivate(path.dirname(file));
  writeFileAtomic(file, `${JSON.stringify(content, null, '\t')}\n`, 0o600);
}

export function storedLogin(file: string, registry: string): Credentials | undefined {
  return decodeAuthEntry(readAuthFile(file).auths?.[registry]);
}

export function saveLogin(file: string, registry: string, creds: Credentials): void {
  const content = readAuthFile(file);
  content.auths = { ...(content.auths ?? {}), [registry]: { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') } };
  writeAuthFile(file, content);
}

/** Removes one registry's login, or all of them; false when there was none. */
export function removeLogin(file: string, registry: string | undefined): boolean {
  const content = readAuthFile(file);
  const auths = content.auths ?? {};
  if (registry === undefined) {
    const had = Object.keys(auths).length > 0;
    content.auths = {};
    if (had) writeAuthFile(file, content);
    return had;
  }
  if (!(registry in auths)) return false;
  delete auths[registry];
  content.auths = auths;
  writeAuthFile(file, content);
  return true;
}

function get(url: URL, tlsVerify: boolean, tls: TlsMaterial | undefined, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  const mod = url.protocol === 'https:' ? lazyHttps() : lazyHttp();
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers: { 'User-Agent': 'husk', ...headers }, rejectUnauthorized: tlsVerify, timeout: 30_000, ...tls });
    req.on('timeout', () => req.destroy(new HuskError(`registry ${url.host} did not respond within 30s`)));
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      resolve(res);
    });
  });
}

/**
 * Answers the registry's challenge with the credentials: Basic on /v2/ itself,
 * or a token request to a Bearer realm. Throws when they are refused.
 */
export async function verifyLogin(registry: string, creds: Credentials, tlsVerify: boolean | undefined, certDir?: string): Promise<void> {
  const tls = tlsMaterialFor(registry, certDir);
  const verify = tlsVerify ?? !insecureRegistry(registry);
  let ping: IncomingMessage;
  let base: string;
  try {
    ({ base, result: ping } = await withRegistryScheme(registryHost(registry), verify, (b) => get(new URL('/v2/', b), verify, tls)));
  } catch (err) {
    const message = (err as Error).message;
    throw new HuskError(`logging in to ${registry}: ${message}${/certificate|self.signed/i.test(message) ? ' (use --tls-verify=false for a registry you trust)' : ''}`);
  }
  if (ping.statusCode === 200) return; // no authentication at all: nothing to check
  const challenge = parseChallenges(String(ping.headers['www-authenticate'] ?? ''))[0];
  if (ping.statusCode !== 401 || !challenge) throw new HuskError(`logging in to ${registry}: the registry answered HTTP ${ping.statusCode}`);
  const basic = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  let res: IncomingMessage;
  if (challenge.scheme === 'bearer' && challenge.params.realm) {
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    res = await get(realm, verify, tls, { Authorization: basic });
  } else {
    res = await get(new URL('/v2/', base), verify, tls, { Authorization: basic });
  }
  if (res.statusCode === 401 || res.statusCode === 403) throw new HuskError(`logging in to ${registry}: invalid username/password`);
  if (res.statusCode !== 200) throw new HuskError(`logging in to ${registry}: the registry answered HTTP ${res.statusCode}`);
}


