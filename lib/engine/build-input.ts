// What `husk build` reads besides its options: the context (a directory, a
// tar on stdin, a tarball or git URL) and the Dockerfile (in the context,
// a path, or stdin), and the values of --build-arg-file, --secret, --ssh.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { isTarHeader } from '../build/archives.js';
import { finished, spawnHelper } from '../native/rootfs-helper.js';
import { helperErrorFrom } from '../native/helper-errors.js';
import { removeTrees } from '../native/userns-helper.js';
import { mkdirPrivate } from '../storage/atomic.js';
import { lazyChildProcess, lazyZlib } from '../core/lazy.js';
import { randomHex } from '../core/random.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import type { BuildSecret } from './build.js';

export interface BuildInput {
  contextDir?: string;
  dockerfile: { text: string; name: string; path?: string };
  cleanup(): void;
}

export interface InputSpec {
  /** A directory, `-` (stdin: a tar, or a Dockerfile alone), or an http(s)/git URL. */
  context: string;
  /** -f: a path, or `-` for stdin. */
  file?: string;
  stdin: NodeJS.ReadableStream;
}

export async function openBuildInput(ctx: Context, spec: InputSpec): Promise<BuildInput> {
  if (spec.context === '-' && spec.file === '-') throw new UsageError('the context and the Dockerfile cannot both come from stdin');
  const made: string[] = [];
  const cleanup = () => removeTrees(undefined, made);
  try {
    let contextDir: string | undefined;
    let inlineDockerfile: string | undefined;
    if (spec.context === '-') {
      const head = await firstBytes(spec.stdin, 512);
      if (isTarHeader(head.bytes) || head.bytes[0] === 0x1f) contextDir = await extractTar(ctx, head.stream, made);
      else inlineDockerfile = (await readAll(head.stream)).toString('utf8');
    } else if (/^https?:\/\//i.test(spec.context) && !isGitUrl(spec.context)) {
      const res = await fetch(spec.context).catch((err: Error) => {
        throw new UsageError(`${spec.context}: ${err.message}`);
      });
      if (!res.ok || !res.body) throw new UsageError(`${spec.context}: the server answered ${res.status} ${res.statusText}`);
      const head = await firstBytes(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), 512);
      if (isTarHeader(head.bytes) || head.bytes[0] === 0x1f) contextDir = await extractTar(ctx, head.stream, made);
      else inlineDockerfile = (await readAll(head.stream)).toString('utf8');
    } else if (isGitUrl(spec.context)) {
      contextDir = gitClone(ctx, spec.context, made);
    } else {
      contextDir = path.resolve(spec.context);
      if (!fs.existsSync(contextDir)) throw new UsageError(`context ${spec.context}: no such directory`);
      if (!fs.statSync(contextDir).isDirectory()) throw new UsageError(`context ${spec.context}: not a directory`);
    }
    const dockerfile = inlineDockerfile !== undefined ? { text: inlineDockerfile, name: 'Dockerfile' } : await dockerfileOf(spec, contextDir!);
    return { contextDir: inlineDockerfile !== undefined ? undefined : contextDir, dockerfile, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

async function dockerfileOf(spec: InputSpec, contextDir: string): Promise<BuildInput['dockerfile']> {
  if (spec.file === '-') return { text: (await readAll(spec.stdin)).toString('utf8'), name: 'Dockerfile' };
  const candidates = spec.file !== undefined ? [path.resolve(spec.file), path.resolve(contextDir, spec.file)] : ['Dockerfile', 'Containerfile'].map((f) => path.join(contextDir, f));
  const found = candidates.find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
  if (!found) {
    throw new UsageError(spec.file !== undefined ? `the Dockerfile ${spec.file}: no such file` : `no Dockerfile or Containerfile in ${contextDir}: give one with -f`);
  }
  return { text: fs.readFileSync(found, 'utf8'), name: spec.file !== undefined ? spec.file : path.basename(found), path: found };
}

function scratchDir(ctx: Context, made: string[], what: string): string {
  const dir = path.join(ctx.paths.runRoot, 'build', `${process.pid}-${what}-${randomHex(4)}`);
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  mkdirPrivate(dir);
  made.push(dir);
  return dir;
}

/** A tar context (gzip too), unpacked beneath a scratch directory by husk-userns: no entry leaves it. */
async function extractTar(ctx: Context, stream: Readable, made: string[]): Promise<string> {
  const dir = scratchDir(ctx, made, 'context');
  const head = await firstBytes(stream, 2);
  const tar = head.bytes[0] === 0x1f && head.bytes[1] === 0x8b ? head.stream.pipe(lazyZlib().createGunzip()) : head.stream;
  const child = spawnHelper({ args: ['extract', '--beneath', '--chown', `${ctx.uid}:${ctx.gid}`, '--no-privileges', dir] }, ['pipe', 'ignore', 'pipe']);
  tar.pipe(child.stdin!);
  child.stdin!.on('error', () => {});
  const [code, stderr] = await finished(child);
  if (code !== 0) throw helperErrorFrom(code, stderr, 'the build context from stdin');
  return dir;
}

function isGitUrl(url: string): boolean {
  return /^git@|^git:\/\/|^github\.com\//.test(url) || /\.git(#.*)?$/.test(url);
}

/** URL[#REF[:SUBDIR]], as docker takes a git context. */
function gitClone(ctx: Context, url: string, made: string[]): string {
  const [repo, fragment = ''] = url.split('#', 2) as [string, string?];
  const [ref, sub] = fragment.split(':', 2);
  const dir = scratchDir(ctx, made, 'git');
  const args = ['clone', '--depth', '1', '--recurse-submodules', ...(ref ? ['--branch', ref] : []), repo, dir];
  const r = lazyChildProcess().spawnSync('git', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.error) throw new UsageError(`${url}: a git context needs the git program, which is not installed`);
  if (r.status !== 0) throw new UsageError(`${url}: git clone failed: ${(r.stderr ?? '').trim().split('\n').pop()}`);
  const out = sub ? path.resolve(dir, sub) : dir;
  if (!out.startsWith(dir)) throw new UsageError(`${url}: the subdirectory ${sub} leaves the repository`);
  return out;
}

/** The first `n` bytes of a stream, and a stream that still gives all of it. */
async function firstBytes(input: NodeJS.ReadableStream, n: number): Promise<{ bytes: Buffer; stream: Readable }> {
  const it = (input as Readable)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = Buffer.from(r.value as Buffer);
    chunks.push(b);
    size += b.length;
  }
  const bytes = Buffer.concat(chunks);
  async function* rest() {
    yield bytes;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
  }
  return { bytes: bytes.subarray(0, n), stream: Readable.from(rest(), { objectMode: false }) };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** --build-arg-file: NAME=VALUE lines; blank lines and # comments skipped. */
export function parseBuildArgFile(texts: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of texts) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const eq = line.indexOf('=');
      if (eq <= 0) throw new UsageError(`--build-arg-file: "${line}" is not NAME=VALUE`);
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

/** --secret id=ID[,src=FILE|,env=VAR][,type=file|env]: a file, or an environment variable's value. */
export function parseSecret(spec: string, env: NodeJS.ProcessEnv): BuildSecret {
  const o = Object.fromEntries(spec.split(',').map((kv) => [kv.slice(0, kv.indexOf('=') < 0 ? kv.length : kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const id = o.id;
  if (!id) throw new UsageError(`--secret ${spec}: id= is required`);
  const src = o.src ?? o.source;
  const fromEnv = o.env ?? (o.type === 'env' ? src ?? id : undefined);
  if (fromEnv !== undefined) {
    const value = env[fromEnv];
    if (value === undefined) throw new UsageError(`--secret ${spec}: the environment variable ${fromEnv} is not set`);
    return { id, value };
  }
  const file = src ?? (env[id] === undefined ? id : undefined);
  if (file === undefined) return { id, value: env[id]! };
  try {
    if (!fs.statSync(file).isFile()) throw new Error('not a file');
  } catch {
    throw new UsageError(`--secret ${spec}: ${file} is not a readable file`);
  }
  return { id, file: path.resolve(file) };
}

/** --ssh default | ID[=SOCKET]: the agent socket (SSH_AUTH_SOCK without one). */
export function parseSsh(spec: string, env: NodeJS.ProcessEnv): { id: string; socket: string } {
  const eq = spec.indexOf('=');
  const id = eq < 0 ? spec : spec.slice(0, eq);
  const socket = eq < 0 ? env.SSH_AUTH_SOCK : spec.slice(eq + 1);
  if (!id || !socket) throw new UsageError(`--ssh ${spec}: give ID=SOCKET, or set SSH_AUTH_SOCK`);
  if (!fs.existsSync(socket)) throw new UsageError(`--ssh ${spec}: ${socket} does not exist`);
  return { id, socket: path.resolve(socket) };
}
