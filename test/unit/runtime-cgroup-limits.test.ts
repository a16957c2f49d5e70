import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { limitCgroups, limitCgroupsPath, limitProcsOf, removeLimits, setUpLimits } from '../../lib/runtime/cgroup-limits.js';
import { fakeContext, recordingNative } from '../helpers/fake-native.js';
import { tempDir, writeTree } from './fixtures/helpers.js';

const read = (f: string) => fs.readFileSync(f, 'utf8');
const MB = 1024 ** 2;

function context(t: Test, rootless: boolean) {
  const ctx = fakeContext(recordingNative().native);
  t.teardown(ctx.cleanup);
  return Object.assign(ctx, { rootless, uid: process.getuid?.() ?? 0 });
}

t.test('v1 as root: a cgroup in each hierarchy, limits written, cpuset filled from the parent', async (t) => {
  const ctx = context(t, false);
  const fsRoot = ctx.cgroupFs;
  writeTree(fsRoot, { 'memory/tasks': '', 'cpu/tasks': '', 'pids/tasks': '', 'cpuset/tasks': '', 'cpuset/cpuset.cpus': '0-1', 'cpuset/cpuset.mems': '0', 'freezer/tasks': '' });
  const cg = limitCgroups(ctx);
  t.equal(cg.kind, 'v1');
  const cgPath = limitCgroupsPath(cg, 'abc')!;
  t.equal(cgPath, '/husk/abc');
  const procs = setUpLimits(cg, cgPath, { memory: { limit: 64 * MB }, cpu: { quota: 50000, period: 100000, cpus: '1' }, pids: { limit: 20 } });
  t.same(procs.map((p) => path.relative(fsRoot, p)).sort(), ['cpu/husk/abc/cgroup.procs', 'cpuset/husk/abc/cgroup.procs', 'freezer/husk/abc/cgroup.procs', 'memory/husk/abc/cgroup.procs', 'pids/husk/abc/cgroup.procs']);
  t.equal(read(path.join(fsRoot, 'memory/husk/abc/memory.limit_in_bytes')), String(64 * MB));
  t.equal(read(path.join(fsRoot, 'cpu/husk/abc/cpu.cfs_quota_us')), '50000');
  t.equal(read(path.join(fsRoot, 'cpu/husk/abc/cpu.cfs_period_us')), '100000');
  t.equal(read(path.join(fsRoot, 'pids/husk/abc/pids.max')), '20');
  t.equal(read(path.join(fsRoot, 'cpuset/husk/cpuset.cpus')), '0-1', 'husk/ gets the parent cpus (an empty cpuset refuses tasks)');
  t.equal(read(path.join(fsRoot, 'cpuset/husk/abc/cpuset.cpus')), '1');
  t.equal(read(path.join(fsRoot, 'cpuset/husk/abc/cpuset.mems')), '0');
  t.same(limitProcsOf(cg, cgPath).length, 5, 'exec joins all of them');
});

t.test('v2 as root: controllers enabled down to the cgroup; docker values in v2 terms', async (t) => {
  const ctx = context(t, false);
  const fsRoot = ctx.cgroupFs;
  writeTree(fsRoot, { 'cgroup.controllers': 'cpuset cpu io memory hugetlb pids', 'cgroup.subtree_control': '' });
  const cg = limitCgroups(ctx);
  t.same(cg, { kind: 'v2', root: fsRoot, base: '', controllers: ['cpu', 'cpuset', 'io', 'memory', 'pids'] });
  setUpLimits(cg, '/husk/abc', { memory: { limit: 64 * MB, swap: 96 * MB, reservation: 16 * MB }, cpu: { quota: 50000, period: 100000, shares: 1024 }, pids: { limit: -1 }, blockIO: { weight: 500 } });
  t.equal(read(path.join(fsRoot, 'cgroup.subtree_control')), '+cpu +cpuset +io +memory +pids');
  t.equal(read(path.join(fsRoot, 'husk/cgroup.subtree_control')), '+cpu +cpuset +io +memory +pids');
  const dir = path.join(fsRoot, 'husk/abc');
  t.equal(read(path.join(dir, 'memory.max')), String(64 * MB));
  t.equal(read(path.join(dir, 'memory.swap.max')), String(32 * MB), 'swap alone: docker counts memory plus swap');
  t.equal(read(path.join(dir, 'memory.low')), String(16 * MB));
  t.equal(read(path.join(dir, 'cpu.max')), '50000 100000');
  t.equal(read(path.join(dir, 'cpu.weight')), '39', "runc's conversion of 1024 shares");
  t.equal(read(path.join(dir, 'pids.max')), 'max');
  t.equal(read(path.join(dir, 'io.weight')), 'default 500');
  // (A real cgroup directory is empty to rmdir; this one holds plain files.)
  for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
  removeLimits(cg, '/husk/abc');
  t.notOk(fs.existsSync(dir));
});

t.test('rootless: a delegated v2 subtree, or none with the reason', async (t) => {
  const v1 = context(t, true);
  writeTree(v1.cgroupFs, { 'memory/tasks': '' });
  const none = limitCgroups(v1);
  t.equal(none.kind, 'none');
  t.match(none.kind === 'none' ? none.why : '', /cgroup v1 controllers, which cannot be delegated/);

  const ctx = context(t, true);
  const fsRoot = ctx.cgroupFs;
  const user = 'user.slice/user-1000.slice/user@1000.service';
  writeTree(fsRoot, { 'cgroup.controllers': 'cpu memory pids', [`${user}/cgroup.subtree_control`]: 'cpu memory pids', [`${user}/app.scope/cgroup.procs`]: '', [`${user}/app.scope/cgroup.subtree_control`]: '', 'user.slice/cgroup.subtree_control': '', 'user.slice/user-1000.slice/cgroup.subtree_control': '' });
  const self = path.join(tempDir(t), 'cgroup');
  fs.writeFileSync(self, `0::/${user}/app.scope\n`);
  if (process.getuid?.() === 0) {
    // Only the delegated part is the user's: what is above belongs to root (here: someone else).
    for (const d of ['user.slice', 'user.slice/user-1000.slice']) fs.chownSync(path.join(fsRoot, d), 12345, 12345);
    const cg = limitCgroups(ctx, self);
    t.same(cg, { kind: 'v2', root: fsRoot, base: `/${user}`, controllers: ['cpu', 'memory', 'pids'] });
    t.equal(limitCgroupsPath(cg, 'abc'), `/${user}/husk/abc`);
    setUpLimits(cg, limitCgroupsPath(cg, 'abc')!, { pids: { limit: 5 } });
    t.equal(read(path.join(fsRoot, user, 'husk/abc/pids.max')), '5');
    t.equal(read(path.join(fsRoot, user, 'husk/cgroup.subtree_control')), '+cpu +memory +pids');
  }
  fs.writeFileSync(path.join(fsRoot, user, 'cgroup.subtree_control'), '');
  const empty = limitCgroups(ctx, self);
  t.equal(empty.kind, 'none', 'a delegation with no controllers for its children is none');
  fs.writeFileSync(self, '0::/\n');
  t.match(limitCgroups(ctx, self), { kind: 'none', why: /no cgroup v2 subtree is delegated/ });
});
