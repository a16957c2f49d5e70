// A container's cgroup as a whole: its device rules (cgroups.ts, root only)
// and its limits and accounting (cgroup-limits.ts). Made at each start,
// joined by the init and by every exec'd process, removed with the
// container. linux.cgroupsPath in the spec says where it is.
import path from 'node:path';
import type { Context } from '../core/context.js';
import type { Resources } from '../core/oci-spec.js';
import { UsageError } from '../core/errors.js';
import { cgroupProcsOf, cgroupsPathOf, deviceCgroups, removeDeviceCgroup, setUpDeviceCgroup, type DeviceCgroups } from './cgroups.js';
import { hasLimits } from './resources.js';
import { applyLimits, cgroupUsage, freezerFile, limitCgroups, oomKills, type CgroupUsage, limitCgroupsPath, limitProcsOf, removeLimits, setUpLimits, type LimitCgroups } from './cgroup-limits.js';

interface Cgroups {
  devices?: DeviceCgroups;
  limits: LimitCgroups;
}

// Probed once per command: create, start and stats ask several times, and the host does not change meanwhile.
const probed = new WeakMap<Context, Cgroups>();

function cgroupsOf(ctx: Context): Cgroups {
  let cg = probed.get(ctx);
  if (!cg) probed.set(ctx, (cg = { devices: ctx.rootless ? undefined : deviceCgroups(ctx.cgroupFs), limits: limitCgroups(ctx) }));
  return cg;
}

/**
 * linux.cgroupsPath for a new container, or undefined when it gets none
 * (rootless without a delegated cgroup); limits asked for where none can be
 * set are refused here, before anything is made.
 */
export function cgroupsPathFor(ctx: Context, id: string, resources: Resources, parent?: string): string | undefined {
  const cg = cgroupsOf(ctx);
  if (cg.limits.kind === 'none' && hasLimits(resources)) throw new UsageError(`resource limits cannot be set: ${cg.limits.why}`);
  if (parent !== undefined && (parent.split('/').includes('..') || parent.replace(/\//g, '') === '')) throw new UsageError(`invalid --cgroup-parent "${parent}": give a path of cgroups, e.g. /ci/jobs, without ".."`);
  // --cgroup-parent: from each hierarchy's root as root, within the delegated subtree rootless.
  const under = parent === undefined ? undefined : parent.replace(/^\/+/, '');
  if (parent !== undefined && cg.limits.kind === 'none') throw new UsageError(`--cgroup-parent cannot be used: ${cg.limits.why}`);
  if (!ctx.rootless) {
    if (cg.devices?.kind === 'none' && cg.limits.kind === 'none') return undefined;
    return under === undefined ? cgroupsPathOf(id) : path.posix.join('/', under, id);
  }
  return limitCgroupsPath(cg.limits, id, under);
}

/** Whether this host confines a root container's devices (else such containers are refused what needs it). */
export function devicesConfined(ctx: Context): boolean {
  return !ctx.rootless && deviceCgroups(ctx.cgroupFs).kind !== 'none';
}

/** Makes the container's cgroup afresh at a start; the cgroup.procs files the init joins. */
export function setUpContainerCgroup(ctx: Context, cgroupsPath: string, resources: Resources): string[] {
  const cg = cgroupsOf(ctx);
  const sameDir = cg.devices?.kind === 'v2' && cg.limits.kind === 'v2' && cg.devices.root === cg.limits.root;
  const procs: string[] = [];
  if (cg.devices && cg.devices.kind !== 'none' && !sameDir) procs.push(setUpDeviceCgroup(ctx, cg.devices, cgroupsPath, resources.devices ?? []));
  try {
    procs.push(...setUpLimits(cg.limits, cgroupsPath, resources));
    // cgroup v2: one directory holds the limits and the device program.
    if (sameDir) ctx.native().attachDeviceFilter(path.join(cg.limits.kind === 'v2' ? cg.limits.root : '', cgroupsPath), resources.devices ?? []);
  } catch (err) {
    removeContainerCgroup(ctx, cgroupsPath);
    throw err;
  }
  return [...new Set(procs)];
}

/** The cgroup.procs files of a running container, for a process exec'd into it. */
export function containerCgroupProcs(ctx: Context, cgroupsPath: string): string[] {
  const cg = cgroupsOf(ctx);
  const procs = cg.devices && cg.devices.kind !== 'none' ? [cgroupProcsOf(cg.devices, cgroupsPath)] : [];
  return [...new Set([...procs, ...limitProcsOf(cg.limits, cgroupsPath)])];
}

/** Removes the container's cgroup (best effort: an empty cgroup left behind holds nothing). */
export function removeContainerCgroup(ctx: Context, cgroupsPath: string): void {
  const cg = cgroupsOf(ctx);
  removeLimits(cg.limits, cgroupsPath);
  if (cg.devices) removeDeviceCgroup(cg.devices, cgroupsPath);
}

/** The file pause writes for this container (recorded with it; undefined: it cannot be paused here). */
export function containerFreezer(ctx: Context, cgroupsPath: string | undefined): string | undefined {
  return cgroupsPath ? freezerFile(cgroupsOf(ctx).limits, cgroupsPath) : undefined;
}

/** update: new limits for a running container's cgroup. */
export function updateContainerCgroup(ctx: Context, cgroupsPath: string, resources: Resources): void {
  applyLimits(cgroupsOf(ctx).limits, cgroupsPath, resources);
}

/** Whether the OOM killer killed in the container's cgroup (read after it exited, before the cgroup goes). */
export function containerOomKilled(ctx: Context, cgroupsPath: string): boolean {
  return oomKills(cgroupsOf(ctx).limits, cgroupsPath) > 0;
}

/** What the container's cgroup counted (stats). */
export function containerUsage(ctx: Context, cgroupsPath: string): CgroupUsage {
  return cgroupUsage(cgroupsOf(ctx).limits, cgroupsPath);
}
