// Seccomp profiles in docker's and podman's format, turned into the OCI
// spec's linux.seccomp: the default one (moby's allowlist, vendored in
// seccomp/moby-default.json, see seccomp/README.md) and a user's
// (--security-opt seccomp=FILE).
import fs from 'node:fs';
import os from 'node:os';
import { UsageError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import type { Seccomp, SeccompArg, SeccompSyscall } from '../core/oci-spec.js';
import MOBY_DEFAULT from './seccomp/moby-default.json' with { type: 'json' };

const EPERM = 1;
const EINVAL = 22;
const ENOSYS = 38;

interface Filter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

/** One rule of a profile (moby's profiles/seccomp types). */
export interface ProfileRule {
  name?: string;
  names?: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  includes?: Filter | null;
  excludes?: Filter | null;
}

export interface Profile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: Array<{ architecture: string; subArchitectures?: string[] | null }> | null;
  syscalls?: ProfileRule[] | null;
}

/** Node's process.arch as the profiles name architectures (moby's goToNative), and its libseccomp name. */
const ARCHES: Record<string, [string, string]> = {
  x64: ['amd64', 'SCMP_ARCH_X86_64'],
  ia32: ['x86', 'SCMP_ARCH_X86'],
  arm64: ['arm64', 'SCMP_ARCH_AARCH64'],
  arm: ['arm', 'SCMP_ARCH_ARM'],
  ppc64: ['ppc64le', 'SCMP_ARCH_PPC64LE'],
  s390x: ['s390x', 'SCMP_ARCH_S390X'],
  riscv64: ['riscv64', 'SCMP_ARCH_RISCV64'],
  loong64: ['loongarch64', 'SCMP_ARCH_LOONGARCH64'],
};
const [HOST_ARCH, HOST_SCMP_ARCH] = ARCHES[process.arch] ?? ['amd64', 'SCMP_ARCH_X86_64'];

/**
 * podman's own refusals (containers/common's profile lists them as EPERM):
 * refused here with EPERM too, though moby's allows a few of them
 * (vmsplice, io_pgetevents, the futex2 calls, cachestat, map_shadow_stack).
 */
const PODMAN_REFUSES = [
  'bdflush', 'cachestat', 'futex_requeue', 'futex_wait', 'futex_waitv', 'futex_wake', 'io_pgetevents',
  'io_pgetevents_time64', 'kexec_file_load', 'kexec_load', 'map_shadow_stack', 'migrate_pages', 'move_pages',
  'nfsservctl', 'nice', 'oldfstat', 'oldlstat', 'oldolduname', 'oldstat', 'olduname', 'pciconfig_iobase',
  'pciconfig_read', 'pciconfig_write', 'sgetmask', 'ssetmask', 'swapcontext', 'swapoff', 'swapon', 'sysfs',
  'uselib', 'userfaultfd', 'ustat', 'vm86', 'vm86old', 'vmsplice',
];

/**
 * Newer syscalls moby's profile allows and podman's does not name: left out
 * (ENOSYS, as from a kernel without them, so libc falls back to older calls).
 */
const NOT_IN_PODMAN = [
  'fchmodat2', 'getxattrat', 'listmount', 'listxattrat', 'mseal', 'removexattrat', 'riscv_hwprobe', 'setxattrat',
  'statmount', 'uretprobe',
];

const CLONE_NEW_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

/** Rules husk adds to moby's, in the profile's own format. */
const HUSK_RULES: ProfileRule[] = [
  // podman's: audit messages need CAP_AUDIT_WRITE; without it socket() says
  // EINVAL (as for a kernel without audit), so programs using libaudit go on.
  {
    names: ['socket'],
    action: 'SCMP_ACT_ERRNO',
    errnoRet: EINVAL,
    args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, op: 'SCMP_CMP_EQ' }], // AF_NETLINK, NETLINK_AUDIT
    excludes: { caps: ['CAP_AUDIT_WRITE'] },
  },
  // moby allows clone only without CLONE_NEW* flags; the rest would get the
  // default ENOSYS, which reads as "no clone here". EPERM, as runc gives it.
  ...CLONE_NEW_FLAGS.map((flag): ProfileRule => ({
    names: ['clone'],
    action: 'SCMP_ACT_ERRNO',
    errnoRet: EPERM,
    args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }],
    excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] },
  })),
];

/**
 * The default filter: moby's allowlist for these capabilities, less what
 * podman's refuses, plus podman's audit-socket rule. A syscall neither
 * profile names fails with ENOSYS (what a kernel without it says, so libc
 * falls back to an older one); one they name but do not allow here fails
 * with EPERM.
 */
export function defaultSeccomp(capabilities: string[]): Seccomp {
  const moby = MOBY_DEFAULT as Profile;
  const mobyRules = moby.syscalls ?? [];
  const leftOut = new Set([...PODMAN_REFUSES, ...NOT_IN_PODMAN]);
  const allowlist = mobyRules.map((r) => (r.action === 'SCMP_ACT_ALLOW' ? { ...r, names: namesOf(r).filter((n) => !leftOut.has(n)) } : r));
  const profile: Profile = { ...moby, defaultErrnoRet: ENOSYS, syscalls: [...allowlist.filter((r) => namesOf(r).length > 0), ...HUSK_RULES] };
  const seccomp = seccompFromProfile(profile, capabilities);
  const handled = new Set(seccomp.syscalls.flatMap((r) => r.names));
  const named = mobyRules.flatMap(namesOf).filter((n) => !NOT_IN_PODMAN.includes(n));
  const refused = [...new Set([...named, ...PODMAN_REFUSES])].filter((n) => !handled.has(n)).sort();
  seccomp.syscalls.push({ names: refused, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM });
  return seccomp;
}

/** Reads a docker/podman seccomp profile and keeps the rules that apply to these capabilities. */
export function loadSeccompProfile(file: string, capabilities: string[]): Seccomp {
  let profile: unknown;
  try {
    profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`seccomp profile ${file}: ${printable((err as Error).message)}`);
  }
  checkProfile(profile, (why) => new UsageError(`seccomp profile ${file}: ${why}`));
  return seccompFromProfile(profile, capabilities);
}

function checkProfile(profile: unknown, bad: (why: string) => Error): asserts profile is Profile {
  if (typeof profile !== 'object' || profile === null) throw bad('must be a JSON object');
  const p = profile as Partial<Profile>;
  if (typeof p.defaultAction !== 'string') throw bad('"defaultAction" is missing');
  if (p.syscalls !== undefined && p.syscalls !== null && !Array.isArray(p.syscalls)) throw bad('"syscalls" must be a list');
  if (p.architectures?.length && p.archMap?.length) throw bad('give "architectures" or "archMap", not both');
  for (const rule of p.syscalls ?? []) {
    if (typeof rule !== 'object' || rule === null) throw bad('every rule must be an object');
    if (rule.name && rule.names?.length) throw bad(`a rule has both "name" and "names" (${rule.name})`);
    const names = namesOf(rule);
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string') || typeof rule.action !== 'string') {
      throw bad('every rule needs "names" and "action"');
    }
  }
}

function namesOf(rule: ProfileRule): string[] {
  return rule.names ?? (rule.name ? [rule.name] : []);
}

/** moby's setupSeccomp: the architectures of this host, and the rules whose includes/excludes hold. */
export function seccompFromProfile(profile: Profile, capabilities: string[]): Seccomp {
  const syscalls: SeccompSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (!applies(rule, capabilities)) continue;
    syscalls.push({ names: namesOf(rule), action: rule.action, errnoRet: rule.errnoRet, args: rule.args ?? undefined });
  }
  const hostEntry = profile.archMap?.find((a) => a.architecture === HOST_SCMP_ARCH);
  const architectures = profile.architectures ?? (hostEntry ? [hostEntry.architecture, ...(hostEntry.subArchitectures ?? [])] : undefined);
  return { defaultAction: profile.defaultAction, defaultErrnoRet: profile.defaultErrnoRet, architectures, syscalls };
}

/** includes: every capability, this architecture, at least this kernel; excludes: any of them. */
function applies(rule: ProfileRule, capabilities: string[]): boolean {
  const inc = rule.includes ?? {};
  const exc = rule.excludes ?? {};
  if (inc.caps?.some((c) => !capabilities.includes(c))) return false;
  if (inc.arches?.length && !inc.arches.includes(HOST_ARCH)) return false;
  if (inc.minKernel && !kernelAtLeast(inc.minKernel)) return false;
  if (exc.caps?.some((c) => capabilities.includes(c))) return false;
  if (exc.arches?.includes(HOST_ARCH)) return false;
  if (exc.minKernel && kernelAtLeast(exc.minKernel)) return false;
  return true;
}

/** The running kernel is at least `version` ("4.8", "5.10.1"). */
export function kernelAtLeast(version: string, release = os.release()): boolean {
  const parts = (s: string) => {
    const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(s);
    return [m?.[1], m?.[2], m?.[3]].map((x) => Number(x ?? 0));
  };
  const have = parts(release);
  const want = parts(version);
  for (let i = 0; i < 3; i++) {
    if (have[i]! !== want[i]!) return have[i]! > want[i]!;
  }
  return true;
}
