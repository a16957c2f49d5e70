// husk pull against a registry that misbehaves: an in-test registry in Node
// (test/fixtures/fake-registry.mjs) that cuts blobs off, answers 500, serves
// broken, oversized or foreign-platform manifests, hostile layers, zstd
// layers and Docker Hub's Bearer token flow; and a pull racing an rmi.
// Every refusal is checked as the user sees it (exit 125, one line on
// stderr) and in the store (no image, no blob under the refused digest, no
// temp files).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { fixtures, lines, modes, newHusk, waitFor, type Husk, type Result } from '../helpers/husk.js';
import { findNamed, readTar } from '../helpers/files.js';
import { fakeRegistry, type FakeImage, type FakeRegistry } from '../helpers/registry.js';

const { buildImage, buildIndex, sendBlob, startFakeRegistry, MT_OCI_MANIFEST } = fakeRegistry;

type Hostile = Record<string, (...a: unknown[]) => Buffer>;
const hostileSpec = '../fixtures/hostile-tars.mjs'; // a variable: the .mjs has no type declarations
const hostile = (await import(hostileSpec)) as Hostile;

const busybox = fs.readFileSync(fixtures.busyboxTar);
const hostArch = process.arch === 'arm64' ? 'arm64' : 'amd64';
/** The busybox fixture as a one-layer image (gzip). */
const base = buildImage({ layers: [{ tar: busybox }] });
const hex = (digest: string) => digest.replace(/^sha256:/, '');
const isRoot = process.getuid?.() === 0;

/** The host's kernel log (/dev/kmsg, which root may read) holds `marker`. */
function kernelLogHas(marker: string): boolean {
  const fd = fs.openSync('/dev/kmsg', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const buf = Buffer.alloc(16384);
  try {
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf); // one record per read
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return false; // the end of the log
        if (code === 'EPIPE') continue; // a record was overwritten meanwhile
        throw e;
      }
      if (buf.toString('utf8', 0, n).includes(marker)) return true;
    }
  } finally {
    fs.closeSync(fd);
  }
}
const short = (digest: string) => hex(digest).slice(0, 12);

/** A fake registry closed when the test ends. */
async function fake(t: Test, opts?: Parameters<typeof startFakeRegistry>[0]): Promise<FakeRegistry> {
  const reg = await startFakeRegistry(opts);
  t.teardown(() => reg.stop());
  return reg;
}

/** A husk with a store of its own, cleaned up when the test ends. */
async function husk(t: Test, mode: Parameters<typeof newHusk>[0]): Promise<Husk> {
  const h = await newHusk(mode);
  t.teardown(() => h.cleanup());
  return h;
}

const pull = (h: Husk, ref: string, extra: string[] = [], env: Record<string, string> = {}) =>
  h.run(['pull', '--tls-verify=false', ...extra, ref], { env: { HUSK_REGISTRY_TIMEOUT: '5', ...env }, timeoutMs: 90_000 });

/** The store holds nothing of a refused pull. */
async function storeIsClean(t: Test, h: Husk, digests: string[]): Promise<void> {
  const images = await h.run(['images', '-q']);
  t.same([images.code, images.stdout], [0, ''], '`images -q` reads cleanly and lists nothing');
  const stored = h.listStore();
  for (const d of new Set(digests)) t.notOk(stored.some((p) => p.includes(hex(d))), `nothing stored under ${short(d)}`);
  t.same(stored.filter((p) => /\.tmp/.test(p)), [], 'no temp files left');
}

/** `pull -q` refused: exit 125, one line on stderr matching `message`, nothing on stdout, a clean store. */
async function refused(t: Test, h: Husk, r: Result, message: RegExp, digests: string[]): Promise<void> {
  t.equal(r.code, 125, 'exit 125');
  t.equal(r.stdout, '', 'no image id printed');
  t.equal(lines(r.stderr).length, 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  t.match(r.stderr, /^Error: /, 'an error line');
  t.match(r.stderr, message, 'saying what was wrong');
  await storeIsClean(t, h, digests);
}

/** Every digest of an image, to check that none of them was stored. */
const digestsOf = (img: FakeImage) => [img.manifestDigest, img.configDigest, ...img.layers.map((l) => l.digest), ...img.layers.map((l) => l.diffId)];

for (const mode of modes()) {
  t.test(mode, async (t) => {
    t.test('a blob cut off mid-way is resumed with Range', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      reg.putImage('bb', 'latest', base);
      const layer = base.layers[0]!;
      const half = Math.floor(layer.size / 2);
      reg.intercept = (req, res, info) => {
        if (info.kind !== 'blob' || info.digest !== layer.digest || info.count !== 1) return false;
        sendBlob(req, res, layer.data, { range: true, cutAt: half });
        return true;
      };
      const ref = `${reg.host}/bb:latest`;
      const r = await pull(h, ref);
      t.equal(r.code, 0, `pull succeeds: ${r.stderr}`);
      t.equal(lines(r.stdout).pop(), base.configDigest, 'the image id last');
      const layerGets = reg.requests.filter((q) => q.kind === 'blob' && q.path.endsWith(layer.digest));
      t.ok(layerGets.length >= 2, 'the layer was asked for again');
      const ranges = layerGets.map((q) => q.headers.range).filter((x): x is string => typeof x === 'string');
      t.equal(ranges.length, layerGets.length - 1, 'every request after the first asks for a Range');
      const n = Number(/^bytes=(\d+)-$/.exec(ranges[0] ?? '')?.[1] ?? NaN);
      t.ok(n > 0 && n <= half, `resumed from the bytes received (Range ${ranges[0]}, cut at ${half})`);
      const run = await h.run(['run', '--rm', ref, 'echo', 'hi']);
      t.same([run.code, run.stdout], [0, 'hi\n'], 'the image runs');
      t.ok(h.listStore().includes(`root/blobs/sha256/${hex(layer.digest)}`), 'the whole blob is stored under its digest');
      t.same(h.listStore().filter((p) => /\.tmp/.test(p)), [], 'no temp files left');
    });

    t.test('a truncated blob from a registry without Range support is refused', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      reg.range = false;
      reg.putImage('bb', 'latest', base);
      const layer = base.layers[0]!;
      reg.intercept = (req, res, info) => {
        if (info.kind !== 'blob' || info.digest !== layer.digest) return false;
        sendBlob(req, res, layer.data, { range: false, cutAt: Math.floor(layer.size / 2) });
        return true;
      };
      const started = Date.now();
      const r = await pull(h, `${reg.host}/bb:latest`, ['-q']);
      await refused(t, h, r, new RegExp(`blob ${layer.digest}`), digestsOf(base));
      t.match(r.stderr, /the registry closed the connection \(after \d+ of \d+ bytes\)/, 'saying the transfer broke off');
      const tries = reg.requests.filter((q) => q.kind === 'blob' && q.path.endsWith(layer.digest)).length;
      t.ok(tries >= 1 && tries <= 10, `a bounded number of tries (${tries})`);
      t.ok(Date.now() - started < 60_000, 'and no long wait');
    });

    t.test('a registry that answers 500, then succeeds', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      reg.putImage('bb', 'latest', base);
      const layer = base.layers[0]!;
      reg.intercept = (_req, res, info) => {
        const first = info.count === 1 && ((info.kind === 'manifest' && info.ref === 'latest') || (info.kind === 'blob' && info.digest === layer.digest));
        if (!first) return false;
        const body = JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'internal server error' }] });
        res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
        res.end(body);
        return true;
      };
      const ref = `${reg.host}/bb:latest`;
      const r = await pull(h, ref);
      t.equal(r.code, 0, `pull succeeds: ${r.stderr}`);
      t.equal(lines(r.stdout).pop(), base.configDigest, 'the image id last');
      t.equal(reg.requests.filter((q) => q.kind === 'manifest' && q.path.endsWith('/latest')).length, 2, 'the manifest was asked for twice');
      t.equal(reg.requests.filter((q) => q.kind === 'blob' && q.path.endsWith(layer.digest)).length, 2, 'the layer was asked for twice');
      const run = await h.run(['run', '--rm', ref, 'echo', 'hi']);
      t.same([run.code, run.stdout], [0, 'hi\n'], 'the image runs');
    });

    t.test('a malformed manifest is refused', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      reg.putImage('bb', 'latest', base);
      const broken = Buffer.from(base.manifest.toString('utf8').slice(0, 80));
      reg.putManifest('bb', 'broken', broken, MT_OCI_MANIFEST);
      const r = await pull(h, `${reg.host}/bb:broken`, ['-q']);
      await refused(t, h, r, /invalid manifest.*(malformed|JSON)/i, [...digestsOf(base), fakeRegistry.sha256(broken)]);
      t.notOk(reg.requests.some((q) => q.kind === 'blob'), 'no blob was asked for');
    });

    t.test('image configs with wrong JSON types are refused at pull, and nothing is stored', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      for (const [tag, runtimeConfig, message] of [
        ['env', { Env: 'x' }, /invalid image config sha256:[0-9a-f]{64}: config\.Env must be an array/],
        ['cmd', { Cmd: 5 }, /invalid image config sha256:[0-9a-f]{64}: config\.Cmd must be an array or null/],
      ] as const) {
        const img = buildImage({ layers: [{ tar: busybox }], runtimeConfig });
        reg.putImage('bad', tag, img);
        const r = await pull(h, `${reg.host}/bad:${tag}`, ['-q']);
        await refused(t, h, r, message, digestsOf(img));
        t.notOk(reg.requests.some((q) => img.layers.some((l) => q.path.endsWith(l.digest))), `${tag}: no layer was asked for`);
        const run = await h.run(['run', '--rm', `${reg.host}/bad:${tag}`, 'true'], { env: { HUSK_REGISTRY_TIMEOUT: '5' } });
        t.equal(run.code, 125, `${tag}: run (which pulls) is refused too`);
        t.match(run.stderr, message, `${tag}: with the same message, not a crash`);
      }
    });

    t.test('a manifest with wrong JSON types is refused before any blob is fetched', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      const json = JSON.parse(base.manifest.toString('utf8')) as { config: Record<string, unknown> };
      json.config.mediaType = 5;
      const bad = Buffer.from(JSON.stringify(json));
      reg.putImage('bb', 'latest', base);
      reg.putManifest('bb', 'typed', bad, MT_OCI_MANIFEST);
      const r = await pull(h, `${reg.host}/bb:typed`, ['-q']);
      await refused(t, h, r, /invalid manifest sha256:[0-9a-f]{64}: config\.mediaType must be a string/, [...digestsOf(base), fakeRegistry.sha256(bad)]);
      t.notOk(reg.requests.some((q) => q.kind === 'blob'), 'no blob was asked for');
    });

    t.test('an image for another architecture is pulled with a warning, not silently', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      const foreign = buildImage({ layers: [{ tar: busybox }], architecture: 's390x' });
      reg.putImage('s390x', 'latest', foreign);
      const r = await pull(h, `${reg.host}/s390x:latest`, ['-q']);
      t.equal(r.code, 0, 'pulled all the same, as podman does');
      t.equal(r.stdout, `${foreign.configDigest}\n`);
      t.equal(r.stderr, `WARNING: image platform (linux/s390x) does not match the expected platform (linux/${hostArch}${hostArch === 'arm64' ? '/v8' : ''})\n`, 'one warning, even with -q');
      const same = buildImage({ layers: [{ tar: busybox }], label: 'host' });
      reg.putImage('host', 'latest', same);
      const ok = await pull(h, `${reg.host}/host:latest`, ['-q']);
      t.same([ok.code, ok.stderr], [0, ''], 'none for the host\'s own architecture');
    });

    t.test('an oversized manifest is refused', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      // Valid JSON, a valid image manifest even, with 5 MiB of annotation.
      const json = JSON.parse(base.manifest.toString('utf8')) as Record<string, unknown>;
      json.annotations = { 'org.example.padding': 'x'.repeat(5 * 1024 * 1024) };
      const big = Buffer.from(JSON.stringify(json));
      reg.putImage('bb', 'latest', base);
      reg.putManifest('bb', 'big', big, MT_OCI_MANIFEST);
      const r = await pull(h, `${reg.host}/bb:big`, ['-q']);
      await refused(t, h, r, /manifest.*too large/i, [...digestsOf(base), fakeRegistry.sha256(big)]);

      // The same without a Content-Length (chunked): the size shows only while reading.
      reg.intercept = (_req, res, info) => {
        if (info.kind !== 'manifest' || info.ref !== 'chunked') return false;
        res.writeHead(200, { 'Content-Type': MT_OCI_MANIFEST });
        for (let i = 0; i < big.length; i += 64 * 1024) res.write(big.subarray(i, i + 64 * 1024));
        res.end();
        return true;
      };
      const c = await pull(h, `${reg.host}/bb:chunked`, ['-q']);
      await refused(t, h, c, /manifest.*too large/i, [...digestsOf(base), fakeRegistry.sha256(big)]);
      t.notOk(reg.requests.some((q) => q.kind === 'blob'), 'no blob was asked for');
    });

    t.test('an index with no matching platform is refused', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      const s390x = buildImage({ layers: [{ tar: busybox }], architecture: 's390x' });
      const ppc = buildImage({ layers: [{ tar: busybox }], architecture: 'ppc64le' });
      reg.putIndex('multi', 'foreign', buildIndex([{ image: s390x }, { image: ppc }]), [s390x, ppc]);
      const r = await pull(h, `${reg.host}/multi:foreign`, ['-q']);
      await refused(t, h, r, new RegExp(`no image found in manifest list for platform linux/${hostArch}`), [...digestsOf(s390x), ...digestsOf(ppc)]);
      t.match(r.stderr, /linux\/s390x/, 'naming the platforms there are');
      t.match(r.stderr, /linux\/ppc64le/);
      t.notOk(reg.requests.some((q) => q.kind === 'blob'), 'no blob was asked for');

      // amd64 and arm64 side by side: --platform chooses, the host's by default.
      const amd64 = buildImage({ layers: [{ tar: busybox }], architecture: 'amd64', label: 'amd64' });
      const arm64 = buildImage({ layers: [{ tar: busybox }], architecture: 'arm64', label: 'arm64' });
      t.not(amd64.configDigest, arm64.configDigest, 'two different configs');
      reg.putIndex('multi', 'both', buildIndex([{ image: amd64 }, { image: arm64 }]), [amd64, arm64]);
      const ref = `${reg.host}/multi:both`;
      const a = await pull(h, ref, ['-q', '--platform', 'linux/arm64']);
      t.same([a.code, a.stdout, a.stderr], [0, `${arm64.configDigest}\n`, ''], 'the arm64 image with --platform linux/arm64');
      const inspect = await h.run(['image', 'inspect', ref]);
      t.equal(inspect.code, 0);
      const info = (JSON.parse(inspect.stdout) as Array<{ Id: string; Architecture: string }>)[0]!;
      t.same([info.Id, info.Architecture], [arm64.configDigest, 'arm64'], 'inspect shows arm64');
      t.ok(reg.requests.some((q) => q.kind === 'manifest' && q.path.endsWith(arm64.manifestDigest)), 'the arm64 manifest was fetched');
      t.notOk(reg.requests.some((q) => q.kind === 'manifest' && q.path.endsWith(amd64.manifestDigest)), 'the amd64 one was not');
      const host = await pull(h, ref, ['-q']);
      const want = hostArch === 'arm64' ? arm64 : amd64;
      t.same([host.code, host.stdout], [0, `${want.configDigest}\n`], `the ${hostArch} image without --platform`);
    });

    t.test('hostile layers', async (t) => {
      /** An image whose only layer is a hostile archive: pull refused, nothing written anywhere. */
      const refusesLayer = async (t: Test, name: string, archive: Buffer, outside: string[]) => {
        const h = await husk(t, mode);
        const reg = await fake(t);
        const img = buildImage({ layers: [{ tar: archive }] });
        reg.putImage('hostile', name, img);
        const before = outside.filter((p) => fs.existsSync(p));
        const passwd = fs.readFileSync('/etc/passwd');
        const r = await pull(h, `${reg.host}/hostile:${name}`, ['-q']);
        await refused(t, h, r, /layer/i, digestsOf(img));
        t.same(outside.filter((p) => fs.existsSync(p)), before, 'nothing written outside the store');
        t.notOk(findNamed(h.dir, ['escape', 'abs-escape']), 'no escaped file anywhere in the test directory');
        t.same(fs.readFileSync('/etc/passwd'), passwd, '/etc/passwd untouched');
      };

      t.test('a layer with path traversal is refused', (t) =>
        refusesLayer(t, 'dotdot', hostile.dotdot!(), ['/escape', '/tmp/escape', '/abs-escape']),
      );

      /** Pulls busybox plus one layer of `entries`; a runner for it (`run.h`, `run.ref` for more). */
      const withLayer = async (t: Test, name: string, ...entries: Buffer[]) => {
        const h = await husk(t, mode);
        const reg = await fake(t);
        reg.putImage('hostile', name, buildImage({ layers: [{ tar: busybox }, { tar: hostile.archive!(...entries) }] }));
        const ref = `${reg.host}/hostile:${name}`;
        const p = await pull(h, ref, ['-q']);
        t.equal(p.code, 0, `the image is pulled: ${p.stderr}`);
        return Object.assign((...args: string[]) => h.run(['run', '--rm', ref, ...args]), { h, ref });
      };
      const opens = (r: Result) => JSON.parse(r.stdout) as Record<string, { read: number; write: number }>;
      const EPERM = 1;
      const ENOENT = 2;
      // Root extracts the node as it is; a user namespace cannot make one (skipped).
      const refusedOpen = mode === 'root' ? { read: EPERM, write: EPERM } : { read: ENOENT, write: ENOENT };
      const probeEntries = () => [
        hostile.dir!('usr/local/bin'),
        hostile.file!('usr/local/bin/hostile-probe', fs.readFileSync(fixtures.hostileProbe), { mode: 0o755 }),
      ];

      t.test('a char device 1:11 in a layer cannot write to the host kernel log', async (t) => {
        const run = await withLayer(t, 'kmsg', hostile.dir!('hostile'), hostile.node!('hostile/kmsg', '3', 1, 11, { mode: 0o666 }), ...probeEntries());
        const st = await run('stat', '-c', '%F %t:%T', '/hostile/kmsg');
        if (mode === 'root') t.same([st.code, st.stdout], [0, 'character special file 1:b\n'], 'the node is there, as podman leaves it');
        else t.not(st.code, 0, 'a user namespace cannot make the node: extraction skipped it');
        const o = await run('hostile-probe', 'open', '/hostile/kmsg');
        t.same([o.code, opens(o)], [0, { '/hostile/kmsg': refusedOpen }], 'it cannot be opened');
        const marker = `husk-kmsg-${Math.random().toString(36).slice(2)}`;
        const w = await run('sh', '-c', `echo ${marker} > /hostile/kmsg`);
        if (mode === 'root') t.not(w.code, 0, 'writing to it fails');
        // A process exec'd into the container is held to the same rules.
        const d = await run.h.run(['run', '-d', run.ref, 'sleep', '600']);
        const e = await run.h.run(['exec', d.stdout.trim(), 'hostile-probe', 'open', '/hostile/kmsg']);
        t.same([e.code, opens(e)], [0, { '/hostile/kmsg': refusedOpen }], 'nor by husk exec');
        if (isRoot) t.notOk(kernelLogHas(marker), 'nothing reached the host kernel log');
      });

      t.test('a char device 5:1 in a layer cannot open the host console', async (t) => {
        const run = await withLayer(t, 'console', hostile.dir!('hostile'), hostile.node!('hostile/console', '3', 5, 1, { mode: 0o666 }), ...probeEntries());
        const o = await run('hostile-probe', 'open', '/hostile/console');
        t.same([o.code, opens(o)], [0, { '/hostile/console': refusedOpen }], 'it cannot be opened');
        const ok = await run('hostile-probe', 'open', '/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom');
        t.same(Object.values(opens(ok)), Array(5).fill({ read: 0, write: 0 }), 'the default devices still open');
      });

      /** husk as root in a mount namespace where `hide` (a shell command) changed what /sys/fs/cgroup shows. */
      const inMountNs = (h: Husk, hide: string) => (args: string[]) =>
        spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${hide} && exec "$@"`, 'sh', ...h.argv(args)], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' },
          timeout: 60_000,
        });

      t.test('a char device 1:11 in a layer cannot be opened under cgroup v2 either (eBPF device program)', { skip: mode !== 'root' && 'as root' }, async (t) => {
        if (!fs.existsSync('/sys/fs/cgroup/devices/devices.allow') || !fs.existsSync('/sys/fs/cgroup/unified/cgroup.controllers')) {
          return void t.skip('not a hybrid layout: the other tests ran on what this machine has', () => {});
        }
        const run = await withLayer(t, 'ebpf', hostile.dir!('hostile'), hostile.node!('hostile/kmsg', '3', 1, 11, { mode: 0o666 }), ...probeEntries());
        // Without the v1 devices hierarchy husk uses the unified (v2) one of this hybrid layout.
        const v2 = inMountNs(run.h, 'umount -l /sys/fs/cgroup/devices');
        const o = v2(['run', '--rm', run.ref, 'sh', '-c', 'grep "^0::" /proc/self/cgroup; hostile-probe open /hostile/kmsg /dev/null']);
        t.same([o.status, o.stderr], [0, ''], 'it runs');
        t.same(lines(o.stdout), ['0::/', '{"/hostile/kmsg":{"read":1,"write":1},"/dev/null":{"read":0,"write":0}}'], 'in a v2 cgroup of its own; the node refused, /dev/null not');
        const id = v2(['run', '-d', run.ref, 'sleep', '600']).stdout.trim();
        const dir = `/sys/fs/cgroup/unified/husk/${id}`;
        t.ok(fs.existsSync(dir), 'its cgroup');
        const e = v2(['exec', id, 'hostile-probe', 'open', '/hostile/kmsg']);
        t.same([e.status, e.stdout], [0, '{"/hostile/kmsg":{"read":1,"write":1}}\n'], 'husk exec is held to it too');
        t.equal(v2(['rm', '-f', id]).status, 0);
        t.notOk(fs.existsSync(dir), 'removed with the container');
      });

      t.test('a layer with a device node is refused as root where nothing could keep it shut', { skip: mode !== 'root' && 'as root' }, async (t) => {
        const run = await withLayer(t, 'nocgroup', hostile.dir!('hostile'), hostile.node!('hostile/kmsg', '3', 1, 11, { mode: 0o666 }));
        // A machine without cgroups, as far as husk can tell: an empty tmpfs over /sys/fs/cgroup.
        const noCgroups = inMountNs(run.h, 'mount -t tmpfs none /sys/fs/cgroup');
        const r = noCgroups(['run', '--rm', run.ref, 'true']);
        t.equal(r.status, 125, 'exit 125');
        t.equal(lines(r.stderr).length, 1, `one line on stderr: ${r.stderr}`);
        t.match(r.stderr, /carries the device node \/hostile\/kmsg \(char 1:11\).*no devices cgroup/, 'naming the node and why');
        t.same(await run.h.containerIds(), [], 'no container was made');
        await run.h.importBusybox();
        const plain = noCgroups(['run', '--rm', 'busybox', 'echo', 'hi']);
        t.same([plain.status, plain.stdout, plain.stderr], [0, 'hi\n', ''], 'an image without device nodes runs');
        const mknod = noCgroups(['run', '--rm', '--cap-add', 'MKNOD', 'busybox', 'true']);
        t.equal(mknod.status, 125, 'CAP_MKNOD is refused there too');
        t.match(mknod.stderr, /CAP_MKNOD cannot be given/, 'which would let the container make one');
      });

      t.test('a program in a layer cannot set up io_uring, READ_IMPLIES_EXEC or an audit socket', async (t) => {
        const run = await withLayer(t, 'syscalls', ...probeEntries());
        const r = await run('hostile-probe', 'syscalls');
        t.equal(r.code, 0, `the probe runs: ${r.stderr}`);
        // podman's answers on this machine (ENOSYS: a syscall the profile does not allow).
        t.same(JSON.parse(r.stdout), { ioUringSetup: 38, personalityReadImpliesExec: 38, personalityQuery: 0, auditSocket: 22, routeSocket: 0 });
      });

      t.test('a layer whose parent is a symlink is refused', async (t) => {
        // A directory anyone may write to: an extractor that follows the
        // symlink would put "escape" there, in either mode.
        const victim = fs.mkdtempSync('/tmp/hreg-victim-');
        fs.chmodSync(victim, 0o777);
        t.teardown(() => fs.rmSync(victim, { recursive: true, force: true }));
        await refusesLayer(t, 'symlink', hostile.symlinkParent!(victim), [path.join(victim, 'escape')]);
        t.same(fs.readdirSync(victim), [], 'the symlink target is still empty');
      });
    });

    t.test('a zstd layer is pulled and runs', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      const img = buildImage({ layers: [{ tar: busybox, compression: 'zstd' }] });
      const layer = img.layers[0]!;
      t.equal(layer.mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');
      t.same([...layer.data.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], 'the blob is zstd');
      reg.putImage('zbb', 'latest', img);
      const ref = `${reg.host}/zbb:latest`;
      const r = await pull(h, ref);
      t.equal(r.code, 0, `pull succeeds: ${r.stderr}`);
      t.equal(lines(r.stdout).pop(), img.configDigest);
      t.ok(h.listStore().includes(`root/blobs/sha256/${hex(layer.digest)}`), 'the registry blob is kept under its digest');
      const run = await h.run(['run', '--rm', ref, 'echo', 'hi']);
      t.same([run.code, run.stdout], [0, 'hi\n'], 'the image runs');

      const out = path.join(h.dir, 'files', 'zbb.tar');
      const s = await h.run(['save', '--format', 'docker-archive', '-o', out, ref]);
      t.same([s.code, s.stderr], [0, ''], 'save succeeds');
      const entries = new Map((await readTar(out)).map((e) => [e.name, e.data]));
      const manifest = JSON.parse(entries.get('manifest.json')?.toString() ?? 'null') as Array<{ Layers: string[] }> | null;
      t.same(manifest?.[0]?.Layers, [`${hex(layer.diffId)}/layer.tar`], 'the layer named by its diff id');
      const layerTar = entries.get(`${hex(layer.diffId)}/layer.tar`);
      t.ok(layerTar, 'layer.tar is there');
      if (layerTar) {
        t.equal(layerTar.subarray(257, 262).toString('latin1'), 'ustar', 'an uncompressed tar');
        t.equal(fakeRegistry.sha256(layerTar), layer.diffId, 'whose sha256 is the diff id');
        t.equal(layerTar.length, busybox.length, 'the whole tar');
      }
    });

    t.test('Bearer token flow as Docker Hub does it', async (t) => {
      const h = await husk(t, mode);
      const token = `tok-${Math.random().toString(36).slice(2)}`;
      const reg = await fake(t, { bearer: { service: 'fake', token } });
      reg.putImage('library/bb', 'latest', base);
      const ref = `${reg.host}/library/bb:latest`;
      const r = await pull(h, ref);
      t.equal(r.code, 0, `pull succeeds: ${r.stderr}`);
      t.equal(lines(r.stdout).pop(), base.configDigest);
      const pings = reg.requests.filter((q) => q.kind === 'ping');
      t.ok(pings.length >= 1 && !pings[0]!.headers.authorization, 'the ping went without credentials (and got the challenge)');
      const tokens = reg.requests.filter((q) => q.kind === 'token');
      t.ok(tokens.length >= 1, 'the token endpoint was asked');
      for (const q of tokens) {
        const u = new URL(q.url, 'http://x');
        t.same([u.searchParams.get('service'), u.searchParams.getAll('scope')], ['fake', ['repository:library/bb:pull']], 'with the service and the pull scope');
      }
      const served = reg.requests.filter((q) => q.kind === 'manifest' || q.kind === 'blob');
      t.ok(served.length >= 3, 'manifest, config and layer asked for');
      t.ok(served.some((q) => q.headers.authorization === `Bearer ${token}`), 'with the token');
      const run = await h.run(['run', '--rm', ref, 'echo', 'hi']);
      t.same([run.code, run.stdout], [0, 'hi\n'], 'the image runs');

      // A token server that refuses: a clear failure, nothing stored.
      const h2 = await husk(t, mode);
      reg.intercept = (_req, res, info) => {
        if (info.kind !== 'token') return false;
        res.writeHead(401, { 'Content-Type': 'application/json', 'Content-Length': '2' });
        res.end('{}');
        return true;
      };
      const no = await pull(h2, ref, ['-q']);
      await refused(t, h2, no, /authentication|unauthorized|credentials/i, digestsOf(base));
    });

    t.test('a pull and an rmi at once leave a consistent store', async (t) => {
      const h = await husk(t, mode);
      const reg = await fake(t);
      // A is the busybox layer alone; B is the same layer plus one more.
      const extra = hostile.archive!(hostile.file!('b-marker', 'B\n'));
      const a = base;
      const b = buildImage({ layers: [{ tar: busybox }, { tar: extra }] });
      reg.putImage('a', 'latest', a);
      reg.putImage('b', 'latest', b);
      const refA = `${reg.host}/a:latest`;
      const refB = `${reg.host}/b:latest`;

      const first = await pull(h, refA, ['-q']);
      t.same([first.code, first.stdout], [0, `${a.configDigest}\n`], 'A pulled');

      // B's own layer is held until the rmi of A is done: by then B's pull has
      // found the shared layer present and gone on.
      let held = false;
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const safety = setTimeout(release, 30_000);
      t.teardown(() => clearTimeout(safety));
      reg.intercept = (req, res, info) => {
        if (info.kind !== 'blob' || info.digest !== b.layers[1]!.digest) return false;
        held = true;
        void released.then(() => sendBlob(req, res, b.layers[1]!.data));
        return true;
      };
      const pullB = pull(h, refB, ['-q']);
      t.ok(await waitFor(() => held, 30_000), "B's pull reached its own layer");
      const rmi = await h.run(['rmi', refA]);
      release();
      const pb = await pullB;
      t.equal(rmi.code, 0, `rmi A succeeds: ${rmi.stderr}`);
      t.ok(pb.code === 0 || pb.code === 125, `pull B either succeeds or fails cleanly (exit ${pb.code}: ${pb.stderr})`);

      const images = await h.run(['images', '-q', '--no-trunc']);
      t.equal(images.code, 0, '`images` reads cleanly');
      const listed = lines(images.stdout).map(hex);
      t.same(listed, pb.code === 0 ? [hex(b.configDigest)] : [], 'it lists exactly what succeeded');
      // Every layer of every image listed is there.
      for (const id of listed) {
        const i = await h.run(['image', 'inspect', id]);
        t.equal(i.code, 0, `inspect ${id.slice(0, 12)}`);
        const lower = (JSON.parse(i.stdout) as Array<{ GraphDriver: { Data: { LowerDir: string } } }>)[0]!.GraphDriver.Data.LowerDir.split(':');
        t.same(lower.filter((d) => !fs.existsSync(d)), [], 'no layer directory of the image is missing');
      }
      if (pb.code === 0) {
        const run = await h.run(['run', '--rm', refB, 'sh', '-c', 'echo hi; cat /b-marker']);
        t.same([run.code, run.stdout], [0, 'hi\nB\n'], `B runs, with both layers (${run.stderr.trim()})`);
        t.same(await h.containerIds(), [], 'run --rm left no container');
      } else {
        t.equal(lines(pb.stderr).length, 1, 'a failed pull says why in one line');
      }
      t.same(h.listStore().filter((p) => /\.tmp/.test(p)), [], 'no temp files left');

      reg.intercept = undefined;
      const again = await pull(h, refA, ['-q']);
      t.same([again.code, again.stdout], [0, `${a.configDigest}\n`], `A can be pulled again (${again.stderr.trim()})`);
      const runA = await h.run(['run', '--rm', refA, 'echo', 'hi']);
      t.same([runA.code, runA.stdout], [0, 'hi\n'], 'and runs');
    });
  });
}
