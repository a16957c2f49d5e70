// Capability names, podman's default set, and --cap-add/--cap-drop.
import fs from 'node:fs';
import { UsageError } from '../core/errors.js';

/** In kernel order: the index is the capability number. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
];

/**
 * The capabilities a container can be given: those this kernel knows that are
 * still in husk's own bounding set (a sandboxed host may lack some, and no
 * user namespace can get them back).
 */
export function kernelCapabilities(): string[] {
  let bounding = (1n << BigInt(ALL_CAPABILITIES.length)) - 1n;
  try {
    const hex = /^CapBnd:\s*([0-9a-f]+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hex) bounding = BigInt(`0x${hex}`);
  } catch {
    /* keep the full list */
  }
  return ALL_CAPABILITIES.filter((_, i) => (bounding >> BigInt(i)) & 1n);
}

export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!ALL_CAPABILITIES.includes(full)) throw new UsageError(`unknown capability "${name}": use a name such as NET_ADMIN or CAP_NET_ADMIN`);
  return full;
}

/** The resulting set, in kernel order. --cap-drop wins over the defaults, --cap-add over --cap-drop ALL. */
export function resolveCapabilities(add: string[], drop: string[], privileged: boolean): string[] {
  const known = kernelCapabilities();
  if (privileged) return known;
  const adds = add.map(normalizeCapability);
  const drops = drop.map(normalizeCapability);
  for (const a of adds) {
    if (a !== 'ALL' && !known.includes(a)) throw new UsageError(`capability ${a} cannot be added: husk itself does not hold it`);
  }
  // As docker: --cap-add ALL keeps all but the dropped; --cap-drop ALL keeps only the added.
  const set = new Set(adds.includes('ALL') ? known : drops.includes('ALL') ? [] : DEFAULT_CAPABILITIES);
  if (!adds.includes('ALL')) for (const a of adds) set.add(a);
  for (const d of drops) if (d !== 'ALL' && !adds.includes(d)) set.delete(d);
  if (adds.includes('ALL')) for (const d of drops) set.delete(d);
  return known.filter((c) => set.has(c));
}
