// Which device nodes a container may open: the allowlist runc and podman
// apply (the OCI spec's linux.resources.devices), with --device and
// --device-cgroup-rule on top; and finding device nodes in image layers, for
// a host that has no way to enforce the list.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { DeviceCgroupRule, Mount } from '../core/oci-spec.js';

const char = (major: number, minor?: number): DeviceCgroupRule => ({ allow: true, type: 'c', major, minor, access: 'rwm' });

/**
 * runc's default allowlist, which podman's containers get (its devices.list
 * on this kind of machine): everything refused, then mknod of any node
 * (making one is not opening it), the nodes of the default /dev, /dev/tty,
 * ptmx and the container's own ptys (its console among them), /dev/net/tun.
 */
export const DEFAULT_DEVICE_RULES: readonly DeviceCgroupRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  char(1, 3), // null
  char(1, 5), // zero
  char(1, 7), // full
  char(1, 8), // random
  char(1, 9), // urandom
  char(5, 0), // tty
  char(5, 2), // ptmx
  char(136), // pts/N
  char(10, 200), // net/tun
];

/** --privileged: every device (podman's privileged containers get the same). */
const ALLOW_ALL: readonly DeviceCgroupRule[] = [{ allow: true, access: 'rwm' }];

const ACCESS = /^(?!.*(.).*\1)[rwm]{1,3}$/; // some of r, w, m, each once

/** --device-cgroup-rule "c 1:11 rwm": TYPE MAJOR:MINOR ACCESS, * for any number (docker's syntax). */
export function parseDeviceCgroupRule(text: string): DeviceCgroupRule {
  const m = /^([abc]) (\*|\d+):(\*|\d+) (\S+)$/.exec(text.trim());
  if (!m || !ACCESS.test(m[4]!)) {
    throw new UsageError(`invalid --device-cgroup-rule "${text}": use TYPE MAJOR:MINOR ACCESS, such as "c 1:3 rwm" (type a, b or c; * for any number; access some of r, w, m)`);
  }
  const num = (s: string) => (s === '*' ? undefined : Number(s));
  return { allow: true, type: m[1] as 'a' | 'b' | 'c', major: num(m[2]!), minor: num(m[3]!), access: m[4] };
}

/** --device HOST[:CONTAINER][:PERMISSIONS]: a bind of the host's node, and a rule that lets it be opened. */
export interface DeviceRequest {
  mount: Mount;
  rule: DeviceCgroupRule;
}

export function parseDevice(text: string): DeviceRequest {
  const parts = text.split(':');
  const host = parts[0] ?? '';
  let container = host;
  let access = 'rwm';
  if (parts.length === 2 && ACCESS.test(parts[1]!)) access = parts[1]!;
  else if (parts.length >= 2) container = parts[1]!;
  if (parts.length === 3) access = parts[2]!;
  const bad = (why: string) => new UsageError(`invalid --device "${text}": ${why}`);
  if (parts.length > 3 || !path.isAbsolute(host) || !path.isAbsolute(container)) throw bad('use /host/device[:/container/path][:PERMISSIONS]');
  if (!ACCESS.test(access)) throw bad('permissions are some of r, w, m');
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(host, { bigint: true });
  } catch (err) {
    throw bad(`${host}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such device' : (err as Error).message}`);
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw bad(`${host} is not a device node`);
  const { major, minor } = majorMinor(st.rdev);
  return {
    // A bind mount, as rootless podman does it: a user namespace cannot mknod.
    mount: { destination: container, type: 'bind', source: host, options: ['bind'] },
    rule: { allow: true, type: st.isCharacterDevice() ? 'c' : 'b', major, minor, access },
  };
}

/** glibc's major()/minor() of a dev_t. */
export function majorMinor(rdev: bigint): { major: number; minor: number } {
  return {
    major: Number(((rdev & 0xfff00n) >> 8n) | ((rdev & 0xfffff00000000000n) >> 32n)),
    minor: Number((rdev & 0xffn) | ((rdev & 0xffffff00000n) >> 12n)),
  };
}

/** The container's list: the defaults, then what --device and --device-cgroup-rule add; all for --privileged. */
export function deviceRules(privileged: boolean, added: DeviceCgroupRule[]): DeviceCgroupRule[] {
  return privileged ? [...ALLOW_ALL] : [...DEFAULT_DEVICE_RULES, ...added];
}

/**
 * The first device node in `dirs` (image layers), as "/path (char 1:11)";
 * overlay whiteouts (char 0:0) are not devices. Symlinks are not followed.
 */
export function findDeviceNode(dirs: string[]): string | undefined {
  for (const dir of dirs) {
    const found = walkForDevice(dir, dir);
    if (found) return found;
  }
  return undefined;
}

function walkForDevice(root: string, dir: string): string | undefined {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined; // unreadable: not ours to judge
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const found = walkForDevice(root, p);
      if (found) return found;
    } else if (e.isCharacterDevice() || e.isBlockDevice()) {
      const { major, minor } = majorMinor(fs.lstatSync(p, { bigint: true }).rdev);
      if (major === 0 && minor === 0) continue;
      return `/${path.relative(root, p)} (${e.isCharacterDevice() ? 'char' : 'block'} ${major}:${minor})`;
    }
  }
  return undefined;
}
