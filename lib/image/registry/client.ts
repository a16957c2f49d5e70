// A client for the OCI distribution API (pull side) on node:http and
// node:https: the /v2/ ping, Bearer and Basic auth driven by the
// WWW-Authenticate challenge, redirects (blob storage), bounded retries on
// 429 and 5xx, and an idle timeout so a hanging registry fails clearly.
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import type { TlsMaterial } from './certs.js';
import { HuskError, NotFoundError } from '../../core/errors.js';
import { parseChallenges, type Challenge, type Credentials } from './auth.js';

export interface ClientOptions {
  /** false: plain http and unverified TLS are allowed. */
  tlsVerify?: boolean;
  credentials?: Credentials;
  /** Idle timeout of a request (no byte for this long), ms. */
  timeoutMs?: number;
  /** Attempts for 429/5xx and connection resets (at least 1). */
  tries?: number;
  /** Base delay of the exponential backoff, ms. */
  backoffMs?: number;
  userAgent?: string;
  /** CAs and a client certificate from certs.d. */
  tls?: TlsMaterial;
}

// Loaded on first use: node:https (tls, crypto) costs milliseconds at every start-up otherwise.
const load: <T>(id: string) => T = createRequire(import.meta.url);
const lazyHttp = (): typeof import('node:http') => load('node:http');
const lazyHttps = (): typeof import('node:https') => load('node:https');
const lazyFs = (): typeof import('node:fs') => load('node:fs');

/**
 * A request body that can be sent again (on a retry or after a 401): bytes,
 * or a file (bytes [start, end) of it); `onBytes` hears of what was read out.
 */
export type RequestBody = Buffer | { file: string; start?: number; end?: number; onBytes?: (n: number) => void };

/** Blobs larger than this go up in PATCH chunks of this size; smaller ones in one PUT. */
const CHUNK_BYTES = Number(process.env.HUSK_PUSH_CHUNK_SIZE) > 0 ? Number(process.env.HUSK_PUSH_CHUNK_SIZE) : 64 * 1024 * 1024;

export class RegistryError extends HuskError {
  constructor(message: string, readonly status?: number, readonly code?: string) {
    super(message);
  }
}

const MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MS = 30_000;

/** The host to talk to for a registry name (docker.io is served by registry-1.docker.io). */
export function registryHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || h.endsWith('.localhost');
}

/** An https attempt answered by a plain-http server (or not speaking TLS at all). */
function isProtocolError(err: NodeJS.ErrnoException): boolean {
  return (
    err.code === 'EPROTO' ||
    err.code === 'ECONNRESET' ||
    /^ERR_SSL_/.test(err.code ?? '') ||
    /wrong version number|packet length too long|http request/i.test(err.message)
  );
}

/**
 * The one rule by which every registry command (pull, push, login, search)
 * chooses between https and plain http, docker's: https first; http after
 * an https failure when TLS is not required (--tls-verify=false, or
 * registries.conf's insecure), or when a loopback registry (localhost,
 * 127.0.0.0/8, ::1) answered in something that is not TLS, as docker treats
 * localhost registries. `attempt` makes the request on a base URL; the
 * error of the last attempt made is thrown, with `url` on it.
 */
export async function withRegistryScheme<T>(host: string, tlsVerify: boolean, attempt: (base: string) => Promise<T>): Promise<{ base: string; result: T }> {
  const https = `https://${host}`;
  try {
    return { base: https, result: await attempt(https) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const timedOut = e.code === 'ETIMEDOUT';
    const mayHttp = tlsVerify ? isLoopback(host) && isProtocolError(e) : !timedOut;
    if (!mayHttp) throw Object.assign(e, { url: new URL(https) });
  }
  const http = `http://${host}`;
  try {
    return { base: http, result: await attempt(http) };
  } catch (err) {
    throw Object.assign(err as Error, { url: new URL(http) });
  }
}

/** The `errors` of a distribution error body, as "CODE: message". */
function registryErrorText(body: string): { text?: string; code?: string } {
  try {
    const j = JSON.parse(body) as { errors?: Array<{ code?: string; message?: string }> };
    const e = j.errors?.[0];
    if (e) {
      const label = (e.code ?? 'error').toLowerCase().replace(/_/g, ' ');
      const msg = (e.message ?? '').trim();
      return { code: e.code, text: !msg || msg.toLowerCase() === label ? label : `${label}: ${msg}` };
    }
  } catch {
    /* not JSON */
  }
  return {};
}

export function readBody(res: IncomingMessage, limit = 4 * 1024 * 1024 + 1): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    res.on('data', (c: Buffer) => {
      len += c.length;
      if (len > limit) {
        res.destroy();
        reject(new RegistryError(`response too large (more than ${limit - 1} bytes)`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RegistryClient {
  readonly registry: string;
  readonly host: string;
  private base?: string; // https://host or http://host, once the ping chose
  private readonly tlsVerify: boolean;
  private readonly credentials?: Credentials;
  private readonly timeoutMs: number;
  private readonly tries: number;
  private readonly backoffMs: number;
  private readonly userAgent: string;
  private readonly httpsAgent: HttpsAgent;
  private readonly httpAgent: HttpAgent;
  private challenge?: Challenge;
  private authorization?: string;
  private authorizedScope?: string;

  constructor(registry: string, opts: ClientOptions = {}) {
    this.registry = registry;
    this.host = registryHost(registry);
    this.tlsVerify = opts.tlsVerify ?? true;
    this.credentials = opts.credentials;
    const envTimeout = Number(process.env.HUSK_REGISTRY_TIMEOUT);
    this.timeoutMs = opts.timeoutMs ?? (envTimeout > 0 ? envTimeout * 1000 : DEFAULT_TIMEOUT_MS);
    this.tries = Math.max(1, opts.tries ?? 3);
    this.backoffMs = opts.backoffMs ?? 500;
    this.userAgent = opts.userAgent ?? 'husk';
    this.httpsAgent = new (lazyHttps().Agent)({ keepAlive: true, rejectUnauthorized: this.tlsVerify, ...opts.tls });
    this.httpAgent = new (lazyHttp().Agent)({ keepAlive: true });
  }

  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  /** One request, no retries, redirects or auth. Rejects on connection errors and on the idle timeout. */
  private send(url: URL, method: string, headers: Record<string, string>, body?: RequestBody): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:';
    const mod = secure ? lazyHttps() : lazyHttp();
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers: { 'User-Agent': this.userAgent, ...headers }, agent: secure ? this.httpsAgent : this.httpAgent });
      const seconds = Math.round(this.timeoutMs / 100) / 10;
      req.setTimeout(this.timeoutMs, () => {
        const err = new RegistryError(`registry ${url.host} did not respond within ${seconds}s (${method} ${url.pathname})`, undefined, 'ETIMEDOUT');
        req.destroy(err);
      });
      req.on('error', reject);
      req.on('response', (res) => {
        // The idle timeout also covers the body; a timed-out body errors its stream.
        res.on('aborted', () => res.destroy(new RegistryError(`registry ${url.host}: connection closed while reading ${url.pathname}`)));
        resolve(res);
      });
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        const file = lazyFs().createReadStream(body.file, { start: body.start, end: body.end === undefined ? undefined : body.end - 1 });
        if (body.onBytes) file.on('data', (c) => body.onBytes!(c.length));
        file.on('error', (err) => req.destroy(err));
        file.pipe(req);
      }
    });
  }

  /** `send` with redirects followed; Authorization goes only to the registry's own host. */
  private async sendFollowing(url: URL, method: string, headers: Record<string, string>): Promise<IncomingMessage> {
    let current = url;
    let hdrs = headers;
    for (let i = 0; ; i++) {
      const res = await this.send(current, method, hdrs);
      const status = res.statusCode ?? 0;
      if (![301, 302, 303, 307, 308].includes(status) || !res.headers.location) return res;
      res.resume();
      if (i >= MAX_REDIRECTS) throw new RegistryError(`too many redirects fetching ${url.pathname}`);
      const next = new URL(res.headers.location, current);
      if (next.host !== current.host || (current.protocol === 'https:' && next.protocol !== 'https:')) {
        const { Authorization: _drop, ...rest } = hdrs;
        hdrs = rest;
      }
      if (next.protocol === 'http:' && current.protocol === 'https:' && this.tlsVerify) {
        throw new RegistryError(`registry ${this.registry} redirected to insecure ${next.origin}`);
      }
      current = next;
    }
  }

  /** Connection errors as one clear line. */
  private connectionError(err: unknown, url: URL): HuskError {
    if (err instanceof HuskError) return err;
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ECONNREFUSED' ? 'connection refused'
      : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? `cannot resolve ${url.hostname}`
      : /certificate|self[- ]signed|CERT_|unable to verify/i.test(`${e.code} ${e.message}`) ? `TLS certificate not trusted (${e.message}): use --tls-verify=false for a registry you trust`
      : e.message;
    return new RegistryError(`pinging registry ${this.registry}: ${why}`, undefined, e.code);
  }

  /** GET /v2/: chooses https or http (withRegistryScheme) and remembers the auth challenge. */
  async ping(): Promise<void> {
    if (this.base) return;
    const tryBase = async (base: string) => {
      const url = new URL('/v2/', base);
      const res = await this.sendFollowing(url, 'GET', {});
      await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0));
      return res;
    };
    let res: IncomingMessage;
    try {
      ({ base: this.base, result: res } = await withRegistryScheme(this.host, this.tlsVerify, tryBase));
    } catch (err) {
      throw this.connectionError(err, (err as { url: URL }).url);
    }
    if (res.statusCode === 401) {
      const header = res.headers['www-authenticate'];
      const challenges = parseChallenges(Array.isArray(header) ? header.join(', ') : header ?? '');
      this.challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
      if (!this.challenge) throw new RegistryError(`registry ${this.registry} asks for an unsupported authentication (${header ?? 'no challenge'})`, 401);
    } else if ((res.statusCode ?? 0) >= 400 && res.statusCode !== 404) {
      // 404 on /v2/: some registries do not implement the ping; go on.
      throw new RegistryError(`pinging registry ${this.registry}: HTTP ${res.statusCode}`, res.statusCode);
    }
  }

  /** The Authorization header for `scope` (repository:NAME:pull), fetching a token when the challenge is Bearer. */
  private async authorize(scope: string, challenge: Challenge | undefined = this.challenge): Promise<void> {
    if (!challenge) return;
    if (challenge.scheme === 'basic') {
      if (!this.credentials) throw new RegistryError(`${this.registry}: authentication required: give --creds or log in (auth.json)`, 401);
      this.authorization = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
      this.authorizedScope = scope;
      return;
    }
    const realm = challenge.params.realm;
    if (!realm) throw new RegistryError(`registry ${this.registry}: Bearer challenge without a realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`registry ${this.registry}: invalid token realm "${realm}"`);
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    // Several scopes (a push with a mount source) go as several scope parameters.
    for (const one of scope.split(' ')) url.searchParams.append('scope', one);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.credentials) headers.Authorization = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    const res = await this.withRetries(url, () => this.sendFollowing(url, 'GET', headers));
    const body = await readBody(res, 1024 * 1024);
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new RegistryError(`${this.registry}: authentication failed${this.credentials ? ' (wrong username or password?)' : ': credentials required'}`, res.statusCode);
    }
    if (res.statusCode !== 200) throw new RegistryError(`${this.registry}: token server answered HTTP ${res.statusCode}`, res.statusCode);
    let token: string | undefined;
    try {
      const j = JSON.parse(body.toString('utf8')) as { token?: string; access_token?: string };
      token = j.token || j.access_token;
    } catch {
      /* below */
    }
    if (!token) throw new RegistryError(`${this.registry}: the token server sent no token`);
    this.authorization = `Bearer ${token}`;
    this.authorizedScope = scope;
  }

  private async withRetries(url: URL, attempt: () => Promise<IncomingMessage>): Promise<IncomingMessage> {
    for (let i = 1; ; i++) {
      let res: IncomingMessage;
      try {
        res = await attempt();
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (i < this.tries && (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'ETIMEDOUT')) {
          await sleep(this.backoffMs * 2 ** (i - 1));
          continue;
        }
        throw this.connectionError(err, url);
      }
      const status = res.statusCode ?? 0;
      if ((status === 429 || status >= 500) && i < this.tries) {
        res.resume();
        const after = Number(res.headers['retry-after']);
        await sleep(after > 0 ? Math.min(after * 1000, 10_000) : this.backoffMs * 2 ** (i - 1));
        continue;
      }
      return res;
    }
  }

  /**
   * A GET under /v2/NAME/... with auth: on a 401 the challenge of that
   * answer is met once. Returns the final response (any status).
   */
  async get(repository: string, pathAfterName: string, accept?: string, extra: Record<string, string> = {}): Promise<IncomingMessage> {
    await this.ping();
    const scope = `repository:${repository}:pull`;
    if (this.challenge && this.authorizedScope !== scope) await this.authorize(scope);
    const url = new URL(`/v2/${repository}/${pathAfterName}`, this.base);
    const headers = (): Record<string, string> => ({ ...extra, ...(accept ? { Accept: accept } : {}), ...(this.authorization ? { Authorization: this.authorization } : {}) });
    let res = await this.withRetries(url, () => this.sendFollowing(url, 'GET', headers()));
    if (res.statusCode === 401) {
      const header = res.headers['www-authenticate'];
      res.resume();
      const challenges = parseChallenges(Array.isArray(header) ? header.join(', ') : header ?? '');
      const c = challenges.find((x) => x.scheme === 'bearer') ?? challenges.find((x) => x.scheme === 'basic');
      if (!c) throw new RegistryError(`${this.registry}: unauthorized`, 401);
      const had = this.authorization;
      await this.authorize(scope, c);
      if (had === this.authorization && c.scheme === 'basic') throw new RegistryError(`${this.registry}: authentication failed (wrong username or password?)`, 401);
      res = await this.withRetries(url, () => this.sendFollowing(url, 'GET', headers()));
      if (res.statusCode === 401) {
        res.resume();
        throw new RegistryError(`${this.registry}: authentication failed${this.credentials ? ' (wrong username or password?)' : ': credentials required (--creds or auth.json)'}`, 401);
      }
    }
    return res;
  }

  /** The manifest at `reference` (tag or digest): its bytes and Content-Type. */
  async getManifest(repository: string, reference: string, accept: string): Promise<{ body: Buffer; contentType?: string; digest?: string }> {
    const res = await this.get(repository, `manifests/${reference}`, accept);
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      const body = await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0));
      const { text, code } = registryErrorText(body.toString('utf8'));
      const what = `${this.registry}/${repository}:${reference}`.replace(/:sha256:/, '@sha256:');
      if (status === 404) throw new NotFoundError(`${what}: ${text ?? 'manifest unknown'}`);
      throw new RegistryError(`${what}: ${text ?? `HTTP ${status}`}`, status, code);
    }
    const length = Number(res.headers['content-length']);
    if (length > 4 * 1024 * 1024) {
      res.destroy();
      throw new HuskError(`manifest too large: ${length} bytes (at most ${4 * 1024 * 1024})`);
    }
    let body: Buffer;
    try {
      body = await readBody(res);
    } catch (err) {
      if (err instanceof RegistryError && /too large/.test(err.message)) throw new HuskError(`manifest too large: more than ${4 * 1024 * 1024} bytes`);
      throw err;
    }
    const digest = res.headers['docker-content-digest'];
    return { body, contentType: res.headers['content-type'], digest: typeof digest === 'string' ? digest : undefined };
  }

  /**
   * A blob's body stream (after redirects); from byte `offset` on when the
   * registry honours Range (status 206), else the whole blob again (200).
   */
  async getBlob(repository: string, digest: string, offset = 0): Promise<IncomingMessage> {
    const res = await this.get(repository, `blobs/${digest}`, undefined, offset > 0 ? { Range: `bytes=${offset}-` } : {});
    const status = res.statusCode ?? 0;
    if (status !== 200 && !(status === 206 && offset > 0)) {
      const body = await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0));
      const { text, code } = registryErrorText(body.toString('utf8'));
      if (status === 404) throw new NotFoundError(`blob ${digest}: ${text ?? 'blob unknown'}`);
      throw new RegistryError(`fetching blob ${digest}: ${text ?? `HTTP ${status}`}`, status, code);
    }
    return res;
  }

  /** Every tag of a repository (GET tags/list, following the Link header's pages). */
  async listTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = 'tags/list?n=1000';
    for (let page = 0; next && page < 1000; page++) {
      const res = await this.get(repository, next);
      if (res.statusCode !== 200) {
        if (res.statusCode === 404) {
          res.resume();
          throw new NotFoundError(`${this.registry}/${repository}: repository not known`);
        }
        throw await this.failure(res, `listing the tags of ${repository}`);
      }
      const link = String(res.headers.link ?? '');
      const body = JSON.parse((await readBody(res, 16 * 1024 * 1024)).toString('utf8') || '{}') as { tags?: unknown };
      if (Array.isArray(body.tags)) tags.push(...body.tags.map(String));
      const url = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1];
      next = url ? new URL(url, 'http://x').pathname.replace(`/v2/${repository}/`, '') + new URL(url, 'http://x').search : undefined;
    }
    return tags;
  }

  // ---- push side

  /**
   * A request under /v2/NAME/... (or to an absolute upload URL the registry
   * gave) with the scope `repository:NAME:pull,push` (and pull on `alsoPull`,
   * for a cross-repository mount). No redirects: the body is sent once per try.
   * On a 401 the challenge of that answer is met once.
   */
  async pushRequest(
    repository: string,
    method: string,
    target: string | URL,
    opts: { headers?: Record<string, string>; body?: RequestBody; alsoPull?: string } = {},
  ): Promise<IncomingMessage> {
    await this.ping();
    let scope = `repository:${repository}:pull,push`;
    if (opts.alsoPull && opts.alsoPull !== repository) scope += ` repository:${opts.alsoPull}:pull`;
    if (this.challenge && this.authorizedScope !== scope) await this.authorize(scope);
    const url = typeof target === 'string' ? new URL(`/v2/${repository}/${target}`, this.base) : target;
    const own = url.host === new URL(this.base!).host;
    const headers = (): Record<string, string> => ({
      ...(opts.headers ?? {}),
      ...(own && this.authorization ? { Authorization: this.authorization } : {}),
    });
    let res = await this.withRetries(url, () => this.send(url, method, headers(), opts.body));
    if (res.statusCode === 401) {
      const header = res.headers['www-authenticate'];
      res.resume();
      const challenges = parseChallenges(Array.isArray(header) ? header.join(', ') : header ?? '');
      const c = challenges.find((x) => x.scheme === 'bearer') ?? challenges.find((x) => x.scheme === 'basic');
      if (!c) throw new RegistryError(`${this.registry}: authentication required`, 401);
      const had = this.authorization;
      await this.authorize(scope, c);
      if (had === this.authorization && c.scheme === 'basic') throw new RegistryError(`${this.registry}: authentication failed (wrong username or password?)`, 401);
      res = await this.withRetries(url, () => this.send(url, method, headers(), opts.body));
    }
    const status = res.statusCode ?? 0;
    if (status === 401 || status === 403) {
      const body = await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0));
      const { text, code } = registryErrorText(body.toString('utf8'));
      const why = status === 401
        ? `authentication required${this.credentials ? ' (wrong username or password?)' : ': give --creds or log in (auth.json)'}`
        : 'access denied: the credentials may not push to this repository';
      throw new RegistryError(`${this.registry}/${repository}: ${why}${text ? ` (${text})` : ''}`, status, code);
    }
    return res;
  }

  /** Whether the repository has the blob (HEAD .../blobs/DIGEST). */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await this.pushRequest(repository, 'HEAD', `blobs/${digest}`);
    res.resume();
    const status = res.statusCode ?? 0;
    // A redirect sends the client to the blob's storage: the registry has it.
    if (status === 200 || [301, 302, 303, 307, 308].includes(status)) return true;
    if (status === 404) return false;
    throw new RegistryError(`${this.registry}/${repository}: checking blob ${digest}: HTTP ${status}`, status);
  }

  private async failure(res: IncomingMessage, what: string): Promise<RegistryError> {
    const body = await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0));
    const { text, code } = registryErrorText(body.toString('utf8'));
    return new RegistryError(`${this.registry}: ${what}: ${text ?? `HTTP ${res.statusCode}`}`, res.statusCode, code);
  }

  /**
   * Uploads a blob file: a cross-repository mount from `mountFrom` when given
   * and the registry agrees (returns 'mounted'); else POST, then one
   * monolithic PUT, or for a large blob PATCH chunks and a closing PUT.
   * `onBytes` hears the bytes sent so far.
   */
  async pushBlob(repository: string, digest: string, size: number, file: string, mountFrom?: string, onBytes?: (sent: number) => void): Promise<'mounted' | 'uploaded'> {
    const start = mountFrom && mountFrom !== repository
      ? `blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}`
      : 'blobs/uploads/';
    const res = await this.pushRequest(repository, 'POST', start, { headers: { 'Content-Length': '0' }, body: Buffer.alloc(0), alsoPull: mountFrom });
    if (res.statusCode === 201 && mountFrom) {
      res.resume();
      return 'mounted';
    }
    if (res.statusCode !== 202) throw await this.failure(res, `starting the upload of blob ${digest}`);
    res.resume();
    const location = res.headers.location;
    if (!location) throw new RegistryError(`${this.registry}: the registry gave no upload location for blob ${digest}`);
    let url = new URL(location, this.base);
    let sent = 0;
    // A retried chunk is read again: count each byte once.
    const counter = (start: number) => {
      let read = 0;
      return (n: number) => {
        read += n;
        if (start + read > sent) {
          sent = start + read;
          onBytes?.(sent);
        }
      };
    };
    let rest: RequestBody = { file, onBytes: counter(0) };
    if (size > CHUNK_BYTES) {
      for (let start = 0; start < size; start += CHUNK_BYTES) {
        const end = Math.min(size, start + CHUNK_BYTES);
        const patch = await this.pushRequest(repository, 'PATCH', url, {
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(end - start), 'Content-Range': `${start}-${end - 1}` },
          body: { file, start, end, onBytes: counter(start) },
        });
        if (patch.statusCode !== 202 && patch.statusCode !== 204) throw await this.failure(patch, `uploading blob ${digest} (bytes ${start}-${end - 1})`);
        patch.resume();
        // Each answer names where the upload goes on.
        if (patch.headers.location) url = new URL(patch.headers.location, this.base);
      }
      rest = Buffer.alloc(0);
    }
    url.searchParams.set('digest', digest);
    const length = Buffer.isBuffer(rest) ? 0 : size;
    const put = await this.pushRequest(repository, 'PUT', url, {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(length) },
      body: rest,
    });
    if (put.statusCode !== 201 && put.statusCode !== 204) throw await this.failure(put, `uploading blob ${digest}`);
    put.resume();
    return 'uploaded';
  }

  /** PUT /v2/NAME/manifests/REFERENCE; returns the digest the registry gives (if any). */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string | undefined> {
    const res = await this.pushRequest(repository, 'PUT', `manifests/${reference}`, {
      headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) },
      body: bytes,
    });
    if (res.statusCode !== 201 && res.statusCode !== 200 && res.statusCode !== 202) throw await this.failure(res, `writing manifest ${repository}:${reference}`);
    res.resume();
    const d = res.headers['docker-content-digest'];
    return typeof d === 'string' ? d : undefined;
  }
}
