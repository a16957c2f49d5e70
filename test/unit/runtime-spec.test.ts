import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { UserNamespace } from '../../lib/core/context.js';
import type { ImageRuntimeConfig } from '../../lib/image/types.js';
import { DEFAULT_CAPABILITIES, kernelCapabilities, resolveCapabilities } from '../../lib/runtime/capabilities.js';
import { DEFAULT_DEVICE_RULES } from '../../lib/runtime/devices.js';
import { defaultSeccomp } from '../../lib/runtime/seccomp.js';
import { buildSpec, DEFAULT_PATH, keepIdMappings, mergeEnv, processArgs, type SpecInput } from '../../lib/runtime/spec.js';
import { tempDir, usageError, writeTree } from './fixtures/helpers.js';

t.test('processArgs: ENTRYPOINT + CMD combinations', async (t) => {
  const img: ImageRuntimeConfig = { Entrypoint: ['/ep', '-x'], Cmd: ['c1', 'c2'] };
  t.same(processArgs(img, []), ['/ep', '-x', 'c1', 'c2'], 'image entrypoint + image cmd');
  t.same(processArgs(img, ['a', 'b']), ['/ep', '-x', 'a', 'b'], 'the command replaces CMD only');
  t.same(processArgs(img, [], '/new'), ['/new'], '--entrypoint drops the image CMD');
  t.same(processArgs(img, ['a'], '/new'), ['/new', 'a']);
  t.same(processArgs(img, ['a', 'b'], ''), ['a', 'b'], '--entrypoint "" clears it');
  t.same(processArgs({ Cmd: ['sh'] }, []), ['sh']);
  t.same(processArgs({ Cmd: ['sh'] }, ['ls', '-l']), ['ls', '-l']);
  t.same(processArgs({ Entrypoint: ['/ep'] }, []), ['/ep']);
  t.same(processArgs({ Entrypoint: null, Cmd: null }, ['x']), ['x']);
  t.same(processArgs({}, ['only']), ['only']);
});

t.test('processArgs: nothing to run is a UsageError', async (t) => {
  const msg = 'no command specified: the image has no CMD or ENTRYPOINT; give one after the image name';
  usageError(t, () => processArgs({}, []), msg);
  usageError(t, () => processArgs({ Entrypoint: null, Cmd: null }, []), msg);
  usageError(t, () => processArgs({ Entrypoint: [], Cmd: [] }, []), msg);
  usageError(t, () => processArgs({ Entrypoint: ['/ep'], Cmd: ['x'] }, [], ''), msg); // --entrypoint "" and no command
});

t.test('mergeEnv: later lists win, first position kept', async (t) => {
  t.same(mergeEnv(['A=1', 'B=2'], [], ['C=3', 'A=4'], ['B=']), ['A=4', 'B=', 'C=3']);
  t.same(mergeEnv(['A=1'], ['A']), ['A'], 'a bare name replaces too');
  t.same(mergeEnv(['X=a=b'], ['X=c=d']), ['X=c=d']);
  t.same(mergeEnv(), []);
});

t.test('keepIdMappings: podman keep-id layout', async (t) => {
  const maps = [{ containerID: 0, hostID: 1000, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }];
  t.same(keepIdMappings(1000, maps), [
    { containerID: 0, hostID: 100000, size: 1000 },
    { containerID: 1000, hostID: 1000, size: 1 },
    { containerID: 1001, hostID: 101000, size: 64536 },
  ]);
  t.same(keepIdMappings(0, maps), [
    { containerID: 0, hostID: 1000, size: 1 },
    { containerID: 1, hostID: 100000, size: 65536 },
  ], 'own id 0: unchanged layout');
  t.same(keepIdMappings(70000, maps), [
    { containerID: 0, hostID: 100000, size: 65536 },
    { containerID: 70000, hostID: 1000, size: 1 },
  ], 'own id above the subordinate range');
  t.same(keepIdMappings(1000, [{ containerID: 0, hostID: 1000, size: 1 }]), [{ containerID: 1000, hostID: 1000, size: 1 }], 'no subordinate range');
  const total = (m: Array<{ size: number }>) => m.reduce((n, x) => n + x.size, 0);
  t.equal(total(keepIdMappings(1000, maps)), 65537, 'no id lost or gained');
});

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nweb:x:33:33::/var/www:/bin/sh\n';
const GROUP = 'root:x:0:\ntty:x:5:\nextra:x:2000:app\napp:x:1000:\n';

const ROOTLESS: UserNamespace = {
  uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }],
  gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }],
  helpers: true,
};
const ROOTLESS_SINGLE: UserNamespace = {
  uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
  gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
  helpers: false,
  warning: 'only your own user id',
};

function input(t: Parameters<typeof tempDir>[0], over: Partial<SpecInput> = {}): SpecInput {
  const layer = tempDir(t);
  writeTree(layer, { 'etc/passwd': PASSWD, 'etc/group': GROUP });
  return {
    image: { Cmd: ['sh'], Env: ['PATH=/img/bin:/bin', 'IMG=1'], WorkingDir: '/srv' },
    layerDirsTopFirst: [layer],
    command: [],
    env: [],
    hostname: 'abc123',
    capAdd: [],
    capDrop: [],
    privileged: false,
    readOnly: false,
    security: { seccomp: 'default', noNewPrivileges: false },
    network: 'private',
    tty: false,
    rootfs: '/bundle/rootfs',
    etcFiles: { hosts: '/bundle/hosts', hostname: '/bundle/hostname', resolvConf: '/bundle/resolv.conf' },
    ...over,
  };
}

const defaults = resolveCapabilities([], [], false);

t.test('buildSpec: rootful defaults', async (t) => {
  const spec = buildSpec(input(t));
  t.equal(spec.ociVersion, '1.2.0');
  t.same(spec.process.args, ['sh']);
  t.same(spec.process.env, ['PATH=/img/bin:/bin', 'container=husk', 'HOSTNAME=abc123', 'HOME=/root', 'IMG=1']);
  t.equal(spec.process.cwd, '/srv');
  t.same(spec.process.user, { uid: 0, gid: 0, additionalGids: [], umask: 0o022 });
  t.equal(spec.process.terminal, false);
  t.equal(spec.process.consoleSize, undefined);
  t.equal(spec.process.noNewPrivileges, false);
  t.same(spec.process.capabilities, { bounding: defaults, effective: defaults, permitted: defaults, inheritable: [], ambient: [] });
  t.same(spec.root, { path: '/bundle/rootfs', readonly: false });
  t.equal(spec.hostname, 'abc123');
  t.same(spec.linux.namespaces.map((n) => n.type), ['pid', 'ipc', 'uts', 'mount', 'cgroup', 'network']);
  t.equal(spec.linux.uidMappings, undefined);
  t.equal(spec.linux.gidMappings, undefined);
  t.equal(spec.linux.maskedPaths.length, 12);
  t.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
  t.same(spec.linux.readonlyPaths, ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  t.same(spec.linux.seccomp, defaultSeccomp(defaults));
  t.equal(spec.linux.rootfsPropagation, 'rprivate');
  t.same(spec.linux.devices.map((d) => `${d.path} ${d.type} ${d.major}:${d.minor} ${d.fileMode!.toString(8)}`), [
    '/dev/null c 1:3 666', '/dev/zero c 1:5 666', '/dev/full c 1:7 666', '/dev/random c 1:8 666', '/dev/urandom c 1:9 666', '/dev/tty c 5:0 666',
  ]);
  t.same(spec.mounts.map((m) => `${m.destination} ${m.type} ${m.source}`), [
    '/proc proc proc', '/dev tmpfs tmpfs', '/dev/pts devpts devpts', '/dev/shm tmpfs shm', '/dev/mqueue mqueue mqueue',
    '/sys sysfs sysfs', '/etc/hosts bind /bundle/hosts', '/etc/hostname bind /bundle/hostname', '/etc/resolv.conf bind /bundle/resolv.conf',
  ]);
  t.same(spec.mounts.find((m) => m.destination === '/sys')!.options, ['nosuid', 'noexec', 'nodev', 'ro']);
  t.same(spec.mounts.find((m) => m.destination === '/dev/pts')!.options, ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']);
});

t.test('buildSpec: env precedence, tty, workdir, read-only, no-new-privileges', async (t) => {
  const spec = buildSpec(input(t, {
    env: ['IMG=2', 'PATH=/x', 'NEW=1', 'HOME=/h'], tty: true, consoleSize: { rows: 40, cols: 120 }, workdir: '/w', readOnly: true,
    security: { seccomp: 'default', noNewPrivileges: true },
  }));
  t.same(spec.process.env, ['PATH=/x', 'container=husk', 'TERM=xterm', 'HOSTNAME=abc123', 'HOME=/h', 'IMG=2', 'NEW=1']);
  t.equal(spec.process.terminal, true);
  t.same(spec.process.consoleSize, { height: 40, width: 120 });
  t.equal(spec.process.cwd, '/w');
  t.equal(spec.root.readonly, true);
  t.equal(spec.process.noNewPrivileges, true);
  const noImageEnv = buildSpec(input(t, { image: { Cmd: ['sh'] } }));
  t.same(noImageEnv.process.env, [`PATH=${DEFAULT_PATH}`, 'container=husk', 'HOSTNAME=abc123', 'HOME=/root']);
  t.equal(noImageEnv.process.cwd, '/');
  t.equal(buildSpec(input(t, { consoleSize: { rows: 1, cols: 1 } })).process.consoleSize, undefined, 'no size without a terminal');
});

t.test('buildSpec: command and entrypoint reach process.args', async (t) => {
  t.same(buildSpec(input(t, { command: ['ls', '-l'] })).process.args, ['ls', '-l']);
  t.same(buildSpec(input(t, { entrypoint: '/bin/env', command: ['-i'] })).process.args, ['/bin/env', '-i']);
  usageError(t, () => buildSpec(input(t, { image: {}, command: [] })), 'no command specified');
});

t.test('buildSpec: namespaces', async (t) => {
  const types = (over: Partial<SpecInput>) => buildSpec(input(t, over)).linux.namespaces.map((n) => n.type);
  t.same(types({ network: 'none' }), ['pid', 'ipc', 'uts', 'mount', 'cgroup', 'network']);
  t.same(types({ network: 'host' }), ['pid', 'ipc', 'uts', 'mount', 'cgroup']);
  t.same(types({ userns: ROOTLESS }), ['pid', 'ipc', 'uts', 'mount', 'cgroup', 'network', 'user']);
  t.same(types({ userns: ROOTLESS, network: 'host' }), ['pid', 'ipc', 'uts', 'mount', 'cgroup', 'user']);
});

t.test('buildSpec: privileged drops masks, read-only paths and seccomp, mounts /sys rw', async (t) => {
  const spec = buildSpec(input(t, { privileged: true }));
  t.same(spec.linux.maskedPaths, []);
  t.same(spec.linux.readonlyPaths, []);
  t.equal(spec.linux.seccomp, undefined);
  t.same(spec.process.capabilities!.bounding, kernelCapabilities());
  t.same(spec.process.capabilities!.effective, kernelCapabilities());
  t.same(spec.mounts.find((m) => m.destination === '/sys')!.options, ['nosuid', 'noexec', 'nodev', 'rw']);
  t.equal(buildSpec(input(t, { privileged: true, security: { seccomp: 'default', noNewPrivileges: false } })).linux.seccomp, undefined);
});

t.test('buildSpec: seccomp choices', async (t) => {
  t.equal(buildSpec(input(t, { security: { seccomp: 'unconfined', noNewPrivileges: false } })).linux.seccomp, undefined);
  t.same(buildSpec(input(t, { capAdd: ['SYS_ADMIN'] })).linux.seccomp, defaultSeccomp([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']));
  const file = path.join(tempDir(t), 'p.json');
  fs.writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } }] }));
  t.same(buildSpec(input(t, { security: { seccomp: { file }, noNewPrivileges: false } })).linux.seccomp, { defaultAction: 'SCMP_ACT_LOG', defaultErrnoRet: undefined, architectures: undefined, syscalls: [] });
  t.same(buildSpec(input(t, { capAdd: ['sys_admin'], security: { seccomp: { file }, noNewPrivileges: false } })).linux.seccomp!.syscalls.map((r) => r.names), [['mount']]);
});

t.test('buildSpec: user resolution', async (t) => {
  t.same(buildSpec(input(t, { user: 'app' })).process.user, { uid: 1000, gid: 1000, additionalGids: [2000], umask: 0o022 });
  t.same(buildSpec(input(t, { user: 'app:extra' })).process.user, { uid: 1000, gid: 2000, additionalGids: [], umask: 0o022 });
  t.same(buildSpec(input(t, { user: '4000:4001' })).process.user, { uid: 4000, gid: 4001, additionalGids: [], umask: 0o022 });
  t.same(buildSpec(input(t, { user: '33' })).process.user, { uid: 33, gid: 33, additionalGids: [], umask: 0o022 });
  t.same(buildSpec(input(t, { user: 'app' })).process.env, ['PATH=/img/bin:/bin', 'container=husk', 'HOSTNAME=abc123', 'HOME=/home/app', 'IMG=1']);
  // The image's USER applies unless -u is given.
  t.same(buildSpec(input(t, { image: { Cmd: ['sh'], User: 'web' } })).process.user, { uid: 33, gid: 33, additionalGids: [], umask: 0o022 });
  t.same(buildSpec(input(t, { image: { Cmd: ['sh'], User: 'web' }, user: 'root' })).process.user, { uid: 0, gid: 0, additionalGids: [], umask: 0o022 });
  usageError(t, () => buildSpec(input(t, { user: 'ghost' })), 'unable to find user ghost');
});

t.test('buildSpec: non-root processes get no capabilities unless added', async (t) => {
  const app = buildSpec(input(t, { user: 'app' })).process.capabilities!;
  t.same(app, { bounding: defaults, effective: [], permitted: [], inheritable: [], ambient: [] });
  const added = buildSpec(input(t, { user: 'app', capAdd: ['net_raw', 'CAP_CHOWN'] })).process.capabilities!;
  t.same(added.bounding, resolveCapabilities(['NET_RAW', 'CHOWN'], [], false));
  t.same(added.effective, ['CAP_CHOWN', 'CAP_NET_RAW']);
  t.same(added.permitted, ['CAP_CHOWN', 'CAP_NET_RAW']);
  t.same(added.inheritable, ['CAP_CHOWN', 'CAP_NET_RAW']);
  t.same(added.ambient, ['CAP_CHOWN', 'CAP_NET_RAW']);
  const dropped = buildSpec(input(t, { user: 'app', capAdd: ['CHOWN'], capDrop: ['ALL'] })).process.capabilities!;
  t.same(dropped, { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'], inheritable: ['CAP_CHOWN'], ambient: ['CAP_CHOWN'] });
  const root = buildSpec(input(t, { capDrop: ['chown'] })).process.capabilities!;
  t.same(root.effective, defaults.filter((c) => c !== 'CAP_CHOWN'));
  t.same(root.ambient, []);
});

t.test('buildSpec: rootless user namespace mappings and mounts', async (t) => {
  const spec = buildSpec(input(t, { userns: ROOTLESS }));
  t.same(spec.linux.uidMappings, ROOTLESS.uidMappings);
  t.same(spec.linux.gidMappings, ROOTLESS.gidMappings);
  t.same(spec.mounts.find((m) => m.destination === '/sys'), { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] });
  t.ok(spec.mounts.find((m) => m.destination === '/dev/pts')!.options!.includes('gid=5'), 'gid 5 is mapped');
});

t.test('buildSpec: /sys is an rbind when rootless with the host network', async (t) => {
  t.same(buildSpec(input(t, { userns: ROOTLESS, network: 'host' })).mounts.find((m) => m.destination === '/sys'),
    { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  t.same(buildSpec(input(t, { network: 'host' })).mounts.find((m) => m.destination === '/sys')!.type, 'sysfs', 'rootful: sysfs');
  t.same(buildSpec(input(t, { userns: ROOTLESS, network: 'host', privileged: true })).mounts.find((m) => m.destination === '/sys')!.options,
    ['rbind', 'nosuid', 'noexec', 'nodev', 'rw']);
});

t.test('buildSpec: only the own id mapped: no gid=5, other users refused', async (t) => {
  const spec = buildSpec(input(t, { userns: ROOTLESS_SINGLE }));
  t.same(spec.mounts.find((m) => m.destination === '/dev/pts')!.options, ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620']);
  usageError(t, () => buildSpec(input(t, { userns: ROOTLESS_SINGLE, user: 'app' })), "user app (uid 1000, gid 1000) is not mapped into the container's user namespace");
  usageError(t, () => buildSpec(input(t, { userns: ROOTLESS_SINGLE, user: '0:5' })), 'user 0:5 (uid 0, gid 5) is not mapped');
  usageError(t, () => buildSpec(input(t, { userns: ROOTLESS, user: '70000' })), 'user 70000 (uid 70000, gid 0) is not mapped');
});

t.test('buildSpec: keep-id', async (t) => {
  const spec = buildSpec(input(t, { userns: ROOTLESS, keepId: { uid: 1000, gid: 1000 } }));
  t.same(spec.linux.uidMappings, keepIdMappings(1000, ROOTLESS.uidMappings));
  t.same(spec.linux.gidMappings, keepIdMappings(1000, ROOTLESS.gidMappings));
  t.same(spec.process.user, { uid: 1000, gid: 1000, additionalGids: [], umask: 0o022 });
  t.ok(spec.process.env.includes('HOME=/home/app'));
  t.same(spec.process.capabilities!.effective, [], 'the user is not root inside');
  // -u still wins over keep-id's own user.
  t.same(buildSpec(input(t, { userns: ROOTLESS, keepId: { uid: 1000, gid: 1000 }, user: '0' })).process.user.uid, 0);
  // Without a subordinate range only the own id exists inside.
  const single = buildSpec(input(t, { userns: ROOTLESS_SINGLE, keepId: { uid: 1000, gid: 1000 } }));
  t.same(single.linux.uidMappings, [{ containerID: 1000, hostID: 1000, size: 1 }]);
  t.same(single.process.user, { uid: 1000, gid: 1000, additionalGids: [], umask: 0o022 });
});

t.test('buildSpec: the device allowlist runc and podman apply; all of them when privileged', async (t) => {
  const spec = buildSpec(input(t));
  t.same(spec.linux.resources?.devices, [...DEFAULT_DEVICE_RULES]);
  t.equal(spec.linux.cgroupsPath, undefined, 'no cgroup unless the engine asks for one');
  t.same(buildSpec(input(t, { cgroupsPath: '/husk/abc' })).linux.cgroupsPath, '/husk/abc');
  t.same(buildSpec(input(t, { privileged: true })).linux.resources?.devices, [{ allow: true, access: 'rwm' }]);
});

t.test('buildSpec: --device binds the host node and allows it; --device-cgroup-rule adds rules', async (t) => {
  const spec = buildSpec(input(t, { devices: ['/dev/null:/dev/mynull:rw'], deviceCgroupRules: ['c 10:229 rwm', 'b *:* r'] }));
  t.same(spec.mounts.find((m) => m.destination === '/dev/mynull'), { destination: '/dev/mynull', type: 'bind', source: '/dev/null', options: ['bind'] });
  t.same(spec.linux.resources?.devices?.slice(DEFAULT_DEVICE_RULES.length), [
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' },
    { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' },
    { allow: true, type: 'b', major: undefined, minor: undefined, access: 'r' },
  ]);
  usageError(t, () => buildSpec(input(t, { userns: ROOTLESS, deviceCgroupRules: ['c 10:229 rwm'] })), '--device-cgroup-rule needs a devices cgroup');
  t.ok(buildSpec(input(t, { userns: ROOTLESS, devices: ['/dev/null'] })).mounts.some((m) => m.destination === '/dev/null' && m.type === 'bind'), '--device rootless: a bind');
});
