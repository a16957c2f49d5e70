import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { deviceRules, DEFAULT_DEVICE_RULES, findDeviceNode, majorMinor, parseDevice, parseDeviceCgroupRule } from '../../lib/runtime/devices.js';
import { tempDir, usageError } from './fixtures/helpers.js';

t.test('DEFAULT_DEVICE_RULES: runc\'s list, as a podman container\'s devices.list shows it', async (t) => {
  const line = (r: (typeof DEFAULT_DEVICE_RULES)[number]) => `${r.allow ? 'allow' : 'deny'} ${r.type ?? 'a'} ${r.major ?? '*'}:${r.minor ?? '*'} ${r.access}`;
  t.same(DEFAULT_DEVICE_RULES.map(line), [
    'deny a *:* rwm', 'allow c *:* m', 'allow b *:* m', 'allow c 1:3 rwm', 'allow c 1:5 rwm', 'allow c 1:7 rwm', 'allow c 1:8 rwm',
    'allow c 1:9 rwm', 'allow c 5:0 rwm', 'allow c 5:2 rwm', 'allow c 136:* rwm', 'allow c 10:200 rwm',
  ]);
  t.same(deviceRules(true, [{ allow: true, type: 'c', major: 1, minor: 1 }]), [{ allow: true, access: 'rwm' }], 'privileged: everything');
  t.same(deviceRules(false, [{ allow: true, type: 'c', major: 1, minor: 1 }]).at(-1), { allow: true, type: 'c', major: 1, minor: 1 }, 'added rules come last');
});

t.test('parseDeviceCgroupRule: docker\'s TYPE MAJOR:MINOR ACCESS', async (t) => {
  t.same(parseDeviceCgroupRule('c 1:11 rwm'), { allow: true, type: 'c', major: 1, minor: 11, access: 'rwm' });
  t.same(parseDeviceCgroupRule(' b *:* r '), { allow: true, type: 'b', major: undefined, minor: undefined, access: 'r' });
  t.same(parseDeviceCgroupRule('a 7:* mw'), { allow: true, type: 'a', major: 7, minor: undefined, access: 'mw' });
  for (const bad of ['', 'c', 'c 1:11', 'x 1:1 r', 'c 1:1 rwx', 'c 1:1 rr', 'c -1:1 r', 'c 1 r', 'c 1:1:1 r']) {
    usageError(t, () => parseDeviceCgroupRule(bad), `invalid --device-cgroup-rule "${bad}"`, 'TYPE MAJOR:MINOR ACCESS');
  }
});

t.test('parseDevice: HOST[:CONTAINER][:PERMISSIONS] of a host device node', async (t) => {
  const rule = (access: string) => ({ allow: true, type: 'c', major: 1, minor: 3, access });
  const bind = (dest: string) => ({ destination: dest, type: 'bind', source: '/dev/null', options: ['bind'] });
  t.same(parseDevice('/dev/null'), { mount: bind('/dev/null'), rule: rule('rwm') });
  t.same(parseDevice('/dev/null:r'), { mount: bind('/dev/null'), rule: rule('r') }, 'a second part that is permissions');
  t.same(parseDevice('/dev/null:/dev/x'), { mount: bind('/dev/x'), rule: rule('rwm') });
  t.same(parseDevice('/dev/null:/dev/x:rw'), { mount: bind('/dev/x'), rule: rule('rw') });
  usageError(t, () => parseDevice('/dev/nonexistent-husk'), 'invalid --device "/dev/nonexistent-husk": /dev/nonexistent-husk: no such device');
  usageError(t, () => parseDevice('/etc/hostname'), 'is not a device node');
  usageError(t, () => parseDevice('dev/null'), 'use /host/device[:/container/path][:PERMISSIONS]');
  usageError(t, () => parseDevice('/dev/null:x'), 'use /host/device');
  usageError(t, () => parseDevice('/dev/null:/dev/x:rwx'), 'permissions are some of r, w, m');
  usageError(t, () => parseDevice('/dev/null:/a:r:w'), 'use /host/device');
});

t.test('majorMinor: glibc\'s encoding of dev_t', async (t) => {
  // glibc's makedev()
  const makedev = (major: bigint, minor: bigint) => ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n);
  t.same(majorMinor(0x10bn), { major: 1, minor: 11 });
  t.same(majorMinor(makedev(1n, 11n)), { major: 1, minor: 11 });
  t.same(majorMinor(makedev(0x12345n, 0xabcden)), { major: 0x12345, minor: 0xabcde }, 'numbers past 12 and 8 bits');
});

t.test('findDeviceNode: the first device node of the layers; whiteouts are not devices', { skip: process.getuid?.() !== 0 && 'mknod needs root' }, async (t) => {
  const upper = tempDir(t);
  const lower = tempDir(t);
  fs.mkdirSync(path.join(lower, 'a/b'), { recursive: true });
  fs.writeFileSync(path.join(lower, 'a/file'), 'x');
  fs.symlinkSync('/dev/null', path.join(lower, 'a/link'));
  spawnSync('mknod', [path.join(upper, 'wh'), 'c', '0', '0']);
  t.equal(findDeviceNode([upper, lower]), undefined, 'files, symlinks to devices and whiteouts: none');
  spawnSync('mknod', [path.join(lower, 'a/b/kmsg'), 'c', '1', '11']);
  spawnSync('mknod', [path.join(lower, 'a/b/loop'), 'b', '7', '0']);
  t.match(findDeviceNode([upper, lower]), /^\/a\/b\/(kmsg \(char 1:11\)|loop \(block 7:0\))$/);
});
