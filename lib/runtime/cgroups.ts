// A root container's own cgroup, as it confines its devices (its limits:
// cgroup-limits.ts; both joined in container-cgroup.ts). It is <hierarchy>/husk/<id>
// (linux.cgroupsPath /husk/<id>), made afresh at each start and removed
// with the container:
// - cgroup v1 (this kind of machine: the devices controller at
//   /sys/fs/cgroup/devices): everything denied, then the allowlist, written
//   to devices.deny and devices.allow;
// - cgroup v2 (also the unified hierarchy of a hybrid layout): an eBPF
//   BPF_PROG_TYPE_CGROUP_DEVICE program the addon builds from the same rules
//   and attaches to the directory.
// The addon moves the init there before it runs anything of the image, and
// every exec'd process before it forks (addon/src/cgroup.cc).
// Rootless containers get none: v1 devices cannot be delegated, an eBPF
// device program needs CAP_SYS_ADMIN, and a user namespace can neither make
// device nodes nor open them on a file system it mounted.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import { HuskError } from '../core/errors.js';
import type { DeviceCgroupRule } from '../core/oci-spec.js';

/** How this machine can confine a container's devices. */
export type DeviceCgroups = { kind: 'v1' | 'v2'; root: string } | { kind: 'none' };

/**
 * The v1 devices hierarchy under `cgroupFs` if mounted, else a cgroup2 one
 * (the root, or a hybrid layout's unified); one we may write to (inside
 * another container it may be mounted read-only).
 */
export function deviceCgroups(cgroupFs: string): DeviceCgroups {
  const v1 = path.join(cgroupFs, 'devices');
  if (usable(v1, 'devices.allow')) return { kind: 'v1', root: v1 };
  for (const v2 of [cgroupFs, path.join(cgroupFs, 'unified')]) {
    if (usable(v2, 'cgroup.controllers')) return { kind: 'v2', root: v2 };
  }
  return { kind: 'none' };
}

function usable(root: string, marker: string): boolean {
  try {
    fs.accessSync(path.join(root, marker));
    fs.accessSync(root, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** linux.cgroupsPath of a container: relative to the root of each hierarchy. */
export function cgroupsPathOf(id: string): string {
  return `/husk/${id}`;
}

/**
 * Makes the container's cgroup afresh (a restart's old one goes, with its
 * rules or program) and confines its devices to `rules`; the cgroup.procs
 * file its processes are to be written to.
 */
export function setUpDeviceCgroup(ctx: Context, cgroups: DeviceCgroups, cgroupsPath: string, rules: DeviceCgroupRule[]): string {
  if (cgroups.kind === 'none') {
    throw new HuskError(`cannot confine the container's devices: no devices cgroup (v1) or cgroup v2 under ${ctx.cgroupFs}`);
  }
  const dir = path.join(cgroups.root, cgroupsPath);
  removeCgroupDir(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  try {
    if (cgroups.kind === 'v1') writeV1Rules(dir, rules);
    else ctx.native().attachDeviceFilter(dir, rules);
  } catch (err) {
    removeCgroupDir(dir);
    throw err;
  }
  return path.join(dir, 'cgroup.procs');
}

/** The cgroup.procs of a running container's cgroup, for a process exec'd into it. */
export function cgroupProcsOf(cgroups: DeviceCgroups, cgroupsPath: string): string {
  const dir = cgroups.kind === 'none' ? undefined : path.join(cgroups.root, cgroupsPath);
  if (!dir || !fs.existsSync(dir)) {
    throw new HuskError(`the container's cgroup ${cgroupsPath} is gone, so a process there could open any device: restart the container`);
  }
  return path.join(dir, 'cgroup.procs');
}

/**
 * Removes a container's cgroup, if it has one; false if it could not (still
 * busy after a second). Best effort: the container is gone either way, and
 * an empty cgroup left behind confines nothing and holds nothing.
 */
export function removeDeviceCgroup(cgroups: DeviceCgroups, cgroupsPath: string): boolean {
  if (cgroups.kind === 'none') return true;
  try {
    removeCgroupDir(path.join(cgroups.root, cgroupsPath));
    return true;
  } catch {
    return false;
  }
}

/** rmdir, waiting a little while the last processes of a killed container leave it. */
function removeCgroupDir(dir: string): void {
  for (let tries = 0; ; tries++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || tries >= 100) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** One rule per write(2), as the v1 devices controller reads them. */
function writeV1Rules(dir: string, rules: DeviceCgroupRule[]): void {
  for (const rule of rules) {
    const file = path.join(dir, rule.allow ? 'devices.allow' : 'devices.deny');
    for (const line of v1Lines(rule)) {
      try {
        fs.appendFileSync(file, `${line}\n`);
      } catch (err) {
        throw new HuskError(`cannot set the container's device rules (${file}: "${line}"): ${(err as Error).message}`);
      }
    }
  }
}

/**
 * A rule as v1 lines. v1 reads any line starting with "a" as "all devices,
 * rwm", so "a" with numbers or less access becomes a char and a block line.
 */
export function v1Lines(rule: DeviceCgroupRule): string[] {
  const type = rule.type ?? 'a';
  const access = rule.access ?? 'rwm';
  const all = rule.major === undefined && rule.minor === undefined && [...'rwm'].every((c) => access.includes(c));
  if (type === 'a' && all) return ['a'];
  const line = (t: string) => `${t} ${rule.major ?? '*'}:${rule.minor ?? '*'} ${access}`;
  return type === 'a' ? [line('c'), line('b')] : [line(type)];
}
