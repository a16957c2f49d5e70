// Volumes: directories under the data root that outlive containers.
//
//   <dataRoot>/volumes/<name>/volume.json   the record (written last, atomically)
//   <dataRoot>/volumes/<name>/_data         what containers see
//
// Every change happens under <dataRoot>/volumes.lock. A volume is in use
// while a container record names it; nothing else keeps count, so a crash
// cannot leave a count wrong.
import fs from 'node:fs';
import path from 'node:path';
import { ContainerStore, type ContainerRecord } from './container-store.js';
import { mkdirPrivate, readJsonIfExists, writeJsonAtomic } from '../storage/atomic.js';
import { withLockSync } from '../storage/lock.js';
import { removeTrees, usernsArgs } from '../native/userns-helper.js';
import { usernsHelperPath } from '../native/binding.js';
import { helperErrorFromSync } from '../native/helper-errors.js';
import { lazyChildProcess } from '../core/lazy.js';
import { randomHex } from '../core/random.js';
import type { Context } from '../core/context.js';
import { ConflictError, HuskError, NotFoundError, UsageError } from '../core/errors.js';

/** docker's and podman's rule for volume names. */
export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** A volume's name is its directory's name in the store: no longer than a file name may be. */
export const MAX_VOLUME_NAME = 255;

/** What is wrong with `name` as a volume name, or undefined: the characters, then the length. */
export function volumeNameProblem(name: string): string | undefined {
  if (!VOLUME_NAME.test(name)) return 'only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed';
  if (name.length > MAX_VOLUME_NAME) return `it has ${name.length} characters, at most ${MAX_VOLUME_NAME} are allowed`;
  return undefined;
}

/** A name as an error message shows it: a long one cut short. */
export const shownName = (name: string) => (name.length > 40 ? `${name.slice(0, 40)}…` : name);

export interface VolumeRecord {
  name: string;
  driver: 'local';
  labels: Record<string, string>;
  /** --opt: type, device, o (see checkVolumeOptions). */
  options: Record<string, string>;
  createdAt: string;
  /** Made for one container (-v /path, an image's VOLUME): `rm -v` and `run --rm` remove it. */
  anonymous: boolean;
  /** Not mounted yet: the first mount copies the image's content at its mount point in. */
  needsCopyUp: boolean;
}

export interface NewVolume {
  name?: string;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  anonymous?: boolean;
}

/** docker's timestamps: RFC 3339 in UTC, whole seconds. */
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class VolumeStore {
  readonly dir: string;
  private readonly lockFile: string;

  constructor(readonly ctx: Context) {
    this.dir = path.join(ctx.paths.dataRoot, 'volumes');
    this.lockFile = path.join(ctx.paths.dataRoot, 'volumes.lock');
  }

  locked<T>(fn: () => T): T {
    mkdirPrivate(this.dir);
    return withLockSync(this.lockFile, fn);
  }

  paths(name: string) {
    const dir = path.join(this.dir, name);
    return { dir, data: path.join(dir, '_data'), record: path.join(dir, 'volume.json') };
  }

  read(name: string): VolumeRecord | undefined {
    if (volumeNameProblem(name)) return undefined;
    try {
      return readJsonIfExists<VolumeRecord>(this.paths(name).record);
    } catch (err) {
      if (err instanceof SyntaxError) return undefined; // cut short by a crash: as if never made
      throw err;
    }
  }

  get(name: string): VolumeRecord {
    const v = this.read(name);
    if (!v) throw new NotFoundError(`no volume with name "${name}" found: no such volume`);
    return v;
  }

  list(): VolumeRecord[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .flatMap((n) => this.read(n) ?? [])
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Makes a volume; call under the lock. An existing one is a ConflictError. */
  create(v: NewVolume): VolumeRecord {
    const anonymous = v.anonymous ?? false;
    const name = v.name ?? randomHex(32);
    const problem = volumeNameProblem(name);
    if (problem) throw new UsageError(`invalid volume name "${shownName(name)}": ${problem}`);
    const options = v.options ?? {};
    checkVolumeOptions(options);
    if (this.read(name)) throw new ConflictError(`volume with name ${name} already exists: volume already exists`);
    const p = this.paths(name);
    // A directory without a record is what a crash during a create left.
    removeTrees(this.ctx.userns(), [p.dir]);
    mkdirPrivate(p.dir);
    fs.mkdirSync(p.data, { mode: 0o755 });
    fs.chmodSync(p.data, 0o755); // the umask may have taken bits off
    const record: VolumeRecord = {
      name,
      driver: 'local',
      labels: v.labels ?? {},
      options,
      createdAt: now(),
      anonymous,
      // A volume backed by a host directory or a tmpfs is never filled from an image.
      needsCopyUp: !options.type,
    };
    try {
      const owner = mountOwner(options);
      if (owner) chownInContainer(this.ctx, p.data, owner.uid, owner.gid, false);
      writeJsonAtomic(p.record, record);
    } catch (err) {
      removeTrees(this.ctx.userns(), [p.dir]);
      throw err;
    }
    return record;
  }

  /** Call under the lock. */
  remove(name: string): void {
    const p = this.paths(name);
    // The record first: a half-removed volume is then gone, not listed broken.
    fs.rmSync(p.record, { force: true });
    removeTrees(this.ctx.userns(), [p.dir]);
  }

  update(record: VolumeRecord): void {
    writeJsonAtomic(this.paths(record.name).record, record);
  }

  /**
   * The directory a container mounts, refused when anything on the way from
   * the volumes directory is not a plain directory: a `_data` replaced by a
   * symlink (by a container that had the volume's parent mounted, say) would
   * otherwise bind whatever it points to on the host.
   */
  safeDataDir(name: string): string {
    const p = this.paths(name);
    for (const d of [p.dir, p.data]) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(d);
      } catch (err) {
        throw new HuskError(`volume ${name}: ${d}: ${(err as Error).message}`);
      }
      if (!st.isDirectory()) {
        const what = st.isSymbolicLink() ? `a symbolic link to ${fs.readlinkSync(d)}` : 'not a directory';
        throw new HuskError(`volume ${name}: ${d} is ${what}: refusing to mount it (remove the volume and create it again)`);
      }
    }
    if (fs.realpathSync(p.data) !== path.join(fs.realpathSync(this.dir), name, '_data')) {
      throw new HuskError(`volume ${name}: ${p.data} resolves outside the volume store: refusing to mount it`);
    }
    return p.data;
  }
}

/** Where a volume's content comes from when a container mounts it. */
export type VolumeSource = { kind: 'data' } | { kind: 'bind'; device: string } | { kind: 'tmpfs'; options: string[] };

/**
 * The local driver's options, as far as husk can honour them without a
 * daemon and without privileges: `o=uid=N,gid=N` (the owner of _data, as
 * container ids), `type=none o=bind device=/dir` (a host directory under a
 * volume's name) and `type=tmpfs` (a fresh tmpfs for each container, with
 * `o=size=..,mode=..`). Anything else would mount a device: refused.
 */
export function checkVolumeOptions(options: Record<string, string>): VolumeSource {
  for (const k of Object.keys(options)) {
    if (k !== 'type' && k !== 'device' && k !== 'o') throw new UsageError(`invalid volume option "${k}": the local driver takes type, device and o`);
  }
  const o = (options.o ?? '').split(',').filter(Boolean);
  const type = options.type;
  if (type === undefined || type === '') {
    if (options.device) throw new UsageError('volume option device needs a type (type=none with o=bind, or type=tmpfs)');
    for (const x of o) {
      if (!/^(uid|gid)=\d+$/.test(x)) throw new UsageError(`invalid volume option o=${options.o}: without a type only uid=N and gid=N are supported`);
    }
    return { kind: 'data' };
  }
  if (type === 'tmpfs') {
    if (options.device && options.device !== 'tmpfs') throw new UsageError(`volume option device=${options.device}: a tmpfs volume takes device=tmpfs`);
    for (const x of o) checkTmpfsOption(x, `volume option o=${options.o}`);
    return { kind: 'tmpfs', options: o };
  }
  if (type === 'none') {
    if (!o.includes('bind') && !o.includes('rbind')) throw new UsageError('volume option type=none needs o=bind and device=/host/directory');
    const device = options.device ?? '';
    if (!path.isAbsolute(device)) throw new UsageError(`volume option device="${device}": type=none with o=bind needs an absolute host directory`);
    if (!fs.existsSync(device)) throw new UsageError(`volume option device=${device}: statfs ${device}: no such file or directory`);
    for (const x of o) {
      if (!['bind', 'rbind', 'ro', 'rw', 'nosuid', 'nodev', 'noexec', 'suid', 'dev', 'exec'].includes(x)) {
        throw new UsageError(`invalid volume option o=${options.o}: "${x}" is not a bind mount option`);
      }
    }
    return { kind: 'bind', device };
  }
  throw new UsageError(`volume option type=${type}: mounting devices or network file systems needs a daemon with privileges; use type=tmpfs, or type=none with o=bind`);
}

export function volumeSource(v: Pick<VolumeRecord, 'options'>): VolumeSource {
  return checkVolumeOptions(v.options);
}

function mountOwner(options: Record<string, string>): { uid: number; gid: number } | undefined {
  if (options.type) return undefined;
  const o = (options.o ?? '').split(',');
  const uid = o.find((x) => x.startsWith('uid='))?.slice(4);
  const gid = o.find((x) => x.startsWith('gid='))?.slice(4);
  if (uid === undefined && gid === undefined) return undefined;
  return { uid: Number(uid ?? 0), gid: Number(gid ?? 0) };
}

const TMPFS_FLAGS = new Set(['ro', 'rw', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'sync', 'async', 'dirsync', 'atime', 'noatime', 'relatime', 'norelatime', 'strictatime', 'nostrictatime', 'diratime', 'nodiratime']);

/** One tmpfs mount option (--tmpfs, --mount type=tmpfs, a tmpfs volume's o=). */
export function checkTmpfsOption(x: string, where: string): void {
  if (TMPFS_FLAGS.has(x)) return;
  const [k, v = ''] = [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)];
  if (!x.includes('=')) throw new UsageError(`${where}: unknown tmpfs option "${x}"`);
  if (k === 'size' && /^\d+[kmgKMG%]?$/.test(v)) return;
  if (k === 'mode' && /^[0-7]{1,4}$/.test(v)) return;
  if ((k === 'uid' || k === 'gid' || k === 'nr_inodes' || k === 'nr_blocks') && /^\d+[kmgKMG]?$/.test(v)) return;
  throw new UsageError(`${where}: invalid tmpfs option "${x}" (size=N[k|m|g|%], mode=OCTAL, uid=N, gid=N, nr_inodes=N, or a flag such as noexec)`);
}

/**
 * Changes owners to container ids: inside the user namespace when rootless
 * (uid 1000 there is a subordinate id here), never following symlinks.
 */
export function chownInContainer(ctx: Context, target: string, uid: number, gid: number, recursive: boolean): void {
  const args = [...usernsArgs(ctx.userns()), '--', 'exec', 'chown', ...(recursive ? ['-R'] : []), '-h', `${uid}:${gid}`, '--', target];
  const r = lazyChildProcess().spawnSync(usernsHelperPath(), args, { encoding: 'utf8' });
  if (r.status !== 0) throw helperErrorFromSync(r, `changing the owner of ${target} to ${uid}:${gid}`, { program: 'chown' });
}

/**
 * A volume's first mount: what the image has at `destination` (resolved
 * inside the image, its symlinks copied as symlinks, never followed) is
 * copied into the empty `dataDir` with owners, modes, times and xattrs, in
 * the user namespace when rootless.
 */
export function copyUp(ctx: Context, dataDir: string, destination: string, layerDirsBottomFirst: string[]): void {
  if (layerDirsBottomFirst.length === 0) return;
  const args = [...usernsArgs(ctx.userns()), '--', 'copyup', dataDir, destination, ...layerDirsBottomFirst];
  const r = lazyChildProcess().spawnSync(usernsHelperPath(), args, { encoding: 'utf8' });
  if (r.status !== 0) throw helperErrorFromSync(r, `copying the image's ${destination} into the volume`);
}

/** Container records by the volumes they name. */
export function volumeUsers(ctx: Context): Map<string, ContainerRecord[]> {
  const users = new Map<string, ContainerRecord[]>();
  for (const v of new ContainerStore(ctx).list()) {
    for (const m of v.record.mounts ?? []) {
      if (m.type !== 'volume') continue;
      const list = users.get(m.source) ?? [];
      if (!list.includes(v.record)) list.push(v.record);
      users.set(m.source, list);
    }
  }
  return users;
}


/** Removes one volume no container uses; in use is a ConflictError naming the container. */
export function removeUnusedVolume(ctx: Context, name: string): void {
  const store = new VolumeStore(ctx);
  store.locked(() => {
    store.get(name);
    const users = volumeUsers(ctx).get(name);
    if (users?.length) {
      throw new ConflictError(`volume ${name} is being used by the following container(s): ${users.map((c) => c.id).join(', ')}: volume is being used`);
    }
    store.remove(name);
  });
}

/**
 * After a container's record is gone (`rm -v`, `run --rm`): its anonymous
 * volumes that no other container uses (--volumes-from) go too. Best effort:
 * a volume left behind is for `volume prune`.
 */
export function removeAnonymousVolumes(ctx: Context, record: ContainerRecord): void {
  const names = (record.mounts ?? []).filter((m) => m.type === 'volume' && m.anonymous).map((m) => m.source);
  if (names.length === 0) return;
  const store = new VolumeStore(ctx);
  try {
    store.locked(() => {
      const users = volumeUsers(ctx);
      for (const n of names) {
        if (!users.get(n)?.some((c) => c.id !== record.id) && store.read(n)) store.remove(n);
      }
    });
  } catch {
    /* left for `volume prune` */
  }
}
