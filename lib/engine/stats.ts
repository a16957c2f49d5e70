// `husk stats`: what each container's cgroup counted (CPU, memory, block
// I/O, processes) and what its network namespace moved, sampled on demand;
// no daemon keeps a history. The first CPU figure is the average since the
// container started (as podman's), later ones are over the last interval.
import fs from 'node:fs';
import os from 'node:os';
import type { Spec } from '../core/oci-spec.js';
import type { Context } from '../core/context.js';
import { ContainerStore, isAlive, type ContainerView } from '../runtime/container-store.js';
import { containerUsage } from '../runtime/container-cgroup.js';

export interface StatsRow {
  id: string;
  name: string;
  /** Percent of one CPU (200 is two CPUs busy). */
  cpuPercent?: number;
  memUsage?: number;
  memLimit?: number;
  memPercent?: number;
  netRx?: number;
  netTx?: number;
  blockRead?: number;
  blockWrite?: number;
  pids?: number;
}

export interface StatsQuery {
  names: string[];
  /** Stopped containers too (their figures are empty). */
  all: boolean;
}

/** A sampler: each call reads every selected container once; CPU percentages are over the time since the previous call. */
export function statsSampler(ctx: Context, q: StatsQuery): () => StatsRow[] {
  const store = new ContainerStore(ctx);
  const last = new Map<string, { cpuNs: number; at: number }>();
  // A container's cgroup does not move: its spec is read once, not at every refresh.
  const paths = new Map<string, string | undefined>();
  const pathOf = (v: ContainerView) => {
    if (!paths.has(v.record.id)) paths.set(v.record.id, cgroupsPathOf(store, v));
    return paths.get(v.record.id);
  };
  const select = (): ContainerView[] => (q.names.length > 0 ? q.names.map((n) => store.get(n)) : store.list().filter((v) => !v.record.builder && (q.all || isRunning(v))));
  return () => select().map((v) => sampleOne(ctx, v, pathOf(v), last));
}

function isRunning(v: ContainerView): boolean {
  return v.status === 'running' && !!v.state && isAlive(v.state);
}

function sampleOne(ctx: Context, v: ContainerView, cgroupsPath: string | undefined, last: Map<string, { cpuNs: number; at: number }>): StatsRow {
  const row: StatsRow = { id: v.record.id, name: v.record.name };
  if (!isRunning(v)) return row;
  const now = Date.now();
  if (cgroupsPath) {
    const u = containerUsage(ctx, cgroupsPath);
    const hostMemory = os.totalmem();
    const limit = u.memoryLimit !== undefined ? Math.min(u.memoryLimit, hostMemory) : hostMemory;
    Object.assign(row, { memUsage: u.memory, memLimit: limit, pids: u.pids, blockRead: u.blockRead, blockWrite: u.blockWrite });
    if (u.memory !== undefined) row.memPercent = (u.memory / limit) * 100;
    if (u.cpuNs !== undefined) {
      const prev = last.get(v.record.id) ?? { cpuNs: 0, at: Date.parse(v.state?.startedAt ?? v.record.created) };
      const wallNs = Math.max(1, (now - prev.at) * 1e6);
      row.cpuPercent = Math.max(0, ((u.cpuNs - prev.cpuNs) / wallNs) * 100);
      last.set(v.record.id, { cpuNs: u.cpuNs, at: now });
    }
  }
  Object.assign(row, netIO(v.state!.pid));
  return row;
}

function cgroupsPathOf(store: ContainerStore, v: ContainerView): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(store.paths(v.record.id).config, 'utf8')) as Spec).linux.cgroupsPath;
  } catch {
    return undefined;
  }
}

/** Bytes received and sent by the container's interfaces (not lo), from its network namespace's /proc/net/dev. */
function netIO(pid: number): { netRx?: number; netTx?: number } {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8');
  } catch {
    return {};
  }
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { netRx: rx, netTx: tx };
}
