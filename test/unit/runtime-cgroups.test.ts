import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { cgroupProcsOf, cgroupsPathOf, deviceCgroups, removeDeviceCgroup, setUpDeviceCgroup, v1Lines } from '../../lib/runtime/cgroups.js';
import { DEFAULT_DEVICE_RULES } from '../../lib/runtime/devices.js';
import { fakeContext, recordingNative } from '../helpers/fake-native.js';
import { tempDir, writeTree } from './fixtures/helpers.js';

t.test('deviceCgroups: v1 devices first, else cgroup v2 (own or hybrid), else none', async (t) => {
  const v1 = tempDir(t);
  writeTree(v1, { 'devices/devices.allow': '', 'unified/cgroup.controllers': '' });
  t.same(deviceCgroups(v1), { kind: 'v1', root: path.join(v1, 'devices') }, 'hybrid with v1 devices: v1');
  const hybrid = tempDir(t);
  writeTree(hybrid, { 'memory/tasks': '', 'unified/cgroup.controllers': '' });
  t.same(deviceCgroups(hybrid), { kind: 'v2', root: path.join(hybrid, 'unified') }, 'no v1 devices: the unified hierarchy');
  const v2 = tempDir(t);
  writeTree(v2, { 'cgroup.controllers': 'cpu memory' });
  t.same(deviceCgroups(v2), { kind: 'v2', root: v2 });
  t.same(deviceCgroups(tempDir(t)), { kind: 'none' }, 'nothing mounted');
  t.equal(cgroupsPathOf('abc'), '/husk/abc');
});

t.test('v1Lines: "a" only for every device with every access', async (t) => {
  t.same(v1Lines({ allow: false, access: 'rwm' }), ['a']);
  t.same(v1Lines({ allow: true }), ['a']);
  t.same(v1Lines({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }), ['c 1:3 rwm']);
  t.same(v1Lines({ allow: true, type: 'c', major: 136, access: 'rwm' }), ['c 136:* rwm']);
  t.same(v1Lines({ allow: true, type: 'a', major: 7, access: 'r' }), ['c 7:* r', 'b 7:* r'], 'v1 would read "a 7:* r" as all devices');
  t.same(v1Lines({ allow: true, type: 'a', access: 'm' }), ['c *:* m', 'b *:* m']);
});

t.test('setUpDeviceCgroup v1: deny everything, then the allowlist, one rule per write', async (t) => {
  const fake = recordingNative();
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  const root = path.join(ctx.cgroupFs, 'devices');
  writeTree(ctx.cgroupFs, { 'devices/devices.allow': '' });
  const cg = deviceCgroups(ctx.cgroupFs);
  const dir = path.join(root, 'husk/abc');
  fs.mkdirSync(dir, { recursive: true }); // the last run's, gone empty
  const procs = setUpDeviceCgroup(ctx, cg, '/husk/abc', [...DEFAULT_DEVICE_RULES]);
  t.equal(procs, path.join(dir, 'cgroup.procs'));
  t.equal(fs.readFileSync(path.join(dir, 'devices.deny'), 'utf8'), 'a\n');
  t.same(fs.readFileSync(path.join(dir, 'devices.allow'), 'utf8').split('\n').filter(Boolean), [
    'c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 5:0 rwm', 'c 5:2 rwm', 'c 136:* rwm', 'c 10:200 rwm',
  ]);
  t.same(fake.calls, [], 'no addon call for v1');
  t.equal(cgroupProcsOf(cg, '/husk/abc'), procs, 'exec finds it');
  // (A real cgroup directory is empty to rmdir; this one holds plain files.)
  for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
  t.equal(removeDeviceCgroup(cg, '/husk/abc'), true);
  t.notOk(fs.existsSync(dir), 'removed');
  t.equal(removeDeviceCgroup(cg, '/husk/abc'), true, 'removing what is gone is fine');
  t.throws(() => cgroupProcsOf(cg, '/husk/abc'), /cgroup \/husk\/abc is gone/, 'exec into a container whose cgroup is gone is refused');
});

t.test('setUpDeviceCgroup v2: the addon attaches the rules as an eBPF program', async (t) => {
  const fake = recordingNative({ attachDeviceFilter: () => {} });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  writeTree(ctx.cgroupFs, { 'cgroup.controllers': '' });
  const rules = [...DEFAULT_DEVICE_RULES];
  const procs = setUpDeviceCgroup(ctx, deviceCgroups(ctx.cgroupFs), '/husk/abc', rules);
  t.equal(procs, path.join(ctx.cgroupFs, 'husk/abc/cgroup.procs'));
  t.same(fake.callsOf('attachDeviceFilter'), [[path.join(ctx.cgroupFs, 'husk/abc'), rules]]);
});

t.test('setUpDeviceCgroup: a failure leaves no cgroup; none is refused', async (t) => {
  const fake = recordingNative({ attachDeviceFilter: () => { throw new Error('bpf: Operation not permitted'); } });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  writeTree(ctx.cgroupFs, { 'cgroup.controllers': '' });
  t.throws(() => setUpDeviceCgroup(ctx, deviceCgroups(ctx.cgroupFs), '/husk/abc', []), /bpf/);
  t.notOk(fs.existsSync(path.join(ctx.cgroupFs, 'husk/abc')), 'the half-made cgroup is gone');
  t.throws(() => setUpDeviceCgroup(ctx, { kind: 'none' }, '/husk/abc', []), /cannot confine the container's devices/);
});
