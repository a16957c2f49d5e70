// Resource limits (linux.resources memory, cpu, pids, blockIO) in the
// container's cgroup, and the controllers pause and stats read:
// - as root on cgroup v1 or hybrid hosts: husk/<id> in each v1 hierarchy
//   (memory, cpu, cpuacct, cpuset, pids, blkio, freezer), as runc does;
// - cgroup v2: <base>/husk/<id> in the unified hierarchy, with the
//   controllers enabled down to it; <base> is the root as root, and
//   rootless the subtree the user was delegated (systemd's user@UID.service
//   with Delegate=yes: the topmost cgroup of ours that we own);
// - rootless elsewhere: no cgroup. Without limits the container runs as
//   before; a limit is refused with what the host lacks.
// The device rules live beside these (cgroups.ts): on v2 in the same
// directory, on v1 in the devices hierarchy.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import type { Resources } from '../core/oci-spec.js';
import { HuskError, UsageError } from '../core/errors.js';

/** The v1 hierarchies a container gets a cgroup in (the directory names under /sys/fs/cgroup). */
export const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'cpuset', 'pids', 'blkio', 'freezer'] as const;
/** The v2 controllers enabled down to a container's cgroup. */
const V2_CONTROLLERS = ['cpu', 'cpuset', 'io', 'memory', 'pids'];

export type LimitCgroups =
  | { kind: 'v1'; roots: Record<string, string> }
  | { kind: 'v2'; root: string; base: string; controllers: string[] }
  | { kind: 'none'; why: string };

/** Where this process can give containers cgroups of their own, and with which controllers. */
export function limitCgroups(ctx: Context, selfCgroup = '/proc/self/cgroup'): LimitCgroups {
  const fsRoot = ctx.cgroupFs;
  const unified = fs.existsSync(path.join(fsRoot, 'cgroup.controllers'));
  if (!unified) {
    const roots: Record<string, string> = {};
    for (const c of V1_CONTROLLERS) if (fs.existsSync(path.join(fsRoot, c, 'tasks'))) roots[c] = path.join(fsRoot, c);
    if (Object.keys(roots).length === 0) return { kind: 'none', why: `no cgroup hierarchy is mounted at ${fsRoot}` };
    if (ctx.rootless) return { kind: 'none', why: 'this host has cgroup v1 controllers, which cannot be delegated to a user: run as root, or boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1)' };
    return { kind: 'v1', roots };
  }
  const available = readWords(path.join(fsRoot, 'cgroup.controllers'));
  if (!ctx.rootless) return { kind: 'v2', root: fsRoot, base: '', controllers: V2_CONTROLLERS.filter((c) => available.includes(c)) };
  const base = delegatedBase(ctx, fsRoot, selfCgroup);
  if (!base) return { kind: 'none', why: 'no cgroup v2 subtree is delegated to this user: run husk from a systemd user session (user@UID.service has Delegate=yes), or as root' };
  const enabled = readWords(path.join(fsRoot, base, 'cgroup.subtree_control'));
  const controllers = V2_CONTROLLERS.filter((c) => enabled.includes(c));
  if (controllers.length === 0) return { kind: 'none', why: `the delegated cgroup ${base} enables no controllers for its children (cgroup.subtree_control is empty)` };
  return { kind: 'v2', root: fsRoot, base, controllers };
}

/** The topmost cgroup above (and including) ours that this user owns: where systemd delegated. */
function delegatedBase(ctx: Context, fsRoot: string, selfCgroup: string): string | undefined {
  let own: string | undefined;
  try {
    own = fs.readFileSync(selfCgroup, 'utf8').split('\n').find((l) => l.startsWith('0::'))?.slice(3);
  } catch {
    return undefined;
  }
  if (!own) return undefined;
  let found: string | undefined;
  for (let p = own; p !== '/' && p !== ''; p = path.posix.dirname(p)) {
    try {
      if (fs.statSync(path.join(fsRoot, p)).uid !== ctx.uid) break;
      fs.accessSync(path.join(fsRoot, p, 'cgroup.subtree_control'), fs.constants.W_OK);
      found = p;
    } catch {
      break;
    }
  }
  return found;
}

function readWords(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** linux.cgroupsPath of a container: relative to each hierarchy's root. */
export function limitCgroupsPath(cg: LimitCgroups, id: string, parent = 'husk'): string | undefined {
  if (cg.kind === 'none') return undefined;
  return path.posix.join('/', cg.kind === 'v2' ? cg.base : '', parent, id);
}

/** Every directory of a container's cgroup (one per v1 hierarchy). */
function dirsOf(cg: LimitCgroups, cgroupsPath: string): string[] {
  if (cg.kind === 'v1') return Object.values(cg.roots).map((r) => path.join(r, cgroupsPath));
  if (cg.kind === 'v2') return [path.join(cg.root, cgroupsPath)];
  return [];
}

/**
 * Makes the container's cgroup (what a previous start left goes first) and
 * writes its limits; the cgroup.procs files its processes are to join. A
 * limit the cgroup refuses is a clear error, and nothing is left.
 */
export function setUpLimits(cg: LimitCgroups, cgroupsPath: string, resources: Resources): string[] {
  if (cg.kind === 'none') return [];
  if (cg.kind === 'v2') {
    try {
      makeV2(cg, cgroupsPath);
      writeV2(path.join(cg.root, cgroupsPath), resources);
    } catch (err) {
      removeLimits(cg, cgroupsPath);
      throw err;
    }
    return [path.join(cg.root, cgroupsPath, 'cgroup.procs')];
  }
  const procs: string[] = [];
  for (const [controller, root] of Object.entries(cg.roots)) {
    const dir = path.join(root, cgroupsPath);
    try {
      makeV1(root, dir, controller);
      writeV1(controller, dir, resources);
      procs.push(path.join(dir, 'cgroup.procs'));
    } catch (err) {
      removeDir(dir);
      // A hierarchy no limit needs (kept for stats and pause) is left out rather than fail the container.
      if (!needs(controller, resources)) continue;
      removeLimits(cg, cgroupsPath);
      throw err;
    }
  }
  return procs;
}

/** Whether a limit asked for lives in this v1 hierarchy. */
function needs(controller: string, r: Resources): boolean {
  switch (controller) {
    case 'memory':
      return r.memory !== undefined;
    case 'cpu':
      return r.cpu?.quota !== undefined || r.cpu?.period !== undefined || r.cpu?.shares !== undefined;
    case 'cpuset':
      return r.cpu?.cpus !== undefined || r.cpu?.mems !== undefined;
    case 'pids':
      return r.pids !== undefined;
    case 'blkio':
      return r.blockIO !== undefined;
    default:
      return false;
  }
}

/** New limits on an existing cgroup (update): only what `resources` names is written. */
export function applyLimits(cg: LimitCgroups, cgroupsPath: string, resources: Resources): void {
  if (cg.kind === 'v1') for (const [controller, root] of Object.entries(cg.roots)) writeV1(controller, path.join(root, cgroupsPath), resources);
  if (cg.kind === 'v2') writeV2(path.join(cg.root, cgroupsPath), resources);
}

/** The cgroup.procs files of a running container, for a process exec'd into it. */
export function limitProcsOf(cg: LimitCgroups, cgroupsPath: string): string[] {
  return dirsOf(cg, cgroupsPath)
    .filter((d) => fs.existsSync(d))
    .map((d) => path.join(d, 'cgroup.procs'));
}

export function removeLimits(cg: LimitCgroups, cgroupsPath: string): void {
  for (const dir of dirsOf(cg, cgroupsPath)) removeDir(dir);
}

/** rmdir, waiting a little while the last processes of a killed container leave. Best effort. */
function removeDir(dir: string): void {
  for (let tries = 0; tries < 100; tries++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code !== 'EBUSY') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** A v1 cgroup, afresh; cpuset's cpus and mems are copied from the parent first (empty ones refuse tasks). */
function makeV1(root: string, dir: string, controller: string): void {
  removeDir(dir);
  let parent = root;
  for (const part of path.relative(root, dir).split(path.sep)) {
    const child = path.join(parent, part);
    if (!fs.existsSync(child)) fs.mkdirSync(child, { mode: 0o755 });
    if (controller === 'cpuset') for (const f of ['cpuset.cpus', 'cpuset.mems']) if (read(child, f) === '') write(child, f, read(parent, f));
    parent = child;
  }
}

/** A v2 cgroup with the controllers enabled in every cgroup.subtree_control above it. */
function makeV2(cg: Extract<LimitCgroups, { kind: 'v2' }>, cgroupsPath: string): void {
  const dir = path.join(cg.root, cgroupsPath);
  removeDir(dir);
  const enable = cg.controllers.map((c) => `+${c}`).join(' ');
  let parent = path.join(cg.root, cg.base);
  for (const part of path.relative(parent, dir).split(path.sep)) {
    const child = path.join(parent, part);
    // The parent gives its children the controllers (it holds no processes: the root, or one husk made).
    if (enable && !cg.controllers.every((c) => readWords(path.join(parent, 'cgroup.subtree_control')).includes(c))) write(parent, 'cgroup.subtree_control', enable);
    if (!fs.existsSync(child)) fs.mkdirSync(child, { mode: 0o755 });
    parent = child;
  }
}

function writeV1(controller: string, dir: string, r: Resources): void {
  const m = r.memory;
  const c = r.cpu;
  const b = r.blockIO;
  if (controller === 'memory' && m) {
    if (m.limit !== undefined) write(dir, 'memory.limit_in_bytes', m.limit);
    if (m.reservation !== undefined) write(dir, 'memory.soft_limit_in_bytes', m.reservation);
    if (m.swap !== undefined && fs.existsSync(path.join(dir, 'memory.memsw.limit_in_bytes'))) write(dir, 'memory.memsw.limit_in_bytes', m.swap);
    if (m.swappiness !== undefined) write(dir, 'memory.swappiness', m.swappiness);
    if (m.disableOOMKiller) write(dir, 'memory.oom_control', 1);
  }
  if (controller === 'cpu' && c) {
    if (c.period !== undefined) write(dir, 'cpu.cfs_period_us', c.period);
    if (c.quota !== undefined) write(dir, 'cpu.cfs_quota_us', c.quota);
    if (c.shares !== undefined) write(dir, 'cpu.shares', c.shares);
  }
  if (controller === 'cpuset' && c) {
    if (c.cpus !== undefined) write(dir, 'cpuset.cpus', c.cpus);
    if (c.mems !== undefined) write(dir, 'cpuset.mems', c.mems);
  }
  if (controller === 'pids' && r.pids) write(dir, 'pids.max', r.pids.limit < 0 ? 'max' : r.pids.limit);
  if (controller === 'blkio' && b) {
    const weightFile = fs.existsSync(path.join(dir, 'blkio.weight')) ? 'blkio.weight' : 'blkio.bfq.weight';
    if (b.weight !== undefined) write(dir, weightFile, b.weight);
    for (const d of b.weightDevice ?? []) write(dir, `${weightFile}_device`, `${d.major}:${d.minor} ${d.weight}`);
    for (const [list, file] of [
      [b.throttleReadBpsDevice, 'blkio.throttle.read_bps_device'],
      [b.throttleWriteBpsDevice, 'blkio.throttle.write_bps_device'],
      [b.throttleReadIOPSDevice, 'blkio.throttle.read_iops_device'],
      [b.throttleWriteIOPSDevice, 'blkio.throttle.write_iops_device'],
    ] as const) {
      for (const d of list ?? []) write(dir, file, `${d.major}:${d.minor} ${d.rate}`);
    }
  }
}

function writeV2(dir: string, r: Resources): void {
  const m = r.memory;
  if (m?.limit !== undefined) write(dir, 'memory.max', m.limit);
  if (m?.reservation !== undefined) write(dir, 'memory.low', m.reservation);
  // docker's swap counts memory plus swap; v2's swap is the swap alone.
  if (m?.swap !== undefined) write(dir, 'memory.swap.max', m.swap < 0 ? 'max' : m.swap - (m.limit ?? 0));
  const c = r.cpu;
  if (c?.quota !== undefined || c?.period !== undefined) write(dir, 'cpu.max', `${c.quota ?? 'max'} ${c.period ?? 100000}`);
  // runc's conversion of v1 shares (2..262144) to v2 weight (1..10000).
  if (c?.shares !== undefined) write(dir, 'cpu.weight', 1 + Math.floor(((c.shares - 2) * 9999) / 262142));
  if (c?.cpus !== undefined) write(dir, 'cpuset.cpus', c.cpus);
  if (c?.mems !== undefined) write(dir, 'cpuset.mems', c.mems);
  if (r.pids) write(dir, 'pids.max', r.pids.limit < 0 ? 'max' : r.pids.limit);
  const b = r.blockIO;
  if (b?.weight !== undefined) write(dir, 'io.weight', `default ${b.weight}`);
  for (const d of b?.weightDevice ?? []) write(dir, 'io.weight', `${d.major}:${d.minor} ${d.weight}`);
  const max = new Map<string, string[]>();
  const add = (list: Array<{ major: number; minor: number; rate: number }> | undefined, key: string) => {
    for (const d of list ?? []) max.set(`${d.major}:${d.minor}`, [...(max.get(`${d.major}:${d.minor}`) ?? []), `${key}=${d.rate}`]);
  };
  add(b?.throttleReadBpsDevice, 'rbps');
  add(b?.throttleWriteBpsDevice, 'wbps');
  add(b?.throttleReadIOPSDevice, 'riops');
  add(b?.throttleWriteIOPSDevice, 'wiops');
  for (const [dev, keys] of max) write(dir, 'io.max', `${dev} ${keys.join(' ')}`);
}

function read(dir: string, file: string): string {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8').trim();
  } catch {
    return '';
  }
}

function write(dir: string, file: string, value: string | number): void {
  try {
    fs.writeFileSync(path.join(dir, file), String(value));
  } catch (err) {
    // cgroupfs answers a file it does not have with EACCES (it refuses to create one).
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'ENOENT' || code === 'EACCES') && !fs.existsSync(path.join(dir, file))) {
      throw new UsageError(`this host's cgroup has no ${file}: the limit it sets is not available here`);
    }
    throw new HuskError(`cannot set ${file} to ${value} in the container's cgroup: ${(err as Error).message}`);
  }
}

/** The file that freezes a container's cgroup: v1 freezer.state, v2 cgroup.freeze (undefined: none here). */
export function freezerFile(cg: LimitCgroups, cgroupsPath: string): string | undefined {
  if (cg.kind === 'v1') return cg.roots.freezer ? path.join(cg.roots.freezer, cgroupsPath, 'freezer.state') : undefined;
  if (cg.kind === 'v2') return path.join(cg.root, cgroupsPath, 'cgroup.freeze');
  return undefined;
}

/** Whether the cgroup is frozen (or freezing): what pause asked for. */
export function isFrozen(file: string): boolean {
  try {
    const v = fs.readFileSync(file, 'utf8').trim();
    return v === '1' || v === 'FROZEN' || v === 'FREEZING';
  } catch {
    return false;
  }
}

/**
 * Freezes or thaws every process of the cgroup, and waits (at most a few
 * seconds) until the kernel says it is done: v1 passes through FREEZING,
 * v2 reports "frozen 1" in cgroup.events.
 */
export function setFrozen(file: string, frozen: boolean): void {
  const v1 = file.endsWith('freezer.state');
  fs.writeFileSync(file, v1 ? (frozen ? 'FROZEN' : 'THAWED') : frozen ? '1' : '0');
  const done = () => (v1 ? fs.readFileSync(file, 'utf8').trim() === (frozen ? 'FROZEN' : 'THAWED') : new RegExp(`^frozen ${frozen ? 1 : 0}$`, 'm').test(read(path.dirname(file), 'cgroup.events')));
  for (let i = 0; i < 500 && !done(); i++) {
    // v1 retries a freeze that raced a fork by writing it again.
    if (v1 && frozen && i % 10 === 9) fs.writeFileSync(file, 'FROZEN');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  if (!done()) throw new HuskError(`the container's cgroup did not ${frozen ? 'freeze' : 'thaw'} in 5 seconds (${file})`);
}

/** How many times the kernel's OOM killer killed in the cgroup (v1 memory.oom_control, v2 memory.events). */
export function oomKills(cg: LimitCgroups, cgroupsPath: string): number {
  const text = cg.kind === 'v1' && cg.roots.memory ? read(path.join(cg.roots.memory, cgroupsPath), 'memory.oom_control') : cg.kind === 'v2' ? read(path.join(cg.root, cgroupsPath), 'memory.events') : '';
  return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** What a container's cgroup says it used. Undefined fields: the host does not count them. */
export interface CgroupUsage {
  /** CPU time in nanoseconds. */
  cpuNs?: number;
  /** Memory in use, page cache that can be dropped left out (as docker counts it). */
  memory?: number;
  /** The memory limit (the host's memory when none). */
  memoryLimit?: number;
  pids?: number;
  blockRead?: number;
  blockWrite?: number;
}

export function cgroupUsage(cg: LimitCgroups, cgroupsPath: string): CgroupUsage {
  if (cg.kind === 'v1') {
    const dir = (c: string) => (cg.roots[c] ? path.join(cg.roots[c]!, cgroupsPath) : '');
    const memStat = read(dir('memory'), 'memory.stat');
    const usage = num(read(dir('memory'), 'memory.usage_in_bytes'));
    const limit = num(read(dir('memory'), 'memory.limit_in_bytes'));
    const io = read(dir('blkio'), 'blkio.throttle.io_service_bytes');
    return {
      cpuNs: num(read(dir('cpuacct'), 'cpuacct.usage')),
      memory: usage === undefined ? undefined : usage - (statValue(memStat, 'total_inactive_file') ?? 0),
      memoryLimit: limit,
      pids: num(read(dir('pids'), 'pids.current')),
      blockRead: sumLines(io, /^\S+ Read (\d+)$/gm),
      blockWrite: sumLines(io, /^\S+ Write (\d+)$/gm),
    };
  }
  if (cg.kind === 'v2') {
    const dir = path.join(cg.root, cgroupsPath);
    const usage = num(read(dir, 'memory.current'));
    const io = read(dir, 'io.stat');
    const usec = statValue(read(dir, 'cpu.stat'), 'usage_usec');
    return {
      cpuNs: usec === undefined ? undefined : usec * 1000,
      memory: usage === undefined ? undefined : usage - (statValue(read(dir, 'memory.stat'), 'inactive_file') ?? 0),
      memoryLimit: num(read(dir, 'memory.max')),
      pids: num(read(dir, 'pids.current')),
      blockRead: sumLines(io, /rbytes=(\d+)/g),
      blockWrite: sumLines(io, /wbytes=(\d+)/g),
    };
  }
  return {};
}

function num(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function statValue(text: string, key: string): number | undefined {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

function sumLines(text: string, re: RegExp): number | undefined {
  if (!text) return undefined;
  let sum = 0;
  for (const m of text.matchAll(re)) sum += Number(m[1]);
  return sum;
}
