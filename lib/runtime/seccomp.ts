// The default seccomp filter and docker/podman-format profiles
// (--security-opt seccomp=FILE), turned into the OCI spec's linux.seccomp.
import fs from 'node:fs';
import { UsageError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import type { Seccomp, SeccompArg, SeccompSyscall } from '../core/oci-spec.js';

const EPERM = 1;
const ENOSYS = 38;

/** Refused for every container: kernel-wide state, keyrings, modules, tracing. */
const DENIED = [
  'acct', 'add_key', 'bpf', 'clock_adjtime', 'clock_settime', 'create_module', 'delete_module',
  'finit_module', 'get_kernel_syms', 'init_module', 'ioperm', 'iopl', 'kcmp', 'kexec_file_load',
  'kexec_load', 'keyctl', 'lookup_dcookie', 'move_pages', 'name_to_handle_at', 'nfsservctl',
  'open_by_handle_at', 'perf_event_open', 'query_module', 'quotactl', 'quotactl_fd', 'reboot',
  'request_key', 'settimeofday', 'stime', 'swapoff', 'swapon', 'sysfs', '_sysctl', 'uselib',
  'userfaultfd', 'ustat', 'vm86', 'vm86old', 'syslog',
];

/** Refused unless the container has CAP_SYS_ADMIN: mounts and new namespaces. */
const DENIED_WITHOUT_SYS_ADMIN = [
  'mount', 'umount', 'umount2', 'pivot_root', 'setns', 'unshare', 'fsconfig', 'fsmount', 'fsopen',
  'fspick', 'move_mount', 'open_tree', 'mount_setattr',
];

const NAMESPACE_FLAGS = [
  0x00020000, // CLONE_NEWNS
  0x02000000, // CLONE_NEWCGROUP
  0x04000000, // CLONE_NEWUTS
  0x08000000, // CLONE_NEWIPC
  0x10000000, // CLONE_NEWUSER
  0x20000000, // CLONE_NEWPID
  0x40000000, // CLONE_NEWNET
];

const ARCHES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];

export function defaultSeccomp(capabilities: string[]): Seccomp {
  const syscalls: SeccompSyscall[] = [{ names: DENIED, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }];
  if (!capabilities.includes('CAP_SYS_ADMIN')) {
    syscalls.push({ names: DENIED_WITHOUT_SYS_ADMIN, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM });
    for (const flag of NAMESPACE_FLAGS) {
      syscalls.push({
        names: ['clone'],
        action: 'SCMP_ACT_ERRNO',
        errnoRet: EPERM,
        args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }],
      });
    }
    // clone3 passes its flags in memory a filter cannot read: ENOSYS makes libc fall back to clone.
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: ARCHES, syscalls };
}

interface ProfileRule {
  name?: string;
  names?: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  includes?: { caps?: string[]; arches?: string[] };
  excludes?: { caps?: string[]; arches?: string[] };
}

interface Profile {
  defaultAction?: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: Array<{ architecture: string; subArchitectures?: string[] }>;
  syscalls?: ProfileRule[];
}

const HOST_ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';
const HOST_SCMP_ARCH = process.arch === 'arm64' ? 'SCMP_ARCH_AARCH64' : 'SCMP_ARCH_X86_64';

/** Reads a docker/podman seccomp profile and keeps the rules that apply to these capabilities. */
export function loadSeccompProfile(file: string, capabilities: string[]): Seccomp {
  let profile: Profile;
  try {
    profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  } catch (err) {
    throw new UsageError(`seccomp profile ${file}: ${printable((err as Error).message)}`);
  }
  const bad = (why: string) => new UsageError(`seccomp profile ${file}: ${why}`);
  if (typeof profile !== 'object' || profile === null) throw bad('must be a JSON object');
  if (typeof profile.defaultAction !== 'string') throw bad('"defaultAction" is missing');
  if (profile.syscalls !== undefined && !Array.isArray(profile.syscalls)) throw bad('"syscalls" must be a list');
  const applies = (rule: ProfileRule) => {
    const inc = rule.includes ?? {};
    const exc = rule.excludes ?? {};
    if (inc.caps?.some((c) => !capabilities.includes(c))) return false;
    if (inc.arches && !inc.arches.includes(HOST_ARCH)) return false;
    if (exc.caps?.some((c) => capabilities.includes(c))) return false;
    if (exc.arches?.includes(HOST_ARCH)) return false;
    return true;
  };
  const syscalls: SeccompSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (typeof rule !== 'object' || rule === null) throw bad('every rule must be an object');
    const names = rule.names ?? (rule.name ? [rule.name] : []);
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string') || typeof rule.action !== 'string') {
      throw bad('every rule needs "names" and "action"');
    }
    if (!applies(rule)) continue;
    syscalls.push({ names, action: rule.action, errnoRet: rule.errnoRet, args: rule.args ?? undefined });
  }
  const hostEntry = profile.archMap?.find((a) => a.architecture === HOST_SCMP_ARCH);
  const architectures = profile.architectures ?? (hostEntry ? [hostEntry.architecture, ...(hostEntry.subArchitectures ?? [])] : undefined);
  return { defaultAction: profile.defaultAction, defaultErrnoRet: profile.defaultErrnoRet, architectures, syscalls };
}
