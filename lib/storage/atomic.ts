// Metadata is written atomically: a temporary file in the same directory,
// fsync, rename. A reader sees the old file or the new one, never half of one.
import fs from 'node:fs';
import path from 'node:path';
import { randomHex } from '../core/random.js';
import { HuskError } from '../core/errors.js';

/**
 * `durable: false` skips the fsync: for state that a crash makes moot anyway
 * (a container's runtime state), where the rename alone keeps it whole.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600, durable = true): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomHex(6)}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeFileSync(fd, data);
    if (durable) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeJsonAtomic(file: string, value: unknown, mode = 0o600, durable = true): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, mode, durable);
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/**
 * The parsed file, or undefined when there is none. The existence check
 * first is cheaper for files often missing (an ENOENT error costs tens of
 * µs); `usuallyThere` skips it for those almost always present.
 */
export function readJsonIfExists<T>(file: string, usuallyThere = false): T | undefined {
  if (!usuallyThere && !fs.existsSync(file)) return undefined;
  try {
    return readJson<T>(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function mkdirPrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * A directory that must belong to `uid` and no one else: in a shared place
 * like /tmp, another user could have made it first and wait for our sockets.
 */
export function ensureOwnedDir(dir: string, uid: number): void {
  mkdirPrivate(dir);
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) {
    throw new Error(`${dir} must be a directory owned by uid ${uid} and writable only by it: remove it or choose another --runroot`);
  }
}

/**
 * A file written by `write(fd)` (archives: save, export) that appears whole
 * under its name, or not at all: a temporary file beside it, fsync, rename.
 */
export async function writeFileWhole(output: string, write: (fd: number) => Promise<void>): Promise<void> {
  const file = path.resolve(output);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomHex(6)}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
  } catch (err) {
    throw new HuskError(`${output}: cannot write: ${(err as Error).message}`);
  }
  try {
    await write(fd);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd >= 0) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
