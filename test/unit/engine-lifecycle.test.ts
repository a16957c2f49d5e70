// Engine logic around the addon, driven through a recording fake of it:
// create (files, the store's driver kept, undo on failure), start, exec.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { createContainer, type CreateOptions } from '../../lib/engine/create.js';
import { startContainer } from '../../lib/engine/start.js';
import { execInContainer, type ExecOptions } from '../../lib/engine/exec.js';
import { listContainers } from '../../lib/engine/containers.js';
import { ImageStore } from '../../lib/image/store.js';
import { ContainerStore, procStartTime, type ContainerView } from '../../lib/runtime/container-store.js';
import { storeDriver } from '../../lib/storage/driver.js';
import { ExecError, type NativeError } from '../../lib/core/errors.js';
import type { CreateOptions as NativeCreateOptions, ExecProcessOptions } from '../../lib/core/native-api.js';
import { fakeContext, nativeError, recordingNative } from '../helpers/fake-native.js';
import { writeTree } from './fixtures/helpers.js';

const IMAGE = 'localhost/empty:latest';

/**
 * An image with no layers, in a store whose probe chose overlay: all that
 * create needs from the store (no mount is probed here).
 */
function addEmptyImage(ctx: ReturnType<typeof fakeContext>): void {
  fs.mkdirSync(ctx.paths.dataRoot, { recursive: true });
  fs.writeFileSync(path.join(ctx.paths.dataRoot, 'storage-driver.json'), JSON.stringify({ driver: 'overlay', probe: 'kernel overlayfs mounts' }));
  const config = { architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/bin'], Cmd: ['sh'], WorkingDir: '/' }, rootfs: { type: 'layers', diff_ids: [] } };
  const bytes = Buffer.from(JSON.stringify(config));
  new ImageStore(ctx).addImage(bytes, config as never, [], Buffer.from('{}'), IMAGE);
}

function createOptions(over: Partial<CreateOptions> = {}): CreateOptions {
  return {
    image: IMAGE, command: ['echo', 'hi'], env: [], capAdd: [], capDrop: [], privileged: false, readOnly: false,
    security: { seccomp: 'default', noNewPrivileges: false }, keepId: false,
    network: { mode: { kind: 'none' }, ports: [], publishAll: false, expose: [], addHosts: [], noHosts: false, dns: [], dnsSearch: [], dnsOptions: [] }, tty: false, interactive: false, autoRemove: false,
    ...over,
  };
}

/** The init and monitor the fake "starts": this test process, which is alive with a known start time. */
const spawned = () => ({ pid: process.pid, monitorPid: process.pid });

t.test('create: the spec, the FIFO and the monitor reach the addon; the record and state are written', async (t) => {
  const fake = recordingNative({ createContainer: spawned });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  addEmptyImage(ctx);
  const view = await createContainer(ctx, createOptions({ name: 'web', labels: { a: 'b' } }));
  t.equal(view.status, 'created');
  t.same(fake.calls.map((c) => c.method), ['mkfifo', 'createContainer'], 'one FIFO, one create');
  const [opts] = fake.callsOf('createContainer')[0] as [NativeCreateOptions];
  const p = new ContainerStore(ctx).paths(view.record.id);
  t.same(opts.spec.process.args, ['echo', 'hi'], 'the command');
  t.equal(opts.execFifo, p.execFifo);
  t.equal(opts.rootfs.driver, 'overlay', 'overlay first');
  t.match(opts.monitorArgv.slice(0, 3), [/husk-monitor$/, '--id', view.record.id], 'the monitor for this container');
  t.same(JSON.parse(fs.readFileSync(p.config, 'utf8')), JSON.parse(JSON.stringify(opts.spec)), 'config.json is the spec the addon got');
  t.same(JSON.parse(fs.readFileSync(p.state, 'utf8')).pid, process.pid, 'the init pid recorded');
  // (Its status is read from the init's process name, which this fake's init, the test itself, does not have.)
  t.same(listContainers(ctx).map((v) => v.record.name), ['web'], 'listed');
});

// The store's driver was decided by its probe. A mount failing for one
// container (its directory removed by an rm -f racing a restart, ENOENT)
// once moved the whole store to fuse-overlayfs for good.
t.test('create: a failed overlay mount does not switch the store\'s driver', async (t) => {
  let tries = 0;
  const fake = recordingNative({
    createContainer: () => {
      if (tries++ === 0) throw nativeError('mount overlay on /x/rootfs: ENOENT (No such file or directory)', { code: 'ENOENT', step: 'mount overlay on' });
      return spawned();
    },
  });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  addEmptyImage(ctx);
  const err = await createContainer(ctx, createOptions()).catch((e: unknown) => e);
  t.equal((err as NativeError).step, 'mount overlay on', 'the error is this container\'s');
  t.same(fake.callsOf('createContainer').map(([o]) => (o as NativeCreateOptions).rootfs.driver), ['overlay'], 'no other driver tried');
  t.equal(storeDriver(ctx), 'overlay', 'the store keeps overlay');
  fake.calls.length = 0;
  const view = await createContainer(ctx, createOptions());
  t.equal(view.record.storageDriver, 'overlay');
  t.same(fake.callsOf('createContainer').map(([o]) => (o as NativeCreateOptions).rootfs.driver), ['overlay'], 'the next container mounts overlay');
});

t.test('create: a failure leaves nothing behind, and the name stays free', async (t) => {
  let fail = true;
  const fake = recordingNative({
    createContainer: () => {
      if (fail) throw nativeError('pivot_root: Invalid argument', { code: 'EINVAL', step: 'pivot_root' });
      return spawned();
    },
  });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  addEmptyImage(ctx);
  const err = await createContainer(ctx, createOptions({ name: 'web' })).catch((e: unknown) => e);
  t.equal((err as NativeError).step, 'pivot_root', 'the addon\'s error');
  t.same(new ContainerStore(ctx).ids(), [], 'no container directory');
  t.same(listContainers(ctx), [], 'nothing listed');
  t.equal(fake.callsOf('createContainer').length, 1, 'not retried');
  fail = false;
  t.equal((await createContainer(ctx, createOptions({ name: 'web' }))).record.name, 'web', 'the name can be used again');
});

/** A created container of this process (alive), with its run directory and FIFO. */
function createdView(ctx: ReturnType<typeof fakeContext>, status: ContainerView['status'] = 'created'): ContainerView {
  const id = 'a'.repeat(64);
  const p = new ContainerStore(ctx).paths(id);
  fs.mkdirSync(p.dir, { recursive: true });
  fs.mkdirSync(p.run, { recursive: true });
  fs.writeFileSync(p.execFifo, '');
  return {
    record: { id, name: 'web' } as ContainerView['record'],
    state: { pid: process.pid, pidStartTime: procStartTime(process.pid)!, monitorPid: process.pid },
    status,
  };
}

t.test('start: releases the init through its FIFO and records the start', async (t) => {
  const fake = recordingNative({ startContainer: () => {} });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  const view = createdView(ctx);
  const p = new ContainerStore(ctx).paths(view.record.id);
  startContainer(ctx, view);
  t.same(fake.callsOf('startContainer'), [[p.execFifo, process.pid, 30_000]]);
  t.equal(view.status, 'running');
  t.notOk(fs.existsSync(p.execFifo), 'the FIFO is gone');
  t.ok(Date.parse(JSON.parse(fs.readFileSync(p.state, 'utf8')).startedAt) > 0, 'the start time is recorded');
});

t.test('start: a command that cannot run is exit code 127 or 126, with its name', async (t) => {
  for (const [code, exit] of [['ENOENT', 127], ['EACCES', 126]] as const) {
    const fake = recordingNative({
      startContainer: () => {
        throw nativeError(`exec: ${code}`, { code, step: 'exec', path: '/bin/nope' });
      },
    });
    const ctx = fakeContext(fake.native);
    t.teardown(ctx.cleanup);
    const view = createdView(ctx);
    const err = t.throws(() => startContainer(ctx, view)) as ExecError;
    t.ok(err instanceof ExecError, code);
    t.equal(err.exitCode, exit, `${code}: ${exit}`);
    t.match(err.message, /^\/bin\/nope: /);
    t.notOk(fs.existsSync(new ContainerStore(ctx).paths(view.record.id).execFifo), 'the FIFO is gone all the same');
  }
});

t.test('start: only a created container whose init lives; the addon is not asked otherwise', async (t) => {
  const fake = recordingNative();
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  t.throws(() => startContainer(ctx, createdView(ctx, 'running')), /cannot be started: it is running/);
  const dead = createdView(ctx);
  dead.state!.pidStartTime = 'not-this-one';
  t.throws(() => startContainer(ctx, dead), /cannot be started/);
  t.same(fake.calls, []);
});

t.test('exec: joins the container\'s namespaces, with the container\'s process made over', async (t) => {
  const fake = recordingNative({
    execProcess: () => ({ pid: 1111, execPid: 1112, syncFd: fs.openSync('/dev/null', 'r') }),
    execResult: () => 3,
  });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  const view = createdView(ctx, 'running');
  const p = new ContainerStore(ctx).paths(view.record.id);
  const spec = {
    process: { args: ['sh'], env: ['PATH=/bin', 'A=1'], cwd: '/srv', user: { uid: 0, gid: 0 }, capabilities: { bounding: ['CAP_CHOWN'] } },
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'user' }, { type: 'network' }] },
  };
  fs.writeFileSync(p.config, JSON.stringify(spec));
  const opts: ExecOptions = { command: ['id'], interactive: false, tty: false, detach: false, env: ['A=2'], privileged: false, workdir: '/tmp' };
  t.equal(await execInContainer(ctx, view, opts), 3, 'the exit code the addon read');
  const [call] = fake.callsOf('execProcess')[0] as [ExecProcessOptions];
  // The fake container's process is this one: already in its user namespace, which cannot be joined again.
  t.same(call.namespaces.map((n) => n.type), ['mount', 'pid', 'network'], 'a user namespace the caller is in is not joined (EINVAL)');
  t.same(call.namespaces[0], { type: 'mount', path: `/proc/${process.pid}/ns/mnt` });
  t.same(call.process.args, ['id']);
  t.same(call.process.env, ['PATH=/bin', 'A=2'], '-e wins over the container\'s env');
  t.equal(call.process.cwd, '/tmp');
  t.same(call.process.capabilities?.effective, ['CAP_CHOWN'], 'root gets the container\'s capabilities');
  t.equal(call.stdin, false, 'no stdin pipe without -i');
  t.notOk('stdio' in call, 'no fd of ours handed over: the addon makes the process\'s pipes');
  t.same(fake.calls.map((c) => c.method), ['execProcess', 'reap', 'execResult'], 'reaped, then the result read');
  t.same(fake.callsOf('reap'), [[1111]]);
});

t.test('exec -i: a stdin pipe asked for', async (t) => {
  const fake = recordingNative({
    execProcess: () => ({ pid: 1111, execPid: 1112, syncFd: fs.openSync('/dev/null', 'r') }),
    execResult: () => 0,
  });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  const view = createdView(ctx, 'running');
  const spec = { process: { args: ['sh'], env: [], cwd: '/', user: { uid: 0, gid: 0 } }, linux: { namespaces: [] } };
  fs.writeFileSync(new ContainerStore(ctx).paths(view.record.id).config, JSON.stringify(spec));
  const opts: ExecOptions = { command: ['cat'], interactive: true, tty: false, detach: false, env: [], privileged: false };
  t.equal(await execInContainer(ctx, view, opts), 0);
  const [call] = fake.callsOf('execProcess')[0] as [ExecProcessOptions];
  t.equal(call.stdin, true);
});

t.test('exec: only into a running container', async (t) => {
  const fake = recordingNative();
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  const opts: ExecOptions = { command: ['id'], interactive: false, tty: false, detach: false, env: [], privileged: false };
  await t.rejects(execInContainer(ctx, createdView(ctx, 'created'), opts), /can only exec into running containers: web is created/);
  t.same(fake.calls, []);
});

const asRoot = { skip: process.getuid?.() !== 0 && 'root containers only (rootless ones get no cgroup)' };

t.test('create as root: a devices cgroup with the spec\'s rules, its cgroup.procs to the addon', asRoot, async (t) => {
  const fake = recordingNative({ createContainer: spawned });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  addEmptyImage(ctx);
  writeTree(ctx.cgroupFs, { 'devices/devices.allow': '' }); // v1, as on this kind of machine
  const view = await createContainer(ctx, createOptions({ deviceCgroupRules: ['c 10:229 rw'] }));
  const [opts] = fake.callsOf('createContainer')[0] as [NativeCreateOptions];
  const dir = `${ctx.cgroupFs}/devices/husk/${view.record.id}`;
  t.equal(opts.spec.linux.cgroupsPath, `/husk/${view.record.id}`);
  t.same(opts.cgroupProcs, [`${dir}/cgroup.procs`], 'the init is to be moved there');
  t.equal(fs.readFileSync(`${dir}/devices.deny`, 'utf8'), 'a\n', 'everything refused');
  t.match(fs.readFileSync(`${dir}/devices.allow`, 'utf8'), /^c \*:\* m\n[^]*c 1:3 rwm\n[^]*c 10:229 rw\n$/, 'then the allowlist, --device-cgroup-rule last');
});

t.test('create as root where nothing confines devices: --device-cgroup-rule and CAP_MKNOD are refused', asRoot, async (t) => {
  const fake = recordingNative({ createContainer: spawned });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  addEmptyImage(ctx);
  await t.rejects(createContainer(ctx, createOptions({ deviceCgroupRules: ['c 10:229 rw'] })), /--device-cgroup-rule cannot be applied: this machine has no devices cgroup/);
  await t.rejects(createContainer(ctx, createOptions({ capAdd: ['MKNOD'] })), /CAP_MKNOD cannot be given/);
  t.same(fake.calls, [], 'the addon was not asked');
  t.same(listContainers(ctx), [], 'nothing written');
  await createContainer(ctx, createOptions({ capAdd: ['MKNOD'], privileged: true }));
  t.same(fake.callsOf('createContainer').length, 1, '--privileged asked for every device anyway');
  t.equal((fake.callsOf('createContainer')[0] as [NativeCreateOptions])[0].cgroupProcs, undefined, 'and gets no cgroup');
});

t.test('exec into a root container: into its cgroup too', asRoot, async (t) => {
  const fake = recordingNative({
    execProcess: () => ({ pid: 1111, execPid: 1112, syncFd: fs.openSync('/dev/null', 'r') }),
    execResult: () => 0,
  });
  const ctx = fakeContext(fake.native);
  t.teardown(ctx.cleanup);
  writeTree(ctx.cgroupFs, { 'devices/devices.allow': '', 'devices/husk/abc/cgroup.procs': '' });
  const view = createdView(ctx, 'running');
  const spec = { process: { args: ['sh'], env: [], cwd: '/', user: { uid: 0, gid: 0 }, capabilities: { bounding: [] } }, linux: { namespaces: [], cgroupsPath: '/husk/abc' } };
  fs.writeFileSync(new ContainerStore(ctx).paths(view.record.id).config, JSON.stringify(spec));
  const opts: ExecOptions = { command: ['id'], interactive: false, tty: false, detach: false, env: [], privileged: false };
  await execInContainer(ctx, view, opts);
  t.same((fake.callsOf('execProcess')[0] as [ExecProcessOptions])[0].cgroupProcs, [`${ctx.cgroupFs}/devices/husk/abc/cgroup.procs`]);
  fs.rmSync(`${ctx.cgroupFs}/devices/husk/abc`, { recursive: true });
  await t.rejects(execInContainer(ctx, view, opts), /cgroup \/husk\/abc is gone/, 'not without it');
});
