// The test machine and fixtures themselves (test/setup.mjs): checked first so
// that a broken fixture is not mistaken for a broken husk.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import t from 'tap';
import { fixtures, modes, parseProbe, setup, subordinateRanges } from '../helpers/husk.js';

const s = setup();

t.test('the probe is a static binary that prints one JSON object', async (t) => {
  const st = fs.statSync(fixtures.probe);
  t.equal(st.mode & 0o755, 0o755, 'world-executable');
  const out = execFileSync(fixtures.probe, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const p = parseProbe(out);
  t.equal(p.pid > 1, true, 'pid');
  t.match(p.capEff ?? '', /^[0-9a-f]{16}$/, 'CapEff hex');
  t.type(p.visiblePids, 'number');
  t.ok(Array.isArray(p.openFds) && p.openFds.includes(0), 'open fds listed');
  const file = spawnSync('file', [fixtures.probe], { encoding: 'utf8' });
  if (file.status === 0) t.match(file.stdout, /statically linked/, 'statically linked');
});

t.test('the busybox tarball', async (t) => {
  const st = fs.statSync(fixtures.busyboxTar);
  t.equal(st.mode & 0o444, 0o444, 'world-readable');
  const list = execFileSync('tar', ['-tvf', fixtures.busyboxTar, '--numeric-owner'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const entry = (name: string) => list.split('\n').find((l) => l.endsWith(` ./${name}`) || l.includes(` ./${name} -> `));
  t.match(entry('bin/busybox'), /^-rwxr-xr-x 0\/0 /, '/bin/busybox, root-owned');
  t.match(entry('bin/sh'), /-> busybox$/, '/bin/sh applet link');
  t.match(entry('usr/local/bin/probe'), /^-rwxr-xr-x 0\/0 /, 'the probe');
  t.match(entry('notexec'), /^-rw-r--r-- 0\/0 /, 'a non-executable /notexec');
  t.match(entry('tmp/'), /^drwxrwxrwt 0\/0 /, '/tmp is 1777');
  t.match(entry('home/app/'), /^drwxr-xr-x 1000\/1000 /, '/home/app is 1000:1000');
  const passwd = execFileSync('tar', ['-xOf', fixtures.busyboxTar, './etc/passwd'], { encoding: 'utf8' });
  t.match(passwd, /^app:x:1000:1000:/m);
  const group = execFileSync('tar', ['-xOf', fixtures.busyboxTar, './etc/group'], { encoding: 'utf8' });
  t.match(group, /^extra:x:2000:app$/m);
});

t.test('the rootless user', { skip: process.getuid?.() === 0 ? false : 'not root: rootless tests run as the current user' }, async (t) => {
  if (!process.env.HUSK_TEST_MODES) t.same(modes(), ['root', 'rootless'], 'tests run in both modes');
  t.equal(s.rootlessUser, 'husktest');
  // Whatever range it is: another user may hold 100000:65536 on this machine.
  const sub = subordinateRanges();
  t.ok(sub.uid.start > 0 && sub.uid.count >= 65536, `/etc/subuid gives husktest ${sub.uid.start}:${sub.uid.count}`);
  t.ok(sub.gid.start > 0 && sub.gid.count >= 65536, `/etc/subgid gives husktest ${sub.gid.start}:${sub.gid.count}`);
  const read = spawnSync('runuser', ['-u', 'husktest', '--', 'test', '-r', `${s.huskRoot}/package.json`]);
  t.equal(read.status, 0, `husktest can read husk at ${s.huskRoot}`);
  const tar = spawnSync('runuser', ['-u', 'husktest', '--', 'test', '-r', fixtures.busyboxTar]);
  t.equal(tar.status, 0, 'husktest can read the busybox tarball');
  // cwd /: the checkout may be a directory husktest cannot enter.
  // env -i: tap's NODE_OPTIONS names loaders in the checkout.
  const node = spawnSync('runuser', ['-u', 'husktest', '--', 'env', '-i', s.node, '-e', '0'], { cwd: '/' });
  t.equal(node.status, 0, 'husktest can run node');
  const ns = spawnSync('runuser', ['-u', 'husktest', '--', 'unshare', '--map-auto', '--map-root-user', 'cat', '/proc/self/uid_map'], {
    encoding: 'utf8',
    cwd: '/',
  });
  // unshare maps one id fewer than the range holds when the user's own id goes to 0.
  if (ns.status === 0) t.match(ns.stdout, new RegExp(`\\b${sub.uid.start}\\s+(${sub.uid.count}|${sub.uid.count - 1})\\b`), 'the subordinate range can be mapped (newuidmap works)');
  else t.comment(`unshare --map-auto failed: ${ns.stderr.trim()}`);
});
