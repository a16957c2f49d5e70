// Registry authentication: the WWW-Authenticate challenge (RFC 7235, as the
// distribution spec uses it) and the credentials people already have in
// containers' auth.json or docker's config.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';

export interface Challenge {
  scheme: string; // lower case: "bearer", "basic"
  params: Record<string, string>;
}

export interface Credentials {
  username: string;
  password: string;
}

/**
 * Parses a WWW-Authenticate header: one or more challenges, each a scheme
 * and comma-separated key=value or key="quoted \"value\"" parameters.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && /[\s,]/.test(s[i]!)) i++;
  };
  while (i < s.length) {
    skipWs();
    const m = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(s.slice(i));
    if (!m) break;
    const word = m[0];
    i += word.length;
    // A token followed by "=" is a parameter of the current challenge.
    const afterWs = s.slice(i).match(/^\s*/)![0].length;
    if (s[i + afterWs] === '=' && out.length > 0 && s[i + afterWs + 1] !== '=') {
      i += afterWs + 1;
      while (i < s.length && s[i] === ' ') i++;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++; // closing quote
      } else {
        const v = /^[^,\s]*/.exec(s.slice(i))![0];
        value = v;
        i += v.length;
      }
      out[out.length - 1]!.params[word.toLowerCase()] = value;
    } else {
      out.push({ scheme: word.toLowerCase(), params: {} });
    }
  }
  return out;
}

/** The auth files, most specific first (podman's order, then docker's). */
export function authFilePaths(env: NodeJS.ProcessEnv = process.env, home: string = env.HOME || os.homedir()): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  files.push(path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'containers', 'auth.json'));
  files.push(path.join(env.DOCKER_CONFIG || path.join(home, '.docker'), 'config.json'));
  return files;
}

/** Keys an `auths` map may use for a registry (docker.io has historical spellings). */
function keysFor(registry: string): string[] {
  const keys = [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
  if (registry === 'docker.io' || registry === 'registry-1.docker.io' || registry === 'index.docker.io') {
    keys.push('docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/', 'https://registry-1.docker.io');
  }
  return keys;
}

/** Decodes one `auths` entry: base64 "user:pass" in `auth`, or username/password fields. */
export function decodeAuthEntry(entry: unknown): Credentials | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const e = entry as { auth?: unknown; username?: unknown; password?: unknown };
  if (typeof e.auth === 'string' && e.auth) {
    const text = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (typeof e.username === 'string' && typeof e.password === 'string' && e.username) return { username: e.username, password: e.password };
  return undefined;
}

/**
 * Credentials for `registry` (host[:port]) from the first auth file that has
 * an entry for it; also matches entries for a repository of that registry
 * (podman allows "registry/namespace" keys) when `repository` is given.
 */
export function credentialsFromFiles(registry: string, files: string[] = authFilePaths(), repository?: string): Credentials | undefined {
  for (const file of files) {
    let json: { auths?: Record<string, unknown> };
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof json;
    } catch {
      continue; // missing or unreadable: the next file
    }
    const auths = json?.auths;
    if (!auths || typeof auths !== 'object') continue;
    if (repository) {
      // Most specific namespace first: registry/a/b/c, registry/a/b, registry/a.
      const parts = repository.split('/');
      for (let n = parts.length; n > 0; n--) {
        const c = decodeAuthEntry(auths[`${registry}/${parts.slice(0, n).join('/')}`]);
        if (c) return c;
      }
    }
    for (const key of keysFor(registry)) {
      const c = decodeAuthEntry(auths[key]);
      if (c) return c;
    }
  }
  return undefined;
}

/** `--creds user:pass` (the password may contain colons; an empty one is asked for by podman, refused here). */
export function parseCredsFlag(value: string): Credentials {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw new UsageError('--creds must be USERNAME:PASSWORD');
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}
