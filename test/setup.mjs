#!/usr/bin/env node
// Prepares the machine for husk's integration tests. Run by `npm test` before
// tap (and by test/helpers/husk.ts when its outputs are missing or stale).
// Idempotent, and fast when everything is already in place.
//
// As root:   creates the unprivileged user `husktest` with a subordinate id
//            range, makes /dev/fuse and /dev/net/tun 0666, and, if husktest
//            cannot read the checkout, mirrors what husk needs at run time
//            into /tmp/husk-rootless-copy-HASH.
// Always:    compiles test/fixtures/probe.c and hostile-probe.c (static) and
//            seccomp-dump.c, and builds the busybox image tarball under
//            /tmp/husk-test-fixtures.
//
// Outputs (all world-readable), read by test/helpers/husk.ts, in
// /tmp/husk-test-fixtures (as root) or /tmp/husk-test-fixtures-$UID:
//   /tmp/husk-test-fixtures/probe          the probe binary
//   /tmp/husk-test-fixtures/hostile-probe  syscalls and opens an image's program may try
//   /tmp/husk-test-fixtures/seccomp-dump   a process's seccomp filters (ptrace), syscall names
//   /tmp/husk-test-fixtures/sd-notify      sd_notify's sender and a NOTIFY_SOCKET listener (250-systemd)
//   /tmp/husk-test-fixtures/busybox.tar    the busybox root filesystem
//   /tmp/husk-test-fixtures/setup-HASH.json { huskRoot, node, rootlessUser, ... } (HASH: of the checkout's path)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { firstRange, freeRange } from './fixtures/subids.mjs';

/** The file name of a checkout's setup record (test/helpers/husk.ts computes the same). */
function setupRecordName(repoDir) {
  return `setup-${createHash('sha256').update(repoDir).digest('hex').slice(0, 12)}.json`;
}

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isRootUser = process.getuid?.() === 0;
// Per user: a non-root run must not depend on (or be blocked by) root's files.
const FIXTURES = isRootUser ? '/tmp/husk-test-fixtures' : `/tmp/husk-test-fixtures-${process.getuid?.()}`;
const COPY = `/tmp/husk-rootless-copy-${createHash('sha256').update(repo).digest('hex').slice(0, 12)}`;
const USER = 'husktest';
const isRoot = isRootUser;
const done = [];

const sh = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
const ok = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const mtime = (p) => {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
};

fs.mkdirSync(FIXTURES, { recursive: true, mode: 0o755 });
fs.chmodSync(FIXTURES, 0o755);

// Serialise concurrent runs (tap runs test files in parallel; each may call us).
const lockPath = path.join(FIXTURES, '.setup.lock');
const lockFd = (() => {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      return fd;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // Stale lock: its owner is gone.
      try {
        const pid = Number(fs.readFileSync(lockPath, 'utf8'));
        if (pid > 0) process.kill(pid, 0);
      } catch (e2) {
        if (e2.code === 'ESRCH' || e2.code === 'ENOENT' || e2 instanceof SyntaxError) {
          fs.rmSync(lockPath, { force: true });
          continue;
        }
      }
      if (Date.now() > deadline) throw new Error(`setup: ${lockPath} held too long`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
})();
process.on('exit', () => {
  fs.closeSync(lockFd);
  fs.rmSync(lockPath, { force: true });
});

// ---------------------------------------------------------------- root only
let rootlessUser = null;
if (isRoot) {
  if (!ok('id', ['-u', USER])) {
    sh('useradd', ['-m', '-s', '/bin/bash', USER]);
    done.push(`created user ${USER}`);
  }
  // A subordinate range of its own, kept if useradd gave one; else the
  // lowest one free in both files (another user may hold 100000:65536).
  const subFiles = ['/etc/subuid', '/etc/subgid'];
  const texts = subFiles.map((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : ''));
  const uid = Number(sh('id', ['-u', USER]).trim());
  const free = freeRange(texts);
  subFiles.forEach((file, i) => {
    const text = texts[i];
    if (firstRange(text, USER, uid)) return;
    fs.appendFileSync(file, `${text && !text.endsWith('\n') ? '\n' : ''}${USER}:${free.start}:${free.count}\n`);
    done.push(`added ${USER}:${free.start}:${free.count} to ${file}`);
  });
  for (const dev of ['/dev/fuse', '/dev/net/tun']) {
    try {
      if ((fs.statSync(dev).mode & 0o777) !== 0o666) {
        fs.chmodSync(dev, 0o666);
        done.push(`chmod 0666 ${dev}`);
      }
    } catch {
      /* not present */
    }
  }
  rootlessUser = USER;
}

const asUser = (args) => ok('runuser', ['-u', USER, '--', ...args]);

// ------------------------------------------------ where rootless husk runs
// The rootless user must be able to read husk's files. If the checkout is not
// readable (e.g. under /root), mirror the run-time files to a readable place.
let huskRoot = repo;
let node = process.execPath;
if (isRoot) {
  // package.json rather than dist/lib/cli/main.js: what matters is whether the
  // directories can be entered, and this also works before the first build.
  const needCopy = !asUser(['test', '-r', path.join(repo, 'package.json')]);
  if (needCopy) {
    const copied = mirror(repo, COPY);
    huskRoot = COPY;
    if (copied) done.push(`mirrored ${copied} changed run-time files to ${COPY}`);
  }
  if (!asUser(['test', '-x', node])) {
    const copyNode = path.join(COPY, 'node');
    fs.mkdirSync(COPY, { recursive: true, mode: 0o755 });
    if (mtime(copyNode) < mtime(node)) {
      fs.copyFileSync(node, copyNode);
      fs.chmodSync(copyNode, 0o755);
    }
    node = copyNode;
  }
}

function mirror(src, dst) {
  // binding.gyp: husk finds its package directory by it (lib/runtime/native.ts).
  const parts = ['bin', 'dist', 'node_modules', 'package.json', 'binding.gyp'];
  const rel = path.join('build', 'Release');
  if (fs.existsSync(path.join(src, rel))) {
    for (const f of fs.readdirSync(path.join(src, rel))) {
      if (f.endsWith('.node') || f.startsWith('husk-')) parts.push(path.join(rel, f));
    }
  }
  fs.mkdirSync(dst, { recursive: true, mode: 0o755 });
  let copied = 0;
  for (const part of parts) {
    const from = path.join(src, part);
    const to = path.join(dst, part);
    if (!fs.existsSync(from)) continue;
    fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o755 });
    // Copy only what changed (size or mtime), like rsync -a.
    fs.cpSync(from, to, {
      recursive: true,
      preserveTimestamps: true,
      force: true,
      verbatimSymlinks: true,
      filter: (s, d) => {
        try {
          const a = fs.lstatSync(s);
          if (a.isDirectory()) return true;
          const b = fs.lstatSync(d);
          const changed = a.isSymbolicLink()
            ? !b.isSymbolicLink() || fs.readlinkSync(s) !== fs.readlinkSync(d)
            : a.size !== b.size || Math.abs(a.mtimeMs - b.mtimeMs) > 2;
          if (changed) copied++;
          return changed;
        } catch {
          copied++;
          return true;
        }
      },
    });
    if (part !== 'node_modules') prune(from, to);
  }
  if (copied) sh('chmod', ['-R', 'a+rX', dst]);
  return copied;
}

// Removes from `to` what no longer exists in `from` (stale compiled files).
function prune(from, to) {
  let st;
  try {
    st = fs.lstatSync(to);
  } catch {
    return;
  }
  if (!fs.existsSync(from) && !isSymlink(from)) {
    fs.rmSync(to, { recursive: true, force: true });
    return;
  }
  if (st.isDirectory() && !st.isSymbolicLink()) {
    for (const e of fs.readdirSync(to)) prune(path.join(from, e), path.join(to, e));
  }
}
function isSymlink(p) {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

// -------------------------------------------------------------- the probes
/** Compiles a C fixture into FIXTURES (static unless given libraries) unless the binary is newer than its source. */
function compile(name, libs = []) {
  const src = path.join(repo, 'test/fixtures', `${name}.c`);
  const bin = path.join(FIXTURES, name);
  if (mtime(bin) < mtime(src)) {
    sh('gcc', [...(libs.length ? [] : ['-static']), '-O2', '-o', `${bin}.tmp`, src, ...libs]);
    fs.chmodSync(`${bin}.tmp`, 0o755);
    fs.renameSync(`${bin}.tmp`, bin);
    done.push(`compiled ${bin}`);
  }
  return bin;
}
const probe = compile('probe');
const hostileProbe = compile('hostile-probe');
const udpEcho = compile('udp-echo');
const sdNotify = compile('sd-notify');
// A host tool (libseccomp for the syscall names), for comparing filters with podman's.
const seccompDump = compile('seccomp-dump', ['-lseccomp']);

// ------------------------------------------------------ the busybox image
const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
if (!busybox) throw new Error('setup: /bin/busybox not found (apt-get install busybox-static)');
const tarball = path.join(FIXTURES, 'busybox.tar');
const thisFile = fileURLToPath(import.meta.url);
if (mtime(tarball) < Math.max(mtime(probe), mtime(busybox), mtime(thisFile))) {
  buildBusyboxTar(tarball);
  done.push(`built ${tarball}`);
}

function buildBusyboxTar(out) {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'husk-bb-'));
  fs.chmodSync(stage, 0o755);
  try {
    const dir = (p, mode = 0o755) => {
      fs.mkdirSync(path.join(stage, p), { recursive: true });
      fs.chmodSync(path.join(stage, p), mode);
    };
    const file = (p, content, mode = 0o644) => {
      fs.writeFileSync(path.join(stage, p), content);
      fs.chmodSync(path.join(stage, p), mode);
    };
    for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc', 'dev', 'proc', 'sys', 'run', 'mnt', 'var/tmp', 'home'])
      dir(d);
    dir('root', 0o700);
    dir('tmp', 0o1777);
    dir('home/app', 0o755);
    fs.copyFileSync(busybox, path.join(stage, 'bin/busybox'));
    fs.chmodSync(path.join(stage, 'bin/busybox'), 0o755);
    // `busybox --list-full` gives each applet's canonical path (bin/sh, usr/bin/env, ...).
    const applets = sh(busybox, ['--list-full']).split('\n').filter(Boolean);
    for (const a of applets) {
      const rel = a.replace(/^\/+/, '');
      if (rel === 'bin/busybox') continue;
      const target = path.join(stage, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const link = path.relative(path.dirname(target), path.join(stage, 'bin/busybox'));
      try {
        fs.symlinkSync(link, target);
      } catch (e) {
        if (e.code !== 'EEXIST') throw e;
      }
    }
    file('usr/local/bin/probe', fs.readFileSync(probe), 0o755);
    file(
      'etc/passwd',
      'root:x:0:0:root:/root:/bin/sh\n' +
        'app:x:1000:1000:app:/home/app:/bin/sh\n' +
        'nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    );
    file('etc/group', 'root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n');
    file('etc/hostname', 'busybox\n');
    file('etc/hosts', '127.0.0.1\tlocalhost\n');
    file('notexec', '#!/bin/sh\n', 0o644);

    // Owners in the tar: 0:0 everywhere except /home/app (1000:1000). Done with
    // tar's own options so that no privileges are needed: everything but
    // home/app first, then home/app appended with its owner.
    const common = ['--numeric-owner', '--sort=name', '--mtime=@0', '--format=gnu'];
    const tmp = `${out}.tmp`;
    sh('tar', ['-C', stage, ...common, '--owner=0', '--group=0', '--exclude=./home/app', '-cf', tmp, '.']);
    sh('tar', ['-C', stage, ...common, '--owner=1000', '--group=1000', '-rf', tmp, './home/app']);
    fs.chmodSync(tmp, 0o644);
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------ the record
const record = { huskRoot, node, rootlessUser, probe, hostileProbe, udpEcho, sdNotify, seccompDump, busyboxTar: tarball, repo };
// One record per checkout: test runs of two worktrees at once each use their own husk.
const recordPath = path.join(FIXTURES, setupRecordName(repo));
const recordText = JSON.stringify(record, null, 2) + '\n';
let old = '';
try {
  old = fs.readFileSync(recordPath, 'utf8');
} catch {
  /* first run */
}
if (old !== recordText) {
  fs.writeFileSync(`${recordPath}.tmp`, recordText, { mode: 0o644 });
  fs.renameSync(`${recordPath}.tmp`, recordPath);
}

console.log(
  `test setup: ${done.length ? done.join('; ') : 'already done'} ` +
    `(husk for rootless runs from ${huskRoot}${rootlessUser ? `, rootless user ${rootlessUser}` : ''})`,
);
