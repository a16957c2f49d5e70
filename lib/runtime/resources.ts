// The resource flags of run, create and update (--memory, --cpus,
// --pids-limit, --blkio-weight, ...) as docker parses them, into the OCI
// spec's linux.resources; the cgroup code (cgroups.ts) applies them.
import fs from 'node:fs';
import os from 'node:os';
import type { BlockIODevice, Resources } from '../core/oci-spec.js';
import { UsageError } from '../core/errors.js';

export interface ResourceFlags {
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  memorySwappiness?: number;
  kernelMemory?: string;
  oomKillDisable?: boolean;
  cpus?: string;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: number;
  blkioWeight?: number;
  blkioWeightDevice?: string[];
  deviceReadBps?: string[];
  deviceWriteBps?: string[];
  deviceReadIops?: string[];
  deviceWriteIops?: string[];
}

export interface ParsedResources {
  resources: Resources;
  /** What was accepted and ignored, for the user (--kernel-memory, as podman does). */
  warnings: string[];
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** docker's RAMInBytes: 512, 512k, 64m, 1.5g (binary units; a trailing b is allowed: 64mb). */
export function parseBytes(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgtp]?)b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`invalid ${flag} "${text}": give a size such as 512m or 1g`);
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}

/** The smallest memory limit docker accepts: less cannot even start a container. */
const MIN_MEMORY = 6 * 1024 * 1024;
const CPU_PERIOD = 100_000;

export function parseResources(f: ResourceFlags): ParsedResources {
  const resources: Resources = {};
  const warnings: string[] = [];
  const memory = memoryOf(f, warnings);
  if (memory) resources.memory = memory;
  const cpu = cpuOf(f);
  if (cpu) resources.cpu = cpu;
  if (f.pidsLimit !== undefined) {
    if (!Number.isInteger(f.pidsLimit) || f.pidsLimit < -1) throw new UsageError(`invalid --pids-limit ${f.pidsLimit}: give a number of tasks, or -1 (or 0) for no limit`);
    resources.pids = { limit: f.pidsLimit <= 0 ? -1 : f.pidsLimit };
  }
  const blockIO = blockIOOf(f);
  if (blockIO) resources.blockIO = blockIO;
  return { resources, warnings };
}

function memoryOf(f: ResourceFlags, warnings: string[]): Resources['memory'] {
  const out: NonNullable<Resources['memory']> = {};
  if (f.memory !== undefined) {
    out.limit = parseBytes(f.memory, '--memory');
    if (out.limit < MIN_MEMORY) throw new UsageError(`invalid --memory ${f.memory}: the minimum memory limit is 6MB`);
  }
  if (f.memoryReservation !== undefined) out.reservation = parseBytes(f.memoryReservation, '--memory-reservation');
  if (out.limit !== undefined && out.reservation !== undefined && out.reservation > out.limit) {
    throw new UsageError('--memory-reservation must be below --memory: the limit is the most, the reservation what the container keeps under pressure');
  }
  if (f.memorySwap !== undefined) {
    if (out.limit === undefined) throw new UsageError('--memory-swap needs --memory: it counts memory plus swap');
    out.swap = f.memorySwap === '-1' ? -1 : parseBytes(f.memorySwap, '--memory-swap');
    if (out.swap !== -1 && out.swap < out.limit) throw new UsageError(`invalid --memory-swap ${f.memorySwap}: it counts memory plus swap, so it must be at least --memory (${f.memory}), or -1 for unlimited swap`);
  }
  if (f.memorySwappiness !== undefined && f.memorySwappiness !== -1) {
    if (!Number.isInteger(f.memorySwappiness) || f.memorySwappiness < 0 || f.memorySwappiness > 100) throw new UsageError(`invalid --memory-swappiness ${f.memorySwappiness}: give 0 to 100`);
    out.swappiness = f.memorySwappiness;
  }
  if (f.kernelMemory !== undefined) {
    parseBytes(f.kernelMemory, '--kernel-memory');
    warnings.push('--kernel-memory is ignored: kernels no longer limit kernel memory apart');
  }
  if (f.oomKillDisable) out.disableOOMKiller = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

function cpuOf(f: ResourceFlags): Resources['cpu'] {
  const out: NonNullable<Resources['cpu']> = {};
  if (f.cpus !== undefined) {
    if (f.cpuPeriod !== undefined || f.cpuQuota !== undefined) throw new UsageError('--cpus and --cpu-period/--cpu-quota cannot be used together: --cpus sets both');
    const cpus = Number(f.cpus);
    const online = os.cpus().length;
    if (!/^\d*\.?\d+$/.test(f.cpus) || !(cpus > 0)) throw new UsageError(`invalid --cpus ${f.cpus}: give a number of CPUs such as 0.5 or 2`);
    if (cpus > online) throw new UsageError(`invalid --cpus ${f.cpus}: this machine has ${online} CPUs`);
    out.quota = Math.round(cpus * CPU_PERIOD);
    out.period = CPU_PERIOD;
  }
  if (f.cpuPeriod !== undefined) {
    if (!Number.isInteger(f.cpuPeriod) || f.cpuPeriod < 1000 || f.cpuPeriod > 1_000_000) throw new UsageError(`invalid --cpu-period ${f.cpuPeriod}: give 1000 to 1000000 microseconds`);
    out.period = f.cpuPeriod;
  }
  if (f.cpuQuota !== undefined) {
    if (!Number.isInteger(f.cpuQuota) || (f.cpuQuota < 1000 && f.cpuQuota !== -1 && f.cpuQuota !== 0)) throw new UsageError(`invalid --cpu-quota ${f.cpuQuota}: give at least 1000 microseconds, or -1 for none`);
    if (f.cpuQuota > 0) out.quota = f.cpuQuota;
  }
  if (f.cpuShares !== undefined && f.cpuShares !== 0) {
    if (!Number.isInteger(f.cpuShares) || f.cpuShares < 2 || f.cpuShares > 262144) throw new UsageError(`invalid --cpu-shares ${f.cpuShares}: give 2 to 262144 (1024 is one CPU's share)`);
    out.shares = f.cpuShares;
  }
  if (f.cpusetCpus !== undefined) out.cpus = cpuList(f.cpusetCpus, '--cpuset-cpus', onlineSet('/sys/devices/system/cpu/online'));
  if (f.cpusetMems !== undefined) out.mems = cpuList(f.cpusetMems, '--cpuset-mems', onlineSet('/sys/devices/system/node/online'));
  return Object.keys(out).length > 0 ? out : undefined;
}

/** "0-3,5": checked against what the machine has online. */
function cpuList(text: string, flag: string, online: Set<number> | undefined): string {
  const ids: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) throw new UsageError(`invalid ${flag} "${text}": give a list such as 0-3,5`);
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) ids.push(i);
  }
  const missing = online ? ids.filter((i) => !online.has(i)) : [];
  if (missing.length > 0) throw new UsageError(`invalid ${flag} "${text}": ${missing.join(',')} not available on this machine (online: ${[...online!].join(',')})`);
  return text.replace(/\s/g, '');
}

function onlineSet(file: string): Set<number> | undefined {
  try {
    const set = new Set<number>();
    for (const part of fs.readFileSync(file, 'utf8').trim().split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let i = a!; i <= (b ?? a!); i++) set.add(i);
    }
    return set;
  } catch {
    return undefined;
  }
}

function blockIOOf(f: ResourceFlags): Resources['blockIO'] {
  const out: NonNullable<Resources['blockIO']> = {};
  if (f.blkioWeight !== undefined && f.blkioWeight !== 0) {
    if (!Number.isInteger(f.blkioWeight) || f.blkioWeight < 10 || f.blkioWeight > 1000) throw new UsageError(`invalid --blkio-weight ${f.blkioWeight}: give 10 to 1000`);
    out.weight = f.blkioWeight;
  }
  const weights = (f.blkioWeightDevice ?? []).map((s) => {
    const [dev, w] = deviceValue(s, '--blkio-weight-device');
    const weight = Number(w);
    if (!Number.isInteger(weight) || weight < 10 || weight > 1000) throw new UsageError(`invalid --blkio-weight-device "${s}": the weight must be 10 to 1000`);
    return { ...dev, weight };
  });
  if (weights.length) out.weightDevice = weights;
  const rates = (list: string[] | undefined, flag: string, bytes: boolean) =>
    (list ?? []).map((s) => {
      const [dev, v] = deviceValue(s, flag);
      const rate = bytes ? parseBytes(v, flag) : Number(v);
      if (!Number.isInteger(rate) || rate <= 0) throw new UsageError(`invalid ${flag} "${s}": give DEVICE:RATE with a rate above 0`);
      return { ...dev, rate };
    });
  const rb = rates(f.deviceReadBps, '--device-read-bps', true);
  const wb = rates(f.deviceWriteBps, '--device-write-bps', true);
  const ri = rates(f.deviceReadIops, '--device-read-iops', false);
  const wi = rates(f.deviceWriteIops, '--device-write-iops', false);
  if (rb.length) out.throttleReadBpsDevice = rb;
  if (wb.length) out.throttleWriteBpsDevice = wb;
  if (ri.length) out.throttleReadIOPSDevice = ri;
  if (wi.length) out.throttleWriteIOPSDevice = wi;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** "/dev/sda:VALUE": the block device's numbers and the value. */
function deviceValue(spec: string, flag: string): [BlockIODevice, string] {
  const i = spec.lastIndexOf(':');
  if (i <= 0) throw new UsageError(`invalid ${flag} "${spec}": give DEVICE:VALUE, e.g. /dev/sda:10mb`);
  const path = spec.slice(0, i);
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch {
    throw new UsageError(`invalid ${flag} "${spec}": ${path} does not exist`);
  }
  if (!st.isBlockDevice()) throw new UsageError(`invalid ${flag} "${spec}": ${path} is not a block device`);
  return [{ major: Math.floor(st.rdev / 256) & 0xfff, minor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00) }, spec.slice(i + 1)];
}

/** Whether any limit is asked for (a rootless container without a delegated cgroup can then not run). */
export function hasLimits(r: Resources): boolean {
  return r.memory !== undefined || r.cpu !== undefined || r.pids !== undefined || r.blockIO !== undefined;
}
