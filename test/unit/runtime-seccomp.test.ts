import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { DEFAULT_CAPABILITIES } from '../../lib/runtime/capabilities.js';
import type { Seccomp, SeccompSyscall } from '../../lib/core/oci-spec.js';
import { defaultSeccomp, kernelAtLeast, loadSeccompProfile } from '../../lib/runtime/seccomp.js';
import { tempDir, usageError } from './fixtures/helpers.js';

const EPERM = 1;
const EINVAL = 22;
const ENOSYS = 38;
const VENDORED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lib/runtime/seccomp');

const unconditional = (s: Seccomp, action: string, errnoRet?: number) =>
  s.syscalls.filter((r) => r.action === action && r.errnoRet === errnoRet && !r.args?.length).flatMap((r) => r.names);
const allowed = (s: Seccomp) => unconditional(s, 'SCMP_ACT_ALLOW');
const refused = (s: Seccomp) => unconditional(s, 'SCMP_ACT_ERRNO', EPERM);
const rulesFor = (s: Seccomp, name: string): SeccompSyscall[] => s.syscalls.filter((r) => r.names.includes(name));
const named = (s: Seccomp) => new Set(s.syscalls.flatMap((r) => r.names));

const SYS_ADMIN_ONLY = ['mount', 'umount', 'umount2', 'setns', 'unshare', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'move_mount', 'open_tree', 'mount_setattr', 'bpf', 'syslog'];
const CLONE_NEW = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

t.test('the vendored profile is moby\'s, unchanged (its sha256 is in seccomp/README.md)', async (t) => {
  const json = fs.readFileSync(path.join(VENDORED, 'moby-default.json'));
  const digest = createHash('sha256').update(json).digest('hex');
  t.match(fs.readFileSync(path.join(VENDORED, 'README.md'), 'utf8'), digest);
  t.match(fs.readFileSync(path.join(VENDORED, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
});

t.test('defaultSeccomp: an allowlist; ENOSYS for what no profile names, x86 architectures', async (t) => {
  const s = defaultSeccomp(DEFAULT_CAPABILITIES);
  t.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
  t.equal(s.defaultErrnoRet, ENOSYS);
  if (process.arch === 'x64') t.same(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  for (const name of ['read', 'write', 'execve', 'openat', 'setuid', 'chown', 'close_range', 'capset', 'setgroups', 'prctl', 'ptrace']) t.ok(allowed(s).includes(name), `${name} allowed`);
  for (const name of ['io_uring_setup', 'io_uring_enter', 'io_uring_register', 'fchmodat2', 'statmount']) t.notOk(named(s).has(name), `${name} has no rule: ENOSYS`);
});

t.test('defaultSeccomp: what moby names and does not allow, and podman\'s refusals, get EPERM', async (t) => {
  for (const caps of [[], DEFAULT_CAPABILITIES, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']]) {
    const s = defaultSeccomp(caps);
    const eperm = refused(s);
    for (const name of ['keyctl', 'add_key', 'request_key', 'kexec_load', 'init_module', 'finit_module', 'delete_module', 'reboot', 'swapon', 'acct', 'open_by_handle_at', 'perf_event_open', 'vmsplice', 'io_pgetevents', 'userfaultfd']) {
      if (name === 'keyctl' || name === 'add_key' || name === 'request_key') t.notOk(named(s).has(name), `${name}: not in moby's profile, ENOSYS`);
      else if (name === 'perf_event_open' && caps.includes('CAP_SYS_ADMIN')) t.ok(allowed(s).includes(name), `${name} allowed with CAP_SYS_ADMIN`);
      else t.ok(eperm.includes(name), `${name} refused with EPERM [${caps.length} caps]`);
    }
  }
});

t.test('defaultSeccomp without CAP_SYS_ADMIN: mounts and namespaces refused', async (t) => {
  const s = defaultSeccomp(DEFAULT_CAPABILITIES);
  for (const name of SYS_ADMIN_ONLY) t.ok(refused(s).includes(name), `${name} refused`);
  t.notOk(allowed(s).includes('clone'), 'clone only with arguments');
  t.same(rulesFor(s, 'clone').filter((r) => r.action === 'SCMP_ACT_ALLOW').map((r) => r.args), [[{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }]], 'moby: clone without any CLONE_NEW* flag');
  t.same(rulesFor(s, 'clone').filter((r) => r.action === 'SCMP_ACT_ERRNO').map((r) => [r.errnoRet, r.args]), CLONE_NEW.map((f) => [EPERM, [{ index: 0, value: f, valueTwo: f, op: 'SCMP_CMP_MASKED_EQ' }]]), 'EPERM with any of them');
  t.same(rulesFor(s, 'clone3'), [{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, args: undefined }], 'clone3 gets ENOSYS so libc falls back to clone');
});

t.test('defaultSeccomp with CAP_SYS_ADMIN: mounts, namespaces and clone allowed', async (t) => {
  const s = defaultSeccomp([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
  for (const name of [...SYS_ADMIN_ONLY.filter((n) => n !== 'syslog' && n !== 'umount'), 'clone', 'clone3']) t.ok(allowed(s).includes(name), `${name} allowed`);
  t.same(rulesFor(s, 'clone').length, 1, 'clone: the one unconditional rule');
});

t.test('defaultSeccomp: personality only with the values moby allows', async (t) => {
  const s = defaultSeccomp(DEFAULT_CAPABILITIES);
  const rules = rulesFor(s, 'personality');
  t.ok(rules.every((r) => r.action === 'SCMP_ACT_ALLOW' && r.args?.length === 1 && r.args[0]!.op === 'SCMP_CMP_EQ'));
  t.same(rules.map((r) => r.args![0]!.value), [0, 8, 0x20000, 0x20008, 0xffffffff], 'not READ_IMPLIES_EXEC (0x400000): ENOSYS');
});

t.test('defaultSeccomp: audit sockets need CAP_AUDIT_WRITE (podman), AF_ALG and AF_VSOCK are refused (moby)', async (t) => {
  const audit = { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: EINVAL, args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, op: 'SCMP_CMP_EQ' }] };
  const rules = rulesFor(defaultSeccomp(DEFAULT_CAPABILITIES), 'socket');
  t.same(rules.filter((r) => r.action === 'SCMP_ACT_ERRNO'), [audit], 'AF_NETLINK + NETLINK_AUDIT: EINVAL');
  t.same(rules.filter((r) => r.action === 'SCMP_ACT_ALLOW').map((r) => r.args), [
    [{ index: 0, value: 38, op: 'SCMP_CMP_LT' }], [{ index: 0, value: 39, op: 'SCMP_CMP_EQ' }], [{ index: 0, value: 40, op: 'SCMP_CMP_GT' }],
  ]);
  const withAudit = rulesFor(defaultSeccomp([...DEFAULT_CAPABILITIES, 'CAP_AUDIT_WRITE']), 'socket');
  t.notOk(withAudit.some((r) => r.action === 'SCMP_ACT_ERRNO'), 'with CAP_AUDIT_WRITE the audit socket is allowed');
});

t.test('defaultSeccomp: no syscall is both allowed and refused unconditionally (libseccomp would refuse the filter)', async (t) => {
  for (const caps of [[], DEFAULT_CAPABILITIES, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYS_TIME', 'CAP_SYSLOG', 'CAP_BPF', 'CAP_PERFMON']]) {
    const s = defaultSeccomp(caps);
    const actions = new Map<string, Set<string>>();
    for (const r of s.syscalls.filter((r) => !r.args?.length)) {
      for (const n of r.names) actions.set(n, (actions.get(n) ?? new Set()).add(`${r.action} ${r.errnoRet}`));
    }
    t.same([...actions].filter(([, a]) => a.size > 1).map(([n]) => n), [], `[${caps.length} caps]`);
  }
});

t.test('kernelAtLeast compares major, minor and patch', async (t) => {
  t.ok(kernelAtLeast('4.8', '6.18.44-fc-v1272'));
  t.ok(kernelAtLeast('6.18', '6.18.0'));
  t.ok(kernelAtLeast('6.18.1', '6.18.2-rc1'));
  t.notOk(kernelAtLeast('6.19', '6.18.44'));
  t.notOk(kernelAtLeast('5.10.2', '5.10.1'));
  t.notOk(kernelAtLeast('4.8', '3.10.0-1160.el7'));
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

t.test('loadSeccompProfile: "architectures" as given, else archMap; neither leaves it unset', async (t) => {
  const explicit = loadSeccompProfile(profileFile(t, { ...DOCKER_STYLE, archMap: undefined, architectures: ['SCMP_ARCH_X86_64'] }), []);
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

t.test('loadSeccompProfile: both "architectures" and "archMap", or "name" and "names", are refused (as moby does)', async (t) => {
  const both = profileFile(t, { ...DOCKER_STYLE, architectures: ['SCMP_ARCH_X86_64'] });
  usageError(t, () => loadSeccompProfile(both, []), 'give "architectures" or "archMap", not both');
  const twice = profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'read', names: ['write'], action: 'SCMP_ACT_ERRNO' }] });
  usageError(t, () => loadSeccompProfile(twice, []), 'both "name" and "names"');
});

t.test('loadSeccompProfile: minKernel in includes and excludes', async (t) => {
  const file = profileFile(t, {
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [
      { names: ['old'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '2.6' } },
      { names: ['future'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '999.0' } },
      { names: ['not_on_new'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '2.6' } },
    ],
  });
  t.same(loadSeccompProfile(file, []).syscalls.flatMap((r) => r.names), ['old']);
});
