// husk-net, driven directly (addon/net/README.md is the contract), as root and
// as the rootless user. The "container" is a process in network (and, rootless,
// user) namespaces of its own made with unshare: a node server on its
// loopback. All traffic is on the host's loopback or inside those namespaces.
//
// forward: TCP both ways (64 MiB each, sha256 compared), half-close, a refused
// target (reset), UDP echo, a port already in use, EOF on the ready fd before
// "go", an outbound program that fails, and the exit with the container's
// init (with pasta as the outbound program, rootless). hold: watch, staying
// while the lock is held, exiting once it is free.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { modes, setup, subordinateRanges, waitFor, type Mode } from '../helpers/husk.js';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const isRoot = process.getuid?.() === 0;
const bin = () => path.join(setup().huskRoot, 'build', 'Release', 'husk-net');
const built = fs.existsSync(path.join(setup().huskRoot, 'build', 'Release', 'husk-net'));
const hasPasta = spawnSync('pasta', ['--version'], { stdio: 'ignore', env: { PATH } }).status === 0;

/** The ids rootless runs use: husktest's when we are root, else our own. */
function ids(mode: Mode): { uid: number; gid: number } | null {
  if (mode === 'root' || !isRoot) return null;
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${setup().rootlessUser}:`))!;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

/** argv run as the mode's user: setpriv execs (no fork), so the pid is the program's. */
function asUser(mode: Mode, argv: string[]): string[] {
  const u = ids(mode);
  return u ? ['setpriv', `--reuid=${u.uid}`, `--regid=${u.gid}`, '--clear-groups', '--', ...argv] : argv;
}

// The container's program: hash what a client sends (8080, answered after
// the client's end: half-close), send 64 MiB after its sha256 (8081), echo
// datagrams (8082).
const SERVER = `
const net = require('net'), dgram = require('dgram'), crypto = require('crypto');
let bound = 0;
const up = () => { if (++bound === 3) process.stdout.write('listening\\n'); };
net.createServer({ allowHalfOpen: true }, (c) => {
  const h = crypto.createHash('sha256'); let n = 0;
  c.on('data', (d) => { h.update(d); n += d.length; });
  c.on('end', () => c.end(n + ' ' + h.digest('hex') + '\\n'));
  c.on('error', () => {});
}).listen(8080, '127.0.0.1', up);
const block = crypto.randomBytes(1 << 20), h = crypto.createHash('sha256');
for (let i = 0; i < 64; i++) h.update(block);
const sum = h.digest('hex');
net.createServer({ allowHalfOpen: true }, async (c) => {
  c.on('error', () => {});
  c.write(sum + '\\n');
  for (let i = 0; i < 64; i++) if (!c.write(block)) await new Promise((r) => c.once('drain', r));
  c.end();
}).listen(8081, '127.0.0.1', up);
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => u.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
u.bind(8082, '127.0.0.1', up);
`;

class Procs {
  private all: ChildProcess[] = [];
  spawn(argv: string[], stdio: ('ignore' | 'pipe')[] = ['ignore', 'pipe', 'pipe']): ChildProcess {
    const c = spawn(argv[0]!, argv.slice(1), { stdio, env: { PATH }, detached: true });
    this.all.push(c);
    return c;
  }
  killAll() {
    for (const c of this.all) {
      try {
        if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

/** A world-readable scratch directory owned by the mode's user. */
function scratch(t: Test, mode: Mode): string {
  const dir = fs.mkdtempSync('/tmp/hn-');
  fs.chmodSync(dir, 0o755);
  const u = ids(mode);
  if (u) fs.chownSync(dir, u.uid, u.gid);
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function readLine(s: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i < 0) return;
      s.off('data', onData);
      s.off('end', onEnd);
      s.pause();
      resolve(buf.slice(0, i + 1));
    };
    const onEnd = () => reject(new Error(`EOF after ${JSON.stringify(buf)}`));
    s.on('data', onData);
    s.once('end', onEnd);
    s.resume();
  });
}

function exited(c: ChildProcess, ms = 15_000): Promise<number | string | null> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c.exitCode ?? c.signalCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    c.once('exit', (code, sig) => {
      clearTimeout(timer);
      resolve(code ?? sig);
    });
  });
}

/** Gone, or a zombie nobody has reaped yet (husk-net's orphans go to init). */
function gone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The container: the server in fresh namespaces; resolves once it listens. */
async function container(procs: Procs, mode: Mode, dir: string): Promise<ChildProcess> {
  const script = path.join(dir, 'server.cjs');
  fs.writeFileSync(script, SERVER, { mode: 0o644 });
  const unshare = mode === 'root' ? ['unshare', '-n'] : ['unshare', '-Urn'];
  const c = procs.spawn(asUser(mode, [...unshare, 'sh', '-c', `ip link set lo up && exec "$0" "$1"`, setup().node, script]));
  let err = '';
  c.stderr!.on('data', (d) => (err += d));
  const line = await readLine(c.stdout!).catch((e: Error) => `${e.message} ${err}`);
  if (line !== 'listening\n') throw new Error(`container did not start: ${line}`);
  return c;
}

interface Net {
  child: ChildProcess;
  ready: Readable & Writable;
  stderr: () => string;
}

function startNet(procs: Procs, mode: Mode, args: string[]): Net {
  const child = procs.spawn(asUser(mode, [bin(), ...args]), ['ignore', 'pipe', 'pipe', 'pipe']);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.resume();
  return { child, ready: child.stdio[3] as Readable & Writable, stderr: () => err };
}

function nsArgs(mode: Mode, pid: number): string[] {
  const a = ['--netns', `/proc/${pid}/ns/net`];
  return mode === 'root' ? a : ['--userns', `/proc/${pid}/ns/user`, ...a];
}

/** Connects, sends `data` then ends (half-close), returns everything received. */
function exchange(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.end(data));
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function udpEcho(port: number, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      u.close();
      reject(new Error('no UDP reply'));
    }, 5000);
    u.on('message', (m) => {
      clearTimeout(timer);
      u.close();
      resolve(m.toString());
    });
    u.send(msg, port, '127.0.0.1');
  });
}

// A stand-in outbound program for --outbound-fd-arg: says ready on the fd
// named by the --ready-fd=K husk-net appends, then lives on.
const FAKE_OUTBOUND = ['sh', '-c', 'eval "echo 1 >&${1#--ready-fd=}"; exec sleep 1000', 'sh'];

t.test('husk-net', { skip: built ? false : 'build/Release/husk-net not built' }, async (t) => {
  for (const mode of modes()) {
    t.test(mode, async (t) => {
      const procs = new Procs();
      t.teardown(() => procs.killAll());
      const dir = scratch(t, mode);

      t.test('forward: TCP, half-close, refused target, UDP; exits with the init', async (t) => {
        const ctr = await container(procs, mode, dir);
        const n = startNet(procs, mode, [
          'forward', '--pid', String(ctr.pid), '--ready-fd', '3', ...nsArgs(mode, ctr.pid!),
          '--publish', 'tcp:127.0.0.1:0:127.0.0.1:8080',
          '--publish', 'tcp::0:127.0.0.1:8081',
          '--publish', 'udp:127.0.0.1:0:127.0.0.1:8082',
          '--publish', 'tcp:127.0.0.1:0:127.0.0.1:8089',
        ]);
        const ok = await readLine(n.ready);
        t.match(ok, /^ok \d+ \d+ \d+ \d+\n$/, 'ok and the four bound ports');
        const [hash, source, udp, refused] = ok.trim().split(' ').slice(1).map(Number) as [number, number, number, number];
        n.ready.write('go\n');

        const small = await exchange(hash, Buffer.from('hello'));
        t.equal(small.toString(), `5 ${sha(Buffer.from('hello'))}\n`, 'half-close: the answer comes after our end, then EOF');

        const big = randomBytes(64 << 20);
        const answer = await exchange(hash, big);
        t.equal(answer.toString(), `${big.length} ${sha(big)}\n`, '64 MiB to the container arrive intact');

        const down = await exchange(source, Buffer.alloc(0));
        const nl = down.indexOf(10);
        t.equal(down.length - nl - 1, 64 << 20, '64 MiB from the container');
        t.equal(sha(down.subarray(nl + 1)), down.subarray(0, nl).toString(), 'and intact');

        const reset = await exchange(refused, Buffer.from('x')).then(
          (b) => `data ${b.length}`,
          (e: NodeJS.ErrnoException) => e.code,
        );
        t.equal(reset, 'ECONNRESET', 'a refused target resets the client');

        t.equal(await udpEcho(udp, 'ping'), 'echo:ping', 'UDP echo through a flow');
        t.equal(await udpEcho(udp, 'pong'), 'echo:pong', 'and again on the same flow');

        t.equal(n.child.exitCode, null, 'still forwarding');
        process.kill(-ctr.pid!, 'SIGKILL');
        t.equal(await exited(n.child), 0, 'exits 0 when the init exits');
        t.equal(n.stderr(), '', 'nothing on stderr');
      });

      t.test('forward: a port in use is one error line and exit 1', async (t) => {
        const ctr = await container(procs, mode, dir);
        const busy = net.createServer();
        await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
        t.teardown(() => busy.close());
        const port = (busy.address() as net.AddressInfo).port;
        const n = startNet(procs, mode, [
          'forward', '--pid', String(ctr.pid), '--ready-fd', '3', ...nsArgs(mode, ctr.pid!),
          '--publish', 'tcp:127.0.0.1:0:127.0.0.1:8080',
          '--publish', `tcp:127.0.0.1:${port}:127.0.0.1:8080`,
          '--outbound-fd-arg', '--outbound', '--', ...FAKE_OUTBOUND,
        ]);
        const chunks: Buffer[] = [];
        n.ready.on('data', (d: Buffer) => chunks.push(d));
        await new Promise((r) => n.ready.once('end', r));
        t.equal(Buffer.concat(chunks).toString(), `error publish tcp 127.0.0.1:${port}: Address already in use\n`);
        t.equal(await exited(n.child), 1, 'exit status 1');
        t.same(childrenOf(n.child.pid!), [], 'no outbound child was started');
        process.kill(-ctr.pid!, 'SIGKILL');
      });

      t.test('forward: EOF on the ready fd before go', async (t) => {
        const ctr = await container(procs, mode, dir);
        const n = startNet(procs, mode, [
          'forward', '--pid', String(ctr.pid), '--ready-fd', '3', ...nsArgs(mode, ctr.pid!),
          '--publish', 'tcp:127.0.0.1:0:127.0.0.1:8080',
          '--outbound-fd-arg', '--outbound', '--', ...FAKE_OUTBOUND,
        ]);
        t.match(await readLine(n.ready), /^ok \d+\n$/);
        const kids = childrenOf(n.child.pid!);
        t.equal(kids.length, 1, 'the outbound program runs');
        n.ready.end();
        t.equal(await exited(n.child), 0, 'husk-net exits 0');
        t.ok(await waitFor(() => gone(kids[0]!), 5000, 20), 'and its outbound child is gone');
        t.equal(ctr.exitCode, null, 'the container is left alone');
        process.kill(-ctr.pid!, 'SIGKILL');
      });

      t.test('forward: an outbound program that exits before it is ready', async (t) => {
        const ctr = await container(procs, mode, dir);
        const n = startNet(procs, mode, [
          'forward', '--pid', String(ctr.pid), '--ready-fd', '3', ...nsArgs(mode, ctr.pid!),
          '--outbound-fd-arg', '--outbound', '--', 'sh', '-c', 'exit 3', 'sh',
        ]);
        t.equal(await readLine(n.ready), 'error outbound sh: exited with status 3\n');
        t.equal(await exited(n.child), 1);
        process.kill(-ctr.pid!, 'SIGKILL');
      });

      t.test('forward: a pid already gone is exit 0, silently', async (t) => {
        const dead = spawnSync('true').pid!;
        const n = startNet(procs, mode, ['forward', '--pid', String(dead), '--ready-fd', '3']);
        t.equal(await exited(n.child), 0);
        t.equal(n.stderr(), '');
      });

      t.test('forward: pasta as the outbound program ends with the init', { skip: mode === 'root' ? 'pasta runs as nobody when started as root' : !hasPasta && 'pasta missing' }, async (t) => {
        const ctr = procs.spawn(asUser(mode, ['unshare', '-Urn', 'sleep', '1000']));
        await waitFor(() => fs.readlinkSync(`/proc/${ctr.pid}/ns/net`) !== fs.readlinkSync('/proc/self/ns/net'), 5000, 20);
        const pidFile = path.join(dir, 'pasta.pid');
        const n = startNet(procs, mode, [
          'forward', '--pid', String(ctr.pid), '--ready-fd', '3', ...nsArgs(mode, ctr.pid!),
          '--publish', 'tcp:127.0.0.1:0:127.0.0.1:8080',
          '--outbound', '--', 'pasta', '-f', '-q', '-P', pidFile, '--config-net', '-t', 'none', '-u', 'none', '-T', 'none', '-U', 'none', String(ctr.pid),
        ]);
        t.match(await readLine(n.ready), /^ok \d+\n$/, n.stderr());
        const route = spawnSync('nsenter', [`--user=/proc/${ctr.pid}/ns/user`, `--net=/proc/${ctr.pid}/ns/net`, '--preserve-credentials', 'ip', 'route', 'show', 'default'], { encoding: 'utf8', env: { PATH } });
        t.match(route.stdout, /^default via /, 'ready means configured: the namespace has its default route');
        n.ready.write('go\n');
        const [pasta] = childrenOf(n.child.pid!);
        t.ok(pasta, 'pasta is husk-net\'s child');
        process.kill(-ctr.pid!, 'SIGKILL');
        t.equal(await exited(n.child), 0, 'husk-net exits with the init');
        t.ok(await waitFor(() => gone(pasta!), 5000, 20), 'and pasta with it');
      });

      t.test('hold: watch, stay while the lock is held, exit once it is free', async (t) => {
        const hold = path.join(dir, 'hold');
        fs.mkdirSync(hold);
        const u = ids(mode);
        if (u) fs.chownSync(hold, u.uid, u.gid);
        const sock = path.join(hold, 'sock');
        const lock = path.join(hold, 'lock');
        const args = ['hold', '--socket', sock, '--lock', lock, '--ready-fd', '3'];
        if (mode === 'rootless') {
          const r = subordinateRanges();
          const me = u ?? { uid: process.getuid!(), gid: process.getgid!() };
          args.push('--uidmap', `0 ${me.uid} 1 1 ${r.uid.start} ${r.uid.count}`, '--gidmap', `0 ${me.gid} 1 1 ${r.gid.start} ${r.gid.count}`, '--newuidmap');
        }
        const n = startNet(procs, mode, args);
        const ok = await readLine(n.ready);
        t.match(ok, /^ok \d+\n$/, n.stderr());
        const holder = Number(ok.split(' ')[1]);
        t.not(fs.readlinkSync(`/proc/${holder}/ns/net`), fs.readlinkSync('/proc/self/ns/net'), 'a network namespace of its own');

        const watched = procs.spawn(['sleep', '1000']);
        const client = net.connect(sock);
        await new Promise((r) => client.once('connect', r));
        const ask = async (line: string) => {
          client.write(line);
          return readLine(client);
        };
        t.equal(await ask(`watch ${watched.pid}\n`), 'ok\n');
        t.match(await ask('watch 2147483646\n'), /^error /, 'a pid that does not exist');
        t.equal(await ask('count\n'), 'ok 1\n');

        const locker = procs.spawn(['flock', '--shared', lock, 'sh', '-c', 'echo locked; exec sleep 1000']);
        t.equal(await readLine(locker.stdout!), 'locked\n', 'a husk holds the lock shared');
        process.kill(watched.pid!, 'SIGKILL');
        t.ok(await waitFor(async () => (await ask('count\n')) === 'ok 0\n', 5000, 20), 'the exit is noticed');
        // Every loop iteration with an empty set tries the lock before it
        // waits: an answer after "ok 0" proves the lock was tried, and busy.
        t.equal(await ask('count\n'), 'ok 0\n', 'still answering after trying the lock');
        t.equal(n.child.exitCode, null, 'not exiting while the lock is held');

        process.kill(-locker.pid!, 'SIGKILL');
        t.equal(await exited(n.child), 0, 'exits once the lock is free');
        t.notOk(fs.existsSync(sock), 'the socket is gone');
        client.destroy();
      });
    });
  }
});
