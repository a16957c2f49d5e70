// Hosts that lack something still run containers, through the fallbacks, and
// `husk info` says which one is in use: root filesystems through kernel
// overlayfs, fuse-overlayfs or the copying vfs driver; a user without a
// subordinate id range gets a single-id mapping and one warning.
//
// A store's driver is decided once, by a probe: a container whose own mount
// fails does not move the store elsewhere. Images of many layers (podman
// runs 120) stay on overlay. fuse-overlayfs runs outside the container.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { writeTar } from '../helpers/files.js';
import { Husk, fixtures, modes, newHusk, setup, waitFor } from '../helpers/husk.js';

const DRIVERS = ['overlay', 'fuse-overlayfs', 'vfs'];

/** Prints the file system type of the container's root (mountinfo: the field after "-"). */
const ROOT_FSTYPE = 'awk \'$5 == "/" { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1); exit } }\' /proc/self/mountinfo';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A docker-archive of `n` layers: busybox at the bottom, then one tiny layer
 * each (layers/NNN), /gone added by the second and whited out halfway up,
 * /top in the last.
 */
async function layeredArchive(n: number, name: string): Promise<Buffer> {
  const layers: Buffer[] = [fs.readFileSync(fixtures.busyboxTar)];
  for (let i = 1; i < n; i++) {
    const files = [{ name: 'layers/', type: 'directory' }, { name: `layers/${String(i).padStart(3, '0')}`, data: `${i}\n` }];
    if (i === 1) files.push({ name: 'gone', data: 'x' });
    if (i === Math.floor(n / 2)) files.push({ name: '.wh.gone', data: '' });
    if (i === n - 1) files.push({ name: 'top', data: 'top-layer\n' });
    layers.push(await writeTar(files));
  }
  const diffIds = layers.map((l) => `sha256:${sha256(l)}`);
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux',
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
  }));
  const manifest = [{ Config: 'config.json', RepoTags: [name], Layers: layers.map((_, i) => `${i}/layer.tar`) }];
  return writeTar([
    { name: 'manifest.json', data: JSON.stringify(manifest) },
    { name: 'config.json', data: config },
    ...layers.map((data, i) => ({ name: `${i}/layer.tar`, data })),
  ]);
}

/** fuse-overlayfs daemons serving this container's root (by its rootfs path on their command line). */
function fuseDaemonsOf(h: Husk, id: string): number[] {
  return Husk.pidsMatching(path.join(h.root, 'containers', id, 'rootfs')).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'fuse-overlayfs';
    } catch {
      return false;
    }
  });
}

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();

    for (const driver of DRIVERS) {
      await t.test(`storage driver ${driver}`, async (t) => {
        const d = ['--storage-driver', driver];
        const info = await h.run([...d, 'info', '--format', 'json']);
        t.equal(info.code, 0);
        t.equal(JSON.parse(info.stdout).store.graphDriverName, driver, 'info names the driver in use');

        const r = await h.run([...d, 'run', '--rm', 'busybox', 'sh', '-c',
          'echo data > /etc/new && rm /bin/ls && cat /etc/new && (test -e /bin/ls && echo still-there || echo deleted) && awk \'$5 == "/"\' /proc/self/mountinfo | wc -l']);
        t.equal(r.code, 0, r.stderr);
        t.equal(r.stdout, 'data\ndeleted\n1\n', 'writes and deletions work inside, on one root mount');

        const fresh = await h.run([...d, 'run', '--rm', 'busybox', 'sh', '-c', 'test -e /etc/new || echo clean; test -e /bin/ls && echo ls-back']);
        t.equal(fresh.stdout, 'clean\nls-back\n', 'the image itself is untouched');

        const ro = await h.run([...d, 'run', '--rm', '--read-only', 'busybox', 'touch', '/x']);
        t.not(ro.code, 0, '--read-only holds with this driver too');
        t.same(await h.containerIds(), [], 'nothing left behind');
      });
    }

    await t.test('an image of 120 layers runs on overlay: no "options exceed a page" (E2BIG), no fallback', async (t) => {
      const load = await h.run(['load', '-i', h.writeFile('layers120.tar', await layeredArchive(120, 'localhost/layers120:latest'))], { timeoutMs: 300_000 });
      t.equal(load.code, 0, load.stderr);
      const r = await h.run(['run', '--rm', 'layers120', 'sh', '-c', `test -x /bin/busybox && cat /layers/001 /top; test -e /gone || echo gone; ls /layers | wc -l; ${ROOT_FSTYPE}`]);
      t.equal(r.code, 0, r.stderr);
      t.equal(r.stdout, '1\ntop-layer\ngone\n119\noverlay\n', 'bottom, second and top layer seen, a whiteout halfway up holds; on kernel overlayfs');
      const c = await h.run(['create', '--name', 'c120', 'layers120', 'true']);
      t.equal(c.code, 0, c.stderr);
      t.equal((await h.run(['inspect', '--format', '{{.Driver}}', 'c120'])).stdout, 'overlay\n', 'inspect: the overlay driver');
      const out = path.join(h.dir, 'files', 'top-out');
      const cp = await h.run(['cp', 'c120:/top', out]);
      t.equal(cp.code, 0, `cp mounts the stopped container's 120 layers too: ${cp.stderr}`);
      t.equal(fs.readFileSync(out, 'utf8'), 'top-layer\n');
      t.equal((await h.run(['rm', 'c120'])).code, 0);
      t.equal(JSON.parse((await h.run(['info', '--format', 'json'])).stdout).store.graphDriverName, 'overlay', 'the store stays on overlay');
    });

    await t.test('fuse-overlayfs runs outside the container: not in its pid namespace, gone with it', async (t) => {
      const d = ['--storage-driver', 'fuse-overlayfs'];
      const inside = await h.run([...d, 'run', '--rm', 'busybox', 'sh', '-c',
        `cat /proc/[0-9]*/comm 2>/dev/null | sort -u | tr '\\n' ' '; echo; echo data > /etc/new && cat /etc/new; ${ROOT_FSTYPE}`]);
      t.equal(inside.code, 0, inside.stderr);
      const [comms = '', ...rest] = inside.stdout.split('\n');
      t.notMatch(comms, /fuse-overlayfs/, `no fuse-overlayfs among the container's processes (${comms.trim()})`);
      t.same(rest, ['data', 'fuse.fuse-overlayfs', ''], 'the root is fuse-overlayfs and writable');
      const ps = await h.run([...d, 'run', '--rm', '--init', 'busybox', 'ps', '-o', 'pid,comm']);
      t.match(ps.stdout, /^\s*1 husk-init\n\s*2 ps\n$/m, '--init: PID 1 is the init, 2 its command, nothing else');

      const bg = await h.run([...d, 'run', '-d', 'busybox', 'sleep', '600']);
      t.equal(bg.code, 0, bg.stderr);
      const id = bg.stdout.trim();
      const initPid = Number((await h.run(['inspect', '--format', '{{.State.Pid}}', id])).stdout.trim());
      const daemons = fuseDaemonsOf(h, id);
      t.equal(daemons.length, 1, 'one fuse-overlayfs serves it');
      const pidns = (pid: number) => fs.readlinkSync(`/proc/${pid}/ns/pid`);
      t.not(pidns(daemons[0]!), pidns(initPid), 'in another pid namespace than the container\'s');
      t.equal(pidns(daemons[0]!), fs.readlinkSync('/proc/self/ns/pid'), 'the host\'s');
      t.equal((await h.run(['rm', '-f', id])).code, 0);
      t.ok(await waitFor(() => fuseDaemonsOf(h, id).length === 0, 10_000), 'it exits with the container');
    });

    await t.test('a container whose mount fails does not move the store off overlay', async (t) => {
      const driver = async () => (JSON.parse((await h.run(['info', '--format', 'json'])).stdout) as { store: { graphDriverName: string } }).store.graphDriverName;
      t.equal(await driver(), 'overlay', 'the store is on overlay');
      t.equal((await h.run(['run', '--name', 'broken', 'busybox', 'true'])).code, 0);
      const id = (await h.run(['inspect', '--format', '{{.Id}}', 'broken'])).stdout.trim();
      // Its directory emptied under it, as an rm -f racing its restart policy did: the mount fails (ENOENT).
      fs.rmSync(path.join(h.root, 'containers', id, 'upper'), { recursive: true, force: true });
      const start = await h.run(['start', 'broken']);
      t.equal(start.code, 125, 'its start fails');
      t.match(start.stderr, /mount overlay on .*ENOENT/, 'with its own error');
      t.equal(await driver(), 'overlay', 'the store keeps overlay');
      const next = await h.run(['run', '--rm', 'busybox', 'sh', '-c', ROOT_FSTYPE]);
      t.same([next.code, next.stdout], [0, 'overlay\n'], 'the next container mounts kernel overlayfs');
      t.equal((await h.run(['rm', '-f', 'broken'])).code, 0);
    });

    await t.test('an unknown storage driver is refused', async (t) => {
      const r = await h.run(['--storage-driver', 'btrfs', 'run', '--rm', 'busybox', 'true']);
      t.equal(r.code, 125);
      t.match(r.stderr, /unknown storage driver "btrfs"/);
    });

    await t.test('info reports what this host offers', async (t) => {
      const r = await h.run(['info', '--format', 'json']);
      const info = JSON.parse(r.stdout);
      t.equal(info.store.kernelOverlay, 'yes', 'kernel overlayfs mounts inside the user namespace here');
      t.match(info.host.userNamespaces.newuidmap, /newuidmap$/);
      if (mode === 'rootless') {
        const ranges = fs.readFileSync('/etc/subuid', 'utf8').split('\n')
          .filter((l) => l.startsWith('husktest:') || l.startsWith(`${h.uid}:`))
          .map((l) => l.split(':').slice(1).join(':'));
        t.same(info.host.userNamespaces.subordinateRanges, ranges, 'the ranges of /etc/subuid');
        t.equal(info.host.userNamespaces.mapping, 'subordinate range via newuidmap/newgidmap');
      } else {
        t.equal(info.host.userNamespaces.mapping, 'none (rootful)');
      }
    });
  });
}

/** A user with no line in /etc/subuid or /etc/subgid. */
const NOSUB = 'husknosub';

t.test('a user without a subordinate id range', { skip: process.getuid?.() !== 0 && 'needs root to create the user' }, async (t) => {
  if (spawnSync('id', [NOSUB]).status !== 0) execFileSync('useradd', ['-m', '-s', '/bin/bash', NOSUB]);
  // useradd hands out a range by itself (SUB_UID_COUNT): take it away again.
  for (const file of ['/etc/subuid', '/etc/subgid']) {
    const text = fs.readFileSync(file, 'utf8');
    const kept = text.split('\n').filter((l) => !l.startsWith(`${NOSUB}:`)).join('\n');
    if (kept !== text) {
      fs.writeFileSync(`${file}.husk-tmp`, kept);
      fs.renameSync(`${file}.husk-tmp`, file);
    }
  }
  const { huskRoot } = setup();
  const dir = fs.mkdtempSync('/tmp/hn-');
  fs.chmodSync(dir, 0o755);
  const uid = Number(execFileSync('id', ['-u', NOSUB], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', NOSUB], { encoding: 'utf8' }).trim());
  fs.chownSync(dir, uid, gid);
  t.teardown(() => {
    spawnSync('runuser', ['-u', NOSUB, '--', 'env', '-i', 'PATH=/usr/bin:/bin', path.join(huskRoot, 'bin', 'husk'), '--root', `${dir}/root`, '--runroot', `${dir}/run`, 'rm', '-f', 'nosub']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const husk = (...args: string[]) =>
    spawnSync('runuser', ['-u', NOSUB, '--', 'env', '-i', 'PATH=/usr/bin:/bin', `HOME=${dir}`,
      path.join(huskRoot, 'bin', 'husk'), '--root', `${dir}/root`, '--runroot', `${dir}/run`, ...args], { encoding: 'utf8', cwd: '/' });

  const imp = husk('import', fixtures.busyboxTar, 'busybox');
  t.equal(imp.status, 0, imp.stderr);
  t.match(imp.stderr, /^WARN: no subordinate id range for husknosub.*only your own user id is mapped/m, 'one warning says why');

  const run = husk('run', '--rm', 'busybox', 'sh', '-c', 'cat /proc/self/uid_map; id -u; ls -n /home | grep app');
  t.equal(run.status, 0, run.stderr);
  const [map, id] = run.stdout.split('\n');
  t.match(map, new RegExp(`^\\s*0\\s+${uid}\\s+1$`), 'only the user itself is mapped, as root inside');
  t.equal(id, '0');
  t.match(run.stdout, /\s0\s+0\s.*app/, 'files of other owners in the image belong to root inside');

  const info = JSON.parse(husk('info', '--format', 'json').stdout);
  t.equal(info.host.userNamespaces.mapping, 'single id (fallback)', 'info says the fallback is in use');

  const bg = husk('run', '-d', '--name', 'nosub', 'busybox', 'sleep', '30');
  t.equal(bg.status, 0, bg.stderr);
  const rm = husk('rm', '-f', 'nosub');
  t.equal(rm.status, 0, 'and it is removed again');
});

t.test('a store where the kernel refuses overlay falls back by itself', { skip: process.getuid?.() !== 0 && 'needs root to mount the store' }, async (t) => {
  // overlayfs will not take another overlayfs as its upper layer: a store
  // kept on one is a host "whose kernel refuses overlay" for husk.
  const base = fs.mkdtempSync('/tmp/hf-');
  for (const d of ['l', 'u', 'w', 'm']) fs.mkdirSync(path.join(base, d));
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${base}/l,upperdir=${base}/u,workdir=${base}/w`, `${base}/m`]);
  t.teardown(() => {
    spawnSync('umount', ['-l', `${base}/m`]);
    fs.rmSync(base, { recursive: true, force: true });
  });
  const h = await newHusk('rootless');
  t.teardown(() => h.cleanup());
  const store = path.join(base, 'm', 'store');
  fs.mkdirSync(store);
  fs.chownSync(store, h.uid, h.gid);
  fs.chmodSync(base, 0o755);
  // A second --root wins over the harness's own, as a repeated docker flag does.
  const onStore = (args: string[]) => h.run(['--root', store, ...args]);
  t.equal((await onStore(['import', fixtures.busyboxTar, 'busybox'])).code, 0, 'layers can be stored there');
  const run = await onStore(['run', '--rm', 'busybox', 'sh', '-c', 'echo works; rm /bin/ls; test -e /bin/ls || echo gone']);
  t.same([run.code, run.stdout], [0, 'works\ngone\n'], run.stderr);
  const info = JSON.parse((await onStore(['info', '--format', 'json'])).stdout);
  t.equal(info.store.graphDriverName, 'fuse-overlayfs', 'the driver that worked is remembered and shown');
  t.match(info.store.kernelOverlay, /^no/, 'info says the kernel refused');
});
