import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { DEFAULT_CAPABILITIES } from '../../lib/runtime/capabilities.js';
import type { Seccomp } from '../../lib/core/oci-spec.js';
import { defaultSeccomp, loadSeccompProfile } from '../../lib/runtime/seccomp.js';
import { tempDir, usageError } from './fixtures/helpers.js';

const EPERM = 1;
const ENOSYS = 38;

/** Names refused with EPERM whatever the arguments. */
function deniedAlways(s: Seccomp): string[] {
  return s.syscalls.filter((r) => r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === EPERM && !r.args).flatMap((r) => r.names);
}

const ALWAYS = [
  'keyctl', 'add_key', 'request_key', 'bpf', 'kexec_load', 'kexec_file_load', 'init_module', 'finit_module',
  'delete_module', 'reboot', 'swapon', 'swapoff', 'acct', 'open_by_handle_at', 'perf_event_open',
];
const SYS_ADMIN_ONLY = ['mount', 'umount', 'umount2', 'pivot_root', 'setns', 'unshare', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'move_mount', 'open_tree', 'mount_setattr'];

t.test('defaultSeccomp: allow by default, x86 architectures', async (t) => {
  const s = defaultSeccomp(DEFAULT_CAPABILITIES);
  t.equal(s.defaultAction, 'SCMP_ACT_ALLOW');
  t.same(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  t.equal(s.defaultErrnoRet, undefined);
});

t.test('defaultSeccomp: kernel-wide syscalls are always refused with EPERM', async (t) => {
  for (const caps of [[], DEFAULT_CAPABILITIES, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']]) {
    const denied = deniedAlways(defaultSeccomp(caps));
    for (const name of ALWAYS) t.ok(denied.includes(name), `${name} denied with [${caps.length} caps]`);
    for (const name of ['read', 'write', 'execve', 'clone', 'openat', 'setuid', 'chown']) t.notOk(denied.includes(name), `${name} not denied`);
  }
});

t.test('defaultSeccomp without CAP_SYS_ADMIN: mounts and namespaces refused', async (t) => {
  const s = defaultSeccomp(DEFAULT_CAPABILITIES);
  const denied = deniedAlways(s);
  for (const name of SYS_ADMIN_ONLY) t.ok(denied.includes(name), `${name} denied`);
  const clones = s.syscalls.filter((r) => r.names.length === 1 && r.names[0] === 'clone');
  t.same(clones.map((r) => r.args), [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000].map((f) => [
    { index: 0, value: f, valueTwo: f, op: 'SCMP_CMP_MASKED_EQ' },
  ]), 'clone with any CLONE_NEW* flag');
  t.ok(clones.every((r) => r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === EPERM));
  t.same(s.syscalls.filter((r) => r.names.includes('clone3')), [{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS }], 'clone3 gets ENOSYS so libc falls back to clone');
});

t.test('defaultSeccomp with CAP_SYS_ADMIN: the mount/unshare/clone rules disappear', async (t) => {
  const s = defaultSeccomp([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
  const names = s.syscalls.flatMap((r) => r.names);
  for (const name of [...SYS_ADMIN_ONLY, 'clone', 'clone3']) t.notOk(names.includes(name), `${name} has no rule`);
  t.equal(s.syscalls.length, 1, 'only the always-denied rule is left');
});

const HOST_ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';
const OTHER_ARCH = HOST_ARCH === 'arm64' ? 'amd64' : 'arm64';

function profileFile(t: Parameters<typeof tempDir>[0], profile: unknown): string {
  const file = path.join(tempDir(t), 'seccomp.json');
  fs.writeFileSync(file, typeof profile === 'string' ? profile : JSON.stringify(profile));
  return file;
}

const DOCKER_STYLE = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [], comment: '', includes: {}, excludes: {} },
    { name: 'getpid', action: 'SCMP_ACT_ALLOW' },
    { names: ['mount', 'umount2'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['bpf'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN', 'CAP_BPF'] } },
    { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_PTRACE'] } },
    { names: ['host_only'], action: 'SCMP_ACT_ALLOW', includes: { arches: [HOST_ARCH] } },
    { names: ['other_only'], action: 'SCMP_ACT_ALLOW', includes: { arches: [OTHER_ARCH] } },
    { names: ['not_on_host'], action: 'SCMP_ACT_ALLOW', excludes: { arches: [HOST_ARCH] } },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['nullargs'], action: 'SCMP_ACT_ALLOW', args: null },
  ],
};
const HOST_ARCHES = HOST_ARCH === 'arm64' ? ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'] : ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];

t.test('loadSeccompProfile: docker-style profile, default capabilities', async (t) => {
  const s = loadSeccompProfile(profileFile(t, DOCKER_STYLE), DEFAULT_CAPABILITIES);
  t.same(s, {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: HOST_ARCHES,
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', errnoRet: undefined, args: [] },
      { names: ['getpid'], action: 'SCMP_ACT_ALLOW', errnoRet: undefined, args: undefined },
      { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: undefined },
      { names: ['host_only'], action: 'SCMP_ACT_ALLOW', errnoRet: undefined, args: undefined },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', errnoRet: undefined, args: [{ index: 0, value: 0, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
      { names: ['nullargs'], action: 'SCMP_ACT_ALLOW', errnoRet: undefined, args: undefined },
    ],
  });
});

t.test('loadSeccompProfile: includes.caps needs all of them, excludes.caps any of them', async (t) => {
  const file = profileFile(t, DOCKER_STYLE);
  const names = (caps: string[]) => loadSeccompProfile(file, caps).syscalls.flatMap((r) => r.names);
  t.same(names([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']), ['read', 'write', 'getpid', 'mount', 'umount2', 'ptrace', 'host_only', 'personality', 'nullargs']);
  t.same(names(['CAP_SYS_ADMIN', 'CAP_BPF', 'CAP_SYS_PTRACE']), ['read', 'write', 'getpid', 'mount', 'umount2', 'bpf', 'host_only', 'personality', 'nullargs']);
  t.same(names(['CAP_BPF']), ['read', 'write', 'getpid', 'ptrace', 'host_only', 'personality', 'nullargs']);
});

t.test('loadSeccompProfile: "architectures" wins over archMap; neither leaves it unset', async (t) => {
  const explicit = loadSeccompProfile(profileFile(t, { ...DOCKER_STYLE, architectures: ['SCMP_ARCH_X86_64'] }), []);
  t.same(explicit.architectures, ['SCMP_ARCH_X86_64']);
  const none = loadSeccompProfile(profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW' }), []);
  t.same(none, { defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: undefined, architectures: undefined, syscalls: [] });
  const otherOnly = loadSeccompProfile(profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', archMap: [{ architecture: 'SCMP_ARCH_S390X' }] }), []);
  t.equal(otherOnly.architectures, undefined, 'no archMap entry for this host');
  const bare = loadSeccompProfile(profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', archMap: [{ architecture: HOST_ARCHES[0] }] }), []);
  t.same(bare.architectures, [HOST_ARCHES[0]], 'no subArchitectures');
});

t.test('loadSeccompProfile: malformed files are UsageErrors', async (t) => {
  usageError(t, () => loadSeccompProfile('/nonexistent/husk/seccomp.json', []), 'seccomp profile /nonexistent/husk/seccomp.json: ', /ENOENT/);
  const notJson = profileFile(t, '{"defaultAction": ');
  usageError(t, () => loadSeccompProfile(notJson, []), `seccomp profile ${notJson}: `, /JSON/);
  const noDefault = profileFile(t, { syscalls: [] });
  usageError(t, () => loadSeccompProfile(noDefault, []), `seccomp profile ${noDefault}: "defaultAction" is missing`);
  const numDefault = profileFile(t, { defaultAction: 1 });
  usageError(t, () => loadSeccompProfile(numDefault, []), `seccomp profile ${numDefault}: "defaultAction" is missing`);
  const arr = profileFile(t, []);
  usageError(t, () => loadSeccompProfile(arr, []), '"defaultAction" is missing');
  const noNames = profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_ERRNO' }] });
  usageError(t, () => loadSeccompProfile(noNames, []), `seccomp profile ${noNames}: every rule needs "names" and "action"`);
  const emptyNames = profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] });
  usageError(t, () => loadSeccompProfile(emptyNames, []), 'every rule needs "names" and "action"');
  const noAction = profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'] }] });
  usageError(t, () => loadSeccompProfile(noAction, []), 'every rule needs "names" and "action"');
  // A rule that does not apply is still checked.
  const inapplicable = profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], includes: { caps: ['CAP_SYS_ADMIN'] } }] });
  usageError(t, () => loadSeccompProfile(inapplicable, []), 'every rule needs "names" and "action"');
});

t.test('loadSeccompProfile: structurally wrong JSON', async (t) => {
  usageError(t, () => loadSeccompProfile(profileFile(t, 'null'), []), 'seccomp profile');
  usageError(t, () => loadSeccompProfile(profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: {} }), []), 'seccomp profile');
  usageError(t, () => loadSeccompProfile(profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [null] }), []), 'seccomp profile');
});
