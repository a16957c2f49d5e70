// Hosts that lack something still run containers, through the fallbacks, and
// `husk info` says which one is in use: root filesystems through kernel
// overlayfs, fuse-overlayfs or the copying vfs driver; a user without a
// subordinate id range gets a single-id mapping and one warning.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fixtures, modes, newHusk, setup } from '../helpers/husk.js';

const DRIVERS = ['overlay', 'fuse-overlayfs', 'vfs'];

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
