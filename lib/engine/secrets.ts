// Secrets (podman's file driver): each one's data in a file of mode 0600
// under the store's secrets/ directory, its record in secrets.json. A
// container gets a copy of the data at /run/secrets/NAME, or a variable.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.js';
import { randomHex } from '../core/random.js';
import { mkdirPrivate, writeFileAtomic, writeJsonAtomic } from '../storage/atomic.js';
import { withLockSync } from '../storage/lock.js';

export interface SecretRecord {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  labels: Record<string, string>;
}

/** --secret NAME[,type=mount|env][,target=][,uid=][,gid=][,mode=]. */
export interface SecretRequest {
  name: string;
  type: 'mount' | 'env';
  /** mount: the path (relative ones under /run/secrets); env: the variable. */
  target: string;
  uid: number;
  gid: number;
  mode: number;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,252}$/;

function dirOf(ctx: Context): string {
  return path.join(ctx.paths.dataRoot, 'secrets');
}

function readIndex(ctx: Context): SecretRecord[] {
  try {
    return JSON.parse(fs.readFileSync(path.join(dirOf(ctx), 'secrets.json'), 'utf8')) as SecretRecord[];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function locked<T>(ctx: Context, fn: (index: SecretRecord[]) => T): T {
  mkdirPrivate(dirOf(ctx));
  return withLockSync(path.join(dirOf(ctx), 'secrets.lock'), () => fn(readIndex(ctx)));
}

const dataFile = (ctx: Context, id: string) => path.join(dirOf(ctx), `${id}.data`);

export function listSecrets(ctx: Context): SecretRecord[] {
  return readIndex(ctx);
}

/** By name, full id or a unique id prefix. */
export function findSecret(ctx: Context, ref: string, index = readIndex(ctx)): SecretRecord {
  const exact = index.find((s) => s.name === ref || s.id === ref);
  if (exact) return exact;
  const byPrefix = ref.length >= 3 ? index.filter((s) => s.id.startsWith(ref)) : [];
  if (byPrefix.length === 1) return byPrefix[0]!;
  throw new NotFoundError(`${ref}: no such secret`);
}

export function secretData(ctx: Context, s: SecretRecord): Buffer {
  return fs.readFileSync(dataFile(ctx, s.id));
}

export function createSecret(ctx: Context, name: string, data: Buffer, opts: { labels?: Record<string, string>; replace?: boolean }): SecretRecord {
  if (!NAME.test(name)) throw new UsageError(`invalid secret name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, up to 253 characters`);
  if (data.length === 0) throw new UsageError('secret data must be larger than 0');
  if (data.length >= 512000) throw new UsageError('secret data must be smaller than 512000 bytes');
  return locked(ctx, (index) => {
    const old = index.find((s) => s.name === name);
    if (old && !opts.replace) throw new ConflictError(`${name}: secret name in use`);
    const now = new Date().toISOString();
    const record: SecretRecord = { id: old?.id ?? randomHex(13).slice(0, 25), name, createdAt: old?.createdAt ?? now, updatedAt: now, labels: opts.labels ?? {} };
    writeFileAtomic(dataFile(ctx, record.id), data, 0o600);
    writeJsonAtomic(path.join(dirOf(ctx), 'secrets.json'), [...index.filter((s) => s !== old), record], 0o600);
    return record;
  });
}

export function removeSecret(ctx: Context, ref: string): SecretRecord {
  return locked(ctx, (index) => {
    const s = findSecret(ctx, ref, index);
    writeJsonAtomic(path.join(dirOf(ctx), 'secrets.json'), index.filter((x) => x.id !== s.id), 0o600);
    fs.rmSync(dataFile(ctx, s.id), { force: true });
    return s;
  });
}

/** --secret's words, checked (that the secret exists is the create's to check). */
export function parseSecretFlag(spec: string): SecretRequest {
  const [name = '', ...fields] = spec.split(',');
  const where = `invalid --secret "${spec}"`;
  if (name === '') throw new UsageError(`${where}: the secret's name comes first`);
  const r: SecretRequest = { name, type: 'mount', target: '', uid: 0, gid: 0, mode: 0o444 };
  for (const f of fields) {
    const eq = f.indexOf('=');
    const [key, value] = eq < 0 ? [f, ''] : [f.slice(0, eq), f.slice(eq + 1)];
    if (key === 'type') {
      if (value !== 'mount' && value !== 'env') throw new UsageError(`${where}: type is mount or env`);
      r.type = value;
    } else if (key === 'target') r.target = value;
    else if (key === 'uid' || key === 'gid') r[key] = number(value, where, key, 10);
    else if (key === 'mode') r.mode = number(value, where, key, 8);
    else throw new UsageError(`${where}: unknown option "${key}" (use type, target, uid, gid, mode)`);
  }
  if (r.type === 'env' && (fields.some((f) => /^(uid|gid|mode)=/.test(f)))) throw new UsageError(`${where}: uid, gid and mode apply to type=mount`);
  if (r.target === '') r.target = r.type === 'env' ? name : `/run/secrets/${name}`;
  else if (r.type === 'mount' && !r.target.startsWith('/')) r.target = `/run/secrets/${r.target}`;
  return r;
}

function number(value: string, where: string, key: string, radix: number): number {
  const n = parseInt(value, radix);
  if (!/^\d+$/.test(value) || !Number.isFinite(n)) throw new UsageError(`${where}: ${key} takes a number`);
  return n;
}
