// husk search: a registry's catalog (GET /v2/_catalog), or Docker Hub's
// search API (/v1/search, whose JSON shape docker and podman print).
import { tlsMaterialFor, type TlsMaterial } from './registry/certs.js';
import type { IncomingMessage } from 'node:http';
import { HuskError, UsageError } from '../core/errors.js';
import { lazyHttp, lazyHttps } from '../core/lazy.js';
import { credentialsFromFiles } from './registry/auth.js';
import { registryHost, withRegistryScheme } from './registry/client.js';
import { insecureRegistry } from './registry/connect.js';
import { hasExplicitRegistry } from './reference.js';
import { loadRegistriesConf } from './registries-conf.js';

export interface SearchResult {
  name: string;
  description: string;
  stars: number;
  official: boolean;
}

export interface SearchOptions {
  limit: number;
  /** Undefined: verify, unless registries.conf says insecure. */
  tlsVerify?: boolean;
}

function getJson(url: URL, tlsVerify: boolean, headers: Record<string, string>, tls?: TlsMaterial): Promise<{ status: number; body: unknown }> {
  const mod = url.protocol === 'https:' ? lazyHttps() : lazyHttp();
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers: { 'User-Agent': 'husk', Accept: 'application/json', ...headers }, rejectUnauthorized: tlsVerify, timeout: 30_000, ...tls });
    req.on('timeout', () => req.destroy(new HuskError(`registry ${url.host} did not respond within 30s`)));
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 8 * 1024 * 1024) res.destroy(new HuskError(`${url.host}: search answer over 8 MiB`));
        else chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: null });
        }
      });
    });
  });
}

/** A GET on https or http, chosen as every registry command chooses (withRegistryScheme). */
async function fetchRegistry(registry: string, pathAndQuery: string, tlsVerify: boolean | undefined): Promise<{ status: number; body: unknown }> {
  const creds = credentialsFromFiles(registry);
  const headers: Record<string, string> = creds ? { Authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` } : {};
  const verify = tlsVerify ?? !insecureRegistry(registry);
  const tls = tlsMaterialFor(registry);
  try {
    return (await withRegistryScheme(registryHost(registry), verify, (base) => getJson(new URL(pathAndQuery, base), verify, headers, tls))).result;
  } catch (err) {
    throw new HuskError(`searching ${registry}: ${(err as Error).message}`);
  }
}

async function searchRegistry(registry: string, term: string, opts: SearchOptions): Promise<SearchResult[]> {
  if (registry === 'docker.io') {
    const { status, body } = await fetchRegistry('index.docker.io', `/v1/search?q=${encodeURIComponent(term)}&n=${opts.limit}`, opts.tlsVerify);
    if (status !== 200) throw new HuskError(`searching docker.io: HTTP ${status}`);
    const results = (body as { results?: Array<{ name?: string; description?: string; star_count?: number; is_official?: boolean }> })?.results ?? [];
    return results.map((r) => ({ name: `docker.io/${String(r.name).replace(/^library\//, 'library/')}`, description: r.description ?? '', stars: r.star_count ?? 0, official: !!r.is_official }));
  }
  const { status, body } = await fetchRegistry(registry, `/v2/_catalog?n=1000`, opts.tlsVerify);
  if (status === 401) throw new HuskError(`searching ${registry}: authentication required (husk login ${registry})`);
  if (status !== 200) throw new HuskError(`searching ${registry}: the catalog answered HTTP ${status}`);
  const repos = (body as { repositories?: unknown })?.repositories;
  if (!Array.isArray(repos)) throw new HuskError(`searching ${registry}: malformed catalog`);
  return repos
    .map(String)
    .filter((r) => r.includes(term))
    .map((r) => ({ name: `${registry}/${r}`, description: '', stars: 0, official: false }));
}

/** "registry/term" searches that registry; a bare term searches the unqualified-search registries. */
export async function search(query: string, opts: SearchOptions): Promise<SearchResult[]> {
  if (!query) throw new UsageError('give a term to search for');
  let registries: string[];
  let term = query;
  if (hasExplicitRegistry(query)) {
    const slash = query.indexOf('/');
    registries = [query.slice(0, slash)];
    term = query.slice(slash + 1);
  } else {
    registries = loadRegistriesConf().unqualifiedSearchRegistries;
    if (registries.length === 0) registries = ['docker.io'];
  }
  const found: SearchResult[] = [];
  for (const r of registries) found.push(...(await searchRegistry(r, term, opts)));
  return found.slice(0, opts.limit);
}
