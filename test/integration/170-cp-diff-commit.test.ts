// husk cp, diff, commit and export: files both ways (tar streams on
// stdin/stdout too), running, created and exited containers, owners with
// and without -a, A/C/D changes, images made from containers, and the
// hostile cases as named tests: symlinks in the container that point
// outside it, a host destination whose symlinks point elsewhere, tar streams
// with ../ and absolute names. Each as root and rootless.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Husk, lines, modes, newHusk, waitFor } from '../helpers/husk.js';
import { readTar as readTarEntries, writeTar } from '../helpers/files.js';

type Hostile = Record<string, (...a: unknown[]) => Buffer>;
const spec = '../fixtures/hostile-tars.mjs'; // a variable: the .mjs has no type declarations
const hostile = (await import(spec)) as Hostile;

const isRoot = process.getuid?.() === 0;

/** The entries of a tar stream, their contents as text. */
async function readTar(buf: Buffer) {
  return (await readTarEntries(buf)).map((e) => ({ ...e, data: e.data.toString() }));
}

/** Runs husk with binary stdout (a tar). */
function runBin(h: Husk, args: string[], input?: Buffer): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const child = h.spawn(args);
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin!.on('error', () => {});
  child.stdin!.end(input);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr });
    });
  });
}

/** The first subordinate id of the rootless test user (the container's uid 1). */
function subStart(file: string, user: string): number {
  const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  return Number(line?.split(':')[1]);
}

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();

    // Steps that must work: a failure fails the test it is in, with husk's message.
    const ok = (args: string[], input?: string | Buffer) => h.ok(args, input === undefined ? {} : { input });
    const out = async (args: string[]) => (await ok(args)).stdout;
    /** A directory of the husk user's under the instance's files dir. */
    const hostDir = (name: string) => {
      const d = path.join(h.dir, 'files', name);
      fs.mkdirSync(d, { recursive: true });
      if (h.user) fs.chownSync(d, h.uid, h.gid);
      return d;
    };
    /** A directory outside anything husk was told about, that the husk user could write to. */
    const outsideDir = () => {
      const d = fs.mkdtempSync('/tmp/husk-cp-outside-');
      fs.chmodSync(d, 0o777);
      t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
      return d;
    };
    const containerDir = async (name: string) => path.join(h.root, 'containers', (await out(['inspect', '--format', '{{.Id}}', name])).trim());

    // One running container for most tests; its sleep is unique to this mode.
    const sleepArg = mode === 'root' ? '6171' : '6172';
    await ok(['run', '-d', '--name', 'live', 'busybox', 'sleep', sleepArg]);
    const liveHostname = (await out(['exec', 'live', 'hostname'])).trim();

    t.test('cp a file and a directory both ways', async (t) => {
      const hello = h.writeFile('hello.txt', 'hello\n');
      const tree = hostDir('tree');
      fs.writeFileSync(path.join(tree, 'a.txt'), 'A\n');
      fs.mkdirSync(path.join(tree, 'sub'));
      fs.writeFileSync(path.join(tree, 'sub', 'b.txt'), 'B\n');
      if (h.user) for (const f of ['a.txt', 'sub', 'sub/b.txt']) fs.chownSync(path.join(tree, f), h.uid, h.gid);

      await ok(['cp', hello, 'live:/tmp/']);
      t.equal(await out(['exec', 'live', 'cat', '/tmp/hello.txt']), 'hello\n', 'a file into a directory keeps its name');
      await ok(['cp', hello, 'live:/tmp/renamed.txt']);
      t.equal(await out(['exec', 'live', 'cat', '/tmp/renamed.txt']), 'hello\n', 'a file to a new name');
      await ok(['cp', tree, 'live:/tmp']);
      t.equal(await out(['exec', 'live', 'cat', '/tmp/tree/a.txt', '/tmp/tree/sub/b.txt']), 'A\nB\n', 'a directory into a directory');
      await ok(['cp', tree, 'live:/tmp/newtree']);
      t.equal(await out(['exec', 'live', 'cat', '/tmp/newtree/a.txt']), 'A\n', 'a directory to a new name: its contents there');
      await ok(['exec', 'live', 'mkdir', '/tmp/existing']);
      await ok(['cp', `${tree}/.`, 'live:/tmp/existing']);
      t.equal(await out(['exec', 'live', 'ls', '/tmp/existing']), 'a.txt\nsub\n', 'SRC/. copies the contents');

      const dest = hostDir('out1');
      await ok(['cp', 'live:/tmp/tree', dest]);
      t.equal(fs.readFileSync(path.join(dest, 'tree', 'sub', 'b.txt'), 'utf8'), 'B\n', 'a directory out of the container');
      await ok(['cp', 'live:/etc/hostname', path.join(dest, 'h.txt')]);
      t.equal(fs.readFileSync(path.join(dest, 'h.txt'), 'utf8'), `${liveHostname}\n`, 'a file out to a new name');
      await ok(['cp', 'live:/tmp/hello.txt', dest]);
      t.equal(fs.readFileSync(path.join(dest, 'hello.txt'), 'utf8'), 'hello\n', 'a file out into a directory');
      await ok(['cp', 'live:/tmp/tree/.', path.join(dest, 'fresh')]);
      t.same(fs.readdirSync(path.join(dest, 'fresh')).sort(), ['a.txt', 'sub'], 'SRC/. to a missing directory');

      const dirOnFile = await h.run(['cp', tree, 'live:/tmp/hello.txt']);
      t.equal(dirOnFile.code, 125, 'a directory onto a file is refused');
      t.match(dirOnFile.stderr, /cannot copy a directory to a file/);
      const noParent = await h.run(['cp', hello, 'live:/no/such/dir/x']);
      t.equal(noParent.code, 125, 'a destination whose parent is missing');
      t.match(noParent.stderr, /no such directory/);
      const missing = await h.run(['cp', 'live:/no-such-file', dest]);
      t.equal(missing.code, 125);
      t.match(missing.stderr, /could not find "\/no-such-file" in container live/);
    });

    t.test('cp both ways with -', async (t) => {
      const r = await runBin(h, ['cp', 'live:/etc/hostname', '-']);
      t.equal(r.code, 0, r.stderr);
      const entries = await readTar(r.stdout);
      t.same(entries.map((e) => [e.name, e.data]), [['hostname', `${liveHostname}\n`]], 'a tar stream holding the file under its name');

      await ok(['exec', 'live', 'mkdir', '/tmp/fromtar']);
      const input = await writeTar([{ name: 'a.txt', data: 'from tar A\n' }, { name: 'sub/', type: 'directory' }, { name: 'sub/b.txt', data: 'from tar B\n' }]);
      await ok(['cp', '-', 'live:/tmp/fromtar'], input);
      t.equal(await out(['exec', 'live', 'cat', '/tmp/fromtar/a.txt', '/tmp/fromtar/sub/b.txt']), 'from tar A\nfrom tar B\n', 'tar on stdin extracted into the directory');
      t.equal(await out(['exec', 'live', 'stat', '-c', '%u:%g', '/tmp/fromtar/a.txt']), '0:0\n', 'owned by the container\'s root');

      const dir = await runBin(h, ['cp', 'live:/tmp/fromtar', '-']);
      t.equal(dir.code, 0, dir.stderr);
      t.same((await readTar(dir.stdout)).map((e) => e.name), ['fromtar/', 'fromtar/a.txt', 'fromtar/sub/', 'fromtar/sub/b.txt'], 'a directory as a tar stream');

      const tty = await h.runTty(['cp', 'live:/etc/hostname', '-']);
      t.equal(tty.code, 125, 'no tar to a terminal');
      t.match(tty.stdout, /refusing to write a tar archive to a terminal/);
      const notDir = await h.run(['cp', '-', 'live:/tmp/fromtar/a.txt'], { input });
      t.equal(notDir.code, 125, 'the destination of a tar stream must be a directory');
      t.match(notDir.stderr, /not a directory/);
    });

    t.test('cp into a stopped container and out of it', async (t) => {
      const hello = h.writeFile('stopped.txt', 'into a stopped one\n');
      await ok(['run', '--name', 'exited', 'busybox', 'sh', '-c', 'echo base > /base.txt']);
      await ok(['cp', hello, 'exited:/tmp/']);
      const r = await runBin(h, ['cp', 'exited:/tmp/stopped.txt', '-']);
      t.equal(r.code, 0, r.stderr);
      t.same((await readTar(r.stdout)).map((e) => e.data), ['into a stopped one\n'], 'an exited container: in and out again');
      const dest = hostDir('out-stopped');
      await ok(['cp', 'exited:/base.txt', dest]);
      t.equal(fs.readFileSync(path.join(dest, 'base.txt'), 'utf8'), 'base\n', 'what it wrote when it ran');
      t.match(await out(['diff', 'exited']), /^A \/tmp\/stopped\.txt$/m, 'the copy is in its upper layer');
      const dir = await containerDir('exited');
      t.same(fs.readdirSync(path.join(dir, 'rootfs')), [], 'its overlay was mounted privately: nothing left on the host');
      await ok(['start', 'exited']);

      const vol = hostDir('volume-src');
      await ok(['run', '--name', 'withvol', '-v', `${vol}:/data`, '-v', `${vol}:/rodata:ro`, 'busybox', 'sh', '-c', 'echo from-run > /data/run.txt']);
      await ok(['cp', hello, 'withvol:/data/']);
      t.equal(fs.readFileSync(path.join(vol, 'stopped.txt'), 'utf8'), 'into a stopped one\n', 'a stopped container\'s volume gets it, as a running one\'s would');
      const fromVol = await runBin(h, ['cp', 'withvol:/rodata/run.txt', '-']);
      t.same((await readTar(fromVol.stdout)).map((e) => e.data), ['from-run\n'], 'and is read from');
      const ro = await h.run(['cp', hello, 'withvol:/rodata/other.txt']);
      t.equal(ro.code, 125, 'a read-only mount stays read-only');
      t.match(ro.stderr, /Read-only file system/);

      await ok(['create', '--name', 'fresh', 'busybox', 'cat', '/tmp/in.txt']);
      await ok(['cp', hello, 'fresh:/tmp/in.txt']);
      await ok(['start', 'fresh']);
      await ok(['wait', 'fresh']);
      t.ok(await waitFor(async () => (await h.run(['logs', 'fresh'])).stdout === 'into a stopped one\n'), 'a created container sees the copy when it starts');
    });

    t.test('a cp into a stopped container and its start take turns', async (t) => {
      await ok(['run', '--name', 'turns', 'busybox', 'sh', '-c', 'cat /turn.txt 2>/dev/null; true']);
      const input = await writeTar([{ name: 'turn.txt', data: 'copied first\n' }]);
      // The copy holds the container while it waits for the rest of its tar.
      const cp = h.spawn(['cp', '-', 'turns:/']);
      const cpEnded = new Promise<number | null>((r) => cp.on('close', (code) => r(code)));
      cp.stdin!.write(input.subarray(0, 512));
      t.ok(await waitFor(() => Husk.pidsMatching('extract').some((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(h.dir))), 'the copy has begun');
      const start = h.spawn(['start', '-a', 'turns']);
      let startOut = '';
      start.stdout!.on('data', (b: Buffer) => (startOut += b.toString()));
      const startEnded = new Promise<number | null>((r) => start.on('close', (code) => r(code)));
      const early = await Promise.race([startEnded.then(() => 'start' as const), new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 1500))]);
      t.equal(early, 'waiting', 'the start waits for the copy');
      cp.stdin!.end(input.subarray(512));
      t.equal(await cpEnded, 0, 'the copy finishes');
      t.equal(await startEnded, 0, 'then the container starts');
      t.equal(startOut, 'copied first\n', 'and sees the file');
    });

    t.test('cp -a keeps owners; without it they are the container root\'s, or the user\'s on the host', async (t) => {
      const src = h.writeFile('owned.txt', 'owned\n');
      if (isRoot) fs.chownSync(src, 1234, 2345);
      const [u, g] = isRoot ? [1234, 2345] : [h.uid, h.gid];
      await ok(['cp', '-a', src, 'live:/tmp/owned-a.txt']);
      t.equal(await out(['exec', 'live', 'stat', '-c', '%u:%g', '/tmp/owned-a.txt']), `${u}:${g}\n`, '-a: the source\'s uid/gid');
      await ok(['cp', src, 'live:/tmp/owned-na.txt']);
      t.equal(await out(['exec', 'live', 'stat', '-c', '%u:%g', '/tmp/owned-na.txt']), '0:0\n', 'without -a: the container\'s root');
      // podman's -a=false says "keep them" too (its default -a gives them to the container's user).
      await ok(['cp', '-a=false', src, 'live:/tmp/owned-podman.txt']);
      t.equal(await out(['exec', 'live', 'stat', '-c', '%u:%g', '/tmp/owned-podman.txt']), `${u}:${g}\n`, 'podman\'s -a=false: the source\'s uid/gid');

      await ok(['exec', 'live', 'sh', '-c', 'echo five > /tmp/five && chown 5:6 /tmp/five && chmod 640 /tmp/five']);
      const dest = hostDir('out-owners');
      await ok(['cp', 'live:/tmp/five', path.join(dest, 'plain')]);
      const plain = fs.statSync(path.join(dest, 'plain'));
      t.same([plain.uid, plain.gid, plain.mode & 0o777], [h.uid, h.gid, 0o640], 'without -a: the invoking user\'s, mode kept');
      await ok(['cp', '-a', 'live:/tmp/five', path.join(dest, 'kept')]);
      const kept = fs.statSync(path.join(dest, 'kept'));
      const expect = mode === 'root' ? [5, 6] : [subStart('/etc/subuid', h.user!) + 4, subStart('/etc/subgid', h.user!) + 5];
      t.same([kept.uid, kept.gid], expect, '-a: the container\'s ids (rootless: as the mapping shows them on the host)');
    });

    t.test('diff: A/C/D after creating, changing and deleting files', async (t) => {
      await ok(['run', '--name', 'changer', 'busybox', 'sh', '-c',
        'echo new > /new-file; echo extra >> /etc/passwd; rm /etc/group; mkdir /newdir; echo f > /newdir/f; rm -rf /home; mkdir /home; echo z > /home/z']);
      const d = await out(['diff', 'changer']);
      t.same(lines(d), [
        'C /etc', 'D /etc/group', 'C /etc/passwd',
        'C /home', 'D /home/app', 'A /home/z',
        'A /new-file', 'A /newdir', 'A /newdir/f',
      ], 'sorted by path; a file deleted from the image is D; a directory made anew hides what it held');
      const json = JSON.parse(await out(['diff', '--format', 'json', 'changer'])) as Record<string, string[]>;
      t.same(json.deleted, ['/etc/group', '/home/app'], '--format json');
      t.same(lines(await out(['diff', 'exited'])), ['A /base.txt', 'C /tmp', 'A /tmp/stopped.txt'], 'no mount points the runtime made (/etc/resolv.conf)');
    });

    t.test('commit then run the new image', async (t) => {
      const id = (await out(['commit', 'changer', 'changed:v1'])).trim();
      t.match(id, /^sha256:[0-9a-f]{64}$/, 'prints the new image ID');
      t.match(await out(['images']), /localhost\/changed\s+v1/);
      t.equal(await out(['run', '--rm', 'changed:v1', 'cat', '/new-file', '/newdir/f', '/home/z']), 'new\nf\nz\n', 'the changes are in it');
      t.equal(await out(['run', '--rm', 'changed:v1', 'sh', '-c', 'test -e /etc/group && echo present || echo gone']), 'gone\n', 'a deleted file stays deleted');
      t.equal(await out(['run', '--rm', 'changed:v1', 'ls', '-A', '/home']), 'z\n', 'an opaque directory stays opaque');
      t.match(await out(['run', '--rm', 'changed:v1', 'cat', '/etc/passwd']), /extra\n$/, 'a changed file');
      const cfg = JSON.parse(await out(['image', 'inspect', 'changed:v1'])) as Array<{ RootFS: { Layers: string[] }; Config: { Cmd: string[] } }>;
      t.equal(cfg[0]!.RootFS.Layers.length, 2, 'one layer more than the base image');
      t.equal(cfg[0]!.Config.Cmd[0], 'sh', 'the container\'s command is the new CMD');

      await ok(['--storage-driver', 'vfs', 'run', '--name', 'vfsc', 'busybox', 'sh', '-c', 'rm /etc/group; echo v > /vfs-file']);
      t.same(lines(await out(['diff', 'vfsc'])), ['C /etc', 'D /etc/group', 'A /vfs-file'], 'vfs: changes found by comparing with the image');
      await ok(['commit', 'vfsc', 'vfs-img']);
      t.equal(await out(['run', '--rm', 'vfs-img', 'sh', '-c', 'cat /vfs-file; test -e /etc/group || echo gone']), 'v\ngone\n', 'vfs: committed with the deletion');
    });

    t.test('commit -c CMD, -m, -a, --pause', async (t) => {
      await ok(['commit', '-c', 'CMD ["echo","committed"]', '-c', 'ENV FROM_COMMIT=yes', '-m', 'my message', '-a', 'Tester <t@example.com>', 'changer', 'with-cmd']);
      t.equal(await out(['run', '--rm', 'with-cmd']), 'committed\n', 'run without a command runs the new CMD');
      t.equal(await out(['run', '--rm', 'with-cmd', 'sh', '-c', 'echo $FROM_COMMIT']), 'yes\n', 'ENV');
      t.match(await out(['history', '--no-trunc', 'with-cmd']), /my message/, 'the message is the history comment');
      t.match(await out(['image', 'inspect', '--format', '{{.Author}}', 'with-cmd']), /Tester <t@example.com>/, 'the author');
      await ok(['commit', '-c', 'HEALTHCHECK --interval=1s --retries=1 CMD test -e /tmp/ok', 'changer', 'with-health']);
      t.same(JSON.parse(await out(['image', 'inspect', '--format', '{{json .Config.Healthcheck}}', 'with-health'])),
        { Test: ['CMD-SHELL', 'test -e /tmp/ok'], Interval: 1e9, Retries: 1 }, 'HEALTHCHECK is in the config');
      await ok(['run', '-d', '--name', 'checked', 'with-health', 'sh', '-c', 'touch /tmp/ok; sleep 60']);
      t.equal(await out(['wait', '--condition', 'healthy', 'checked']), '-1\n', "the monitor runs the image's check");
      await ok(['rm', '-f', 'checked']);
      const bad = await h.run(['commit', '-c', 'RUN echo no', 'changer', 'bad']);
      t.equal(bad.code, 125, 'an unsupported --change is refused');
      t.equal(lines(bad.stderr).length, 1);

      await ok(['exec', 'live', 'sh', '-c', 'echo live > /live.txt']);
      await ok(['commit', '--pause', 'live', 'live-img']);
      t.equal(await out(['run', '--rm', 'live-img', 'cat', '/live.txt']), 'live\n', 'a running container committed');
      const [pid] = Husk.pidsOf('sleep', sleepArg);
      t.ok(pid, 'its process is still there');
      const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];
      t.not(state, 'T', 'and no longer stopped after --pause');
      t.equal(await out(['exec', 'live', 'echo', 'alive']), 'alive\n');
    });

    t.test('export | tar t lists the files', async (t) => {
      const r = await runBin(h, ['export', 'changer']);
      t.equal(r.code, 0, r.stderr);
      const names = (await readTar(r.stdout)).map((e) => e.name);
      for (const n of ['bin/busybox', 'etc/passwd', 'new-file', 'newdir/f', 'home/z']) t.ok(names.includes(n), `has ${n}`);
      t.notOk(names.includes('etc/group'), 'not what the container deleted');
      t.notOk(names.includes('home/app/'), 'nor what its opaque directory hides');
      const file = path.join(h.dir, 'files', 'changer.tar');
      await ok(['export', '-o', file, 'changer']);
      t.same((await readTar(fs.readFileSync(file))).map((e) => e.name), names, '-o writes the same archive');
      const live = await runBin(h, ['export', 'live']);
      t.equal(live.code, 0, live.stderr);
      const liveNames = (await readTar(live.stdout)).map((e) => e.name);
      t.ok(liveNames.includes('live.txt'), 'a running container');
      t.notOk(liveNames.some((n) => n.startsWith('proc/') && n !== 'proc/'), 'without its /proc');
      const tty = await h.runTty(['export', 'changer']);
      t.equal(tty.code, 125, 'refuses to write to a terminal');
      t.match(tty.stdout, /cowardly refusing/);
    });

    t.test('hostile: cp paths through symlinks that point outside: reading gives the container\'s files', async (t) => {
      const outside = outsideDir();
      fs.writeFileSync(path.join(outside, 'secret'), 'host secret\n', { mode: 0o644 });
      const links = `echo container-marker > /marker; ln -s / /escape; ln -s /etc /etclink; ln -s ../../../../.. /rel; ln -s ${outside} /hostlink`;
      await ok(['run', '--name', 'trap', 'busybox', 'sh', '-c', links]);
      await ok(['exec', 'live', 'sh', '-c', links]);
      t.notOk(fs.existsSync('/marker'), 'the host has no /marker');
      const containerPasswd = (await readTar((await runBin(h, ['cp', 'live:/etc/passwd', '-'])).stdout))[0]!.data;
      t.not(containerPasswd, fs.readFileSync('/etc/passwd', 'utf8'), 'the container\'s passwd differs from the host\'s');
      for (const c of ['trap', 'live']) {
        for (const p of ['/escape/marker', '/rel/marker', '/escape/escape/marker']) {
          const r = await runBin(h, ['cp', `${c}:${p}`, '-']);
          t.equal(r.code, 0, `${c}:${p}: ${r.stderr}`);
          t.same((await readTar(r.stdout)).map((e) => e.data), ['container-marker\n'], `${c}:${p} is the container's /marker`);
        }
        const passwd = await runBin(h, ['cp', `${c}:/etclink/passwd`, '-']);
        t.same((await readTar(passwd.stdout)).map((e) => e.data), [containerPasswd], `${c}:/etclink/passwd is the container's`);
        const dest = hostDir(`read-${c}`);
        await ok(['cp', `${c}:/escape/etc/passwd`, path.join(dest, 'p')]);
        t.equal(fs.readFileSync(path.join(dest, 'p'), 'utf8'), containerPasswd, `${c}: to a host file, the container's too`);
        const secret = await runBin(h, ['cp', `${c}:/hostlink/secret`, '-']);
        t.equal(secret.code, 125, `${c}: a link to a host-only path finds nothing`);
        t.notMatch(secret.stdout.toString(), /host secret/, `${c}: the host's file is not read`);
        const followed = await runBin(h, ['cp', '-L', `${c}:/etclink`, '-']);
        t.equal(followed.code, 0, followed.stderr);
        t.ok((await readTar(followed.stdout)).some((e) => e.name === 'etclink/passwd' && e.data === containerPasswd), `${c}: -L follows the link inside the container`);
      }
    });

    t.test('hostile: cp paths through symlinks that point outside: writing lands inside the container', async (t) => {
      const outside = outsideDir();
      const name = `w-${path.basename(outside)}.txt`;
      const src = h.writeFile(name, 'written\n');
      await ok(['exec', 'live', 'sh', '-c', `ln -s ${outside} /hostlink2; mkdir -p ${outside}`]);
      for (const c of ['trap', 'live']) {
        await ok(['cp', src, `${c}:/escape/tmp/`]);
        t.notOk(fs.existsSync(`/tmp/${name}`), `${c}: nothing in the host's /tmp`);
        const back = await runBin(h, ['cp', `${c}:/tmp/${name}`, '-']);
        t.same((await readTar(back.stdout)).map((e) => e.data), ['written\n'], `${c}: the file is in the container's /tmp`);
        await ok(['cp', src, `${c}:/rel/etclink/`]);
        t.notOk(fs.existsSync(`/etc/${name}`), `${c}: nothing in the host's /etc`);
        t.match(await out(['diff', c]), new RegExp(`^A /etc/${name.replace(/\./g, '\\.')}$`, 'm'), `${c}: it is in the container's /etc`);
        const tarIn = await writeTar([{ name: `deep/${name}`, data: 'via tar\n' }]);
        await h.run(['cp', '-', `${c}:/escape/tmp`], { input: tarIn });
        t.notOk(fs.existsSync(`/tmp/deep/${name}`), `${c}: a tar stream through the link stays inside`);
      }
      const r = await h.run(['cp', src, 'trap:/hostlink/']);
      t.equal(r.code, 125, 'a link to a path the container lacks: refused');
      await ok(['cp', src, 'live:/hostlink2/']);
      t.equal(await out(['exec', 'live', 'cat', `${outside}/${name}`]), 'written\n', 'where the container has that path, the file lands there');
      t.same(fs.readdirSync(outside), [], 'the host directory the links name stays empty');
    });

    t.test('hostile: a host destination with symlinks pointing outside is not written through', async (t) => {
      const outside = outsideDir();
      await ok(['exec', 'live', 'sh', '-c', 'mkdir -p /nest/sub && echo deep > /nest/sub/file']);
      const dest = hostDir('dest-with-links');
      fs.symlinkSync(outside, path.join(dest, 'etc'));
      fs.symlinkSync(path.join(outside, 'hostname'), path.join(dest, 'hostname'));
      fs.mkdirSync(path.join(dest, 'nest'));
      fs.symlinkSync(outside, path.join(dest, 'nest', 'sub'));
      if (h.user) for (const f of ['etc', 'hostname', 'nest', 'nest/sub']) fs.lchownSync(path.join(dest, f), h.uid, h.gid);

      const dir = await h.run(['cp', 'live:/etc', dest]);
      t.equal(dir.code, 125, 'a directory onto a symlink: refused');
      t.equal(lines(dir.stderr).length, 1, dir.stderr);
      const nested = await h.run(['cp', 'live:/nest', dest]);
      t.equal(nested.code, 125, 'a directory below it onto a symlink: refused');
      await ok(['cp', 'live:/etc/hostname', `${dest}/`]);
      t.ok(fs.lstatSync(path.join(dest, 'hostname')).isFile(), 'a file replaces a symlink of its name');
      t.equal(fs.readFileSync(path.join(dest, 'hostname'), 'utf8'), `${liveHostname}\n`);
      const viaDot = hostDir('dest-dot');
      fs.symlinkSync(path.join(outside, 'passwd'), path.join(viaDot, 'passwd'));
      if (h.user) fs.lchownSync(path.join(viaDot, 'passwd'), h.uid, h.gid);
      await ok(['cp', 'live:/etc/.', viaDot]);
      t.ok(fs.lstatSync(path.join(viaDot, 'passwd')).isFile(), 'SRC/.: the entry replaces the symlink');
      t.same(fs.readdirSync(outside), [], 'nothing was written outside the destination');
    });

    t.test('hostile: no setuid programs or device nodes from a container on the host without -a', async (t) => {
      const made = await out(['exec', 'live', 'sh', '-c', 'mkdir -p /priv && echo x > /priv/suid && chmod 6755 /priv/suid && (mknod /priv/blk b 7 0 2>/dev/null && echo node || echo no-node)']);
      const dest = hostDir('priv');
      const r = await h.run(['cp', 'live:/priv', dest]);
      t.equal(r.code, 0, r.stderr);
      t.equal(fs.statSync(path.join(dest, 'priv', 'suid')).mode & 0o7777, 0o755, 'setuid and setgid bits dropped');
      t.notOk(fs.existsSync(path.join(dest, 'priv', 'blk')), 'no device node');
      if (made.includes('no-node')) t.comment('the container could not make a device node; that part is moot here');
      const keep = hostDir('priv-a');
      await ok(['cp', '-a', 'live:/priv/suid', keep]);
      t.equal(fs.statSync(path.join(keep, 'suid')).mode & 0o7777, 0o6755, '-a keeps the mode whole');
    });

    t.test('hostile: a tar on stdin with ../, absolute and symlinked names is refused', async (t) => {
      const outside = outsideDir();
      await ok(['exec', 'live', 'mkdir', '-p', '/tmp/x/y']);
      const cases: Array<[string, Buffer]> = [
        ['dotdot', hostile.dotdot!()],
        ['absolute', hostile.absolute!()],
        ['symlinkParent', hostile.symlinkParent!(outside)],
        ['hardlinkOutside', hostile.hardlinkOutside!()],
      ];
      for (const [name, input] of cases) {
        const r = await h.run(['cp', '-', 'live:/tmp/x/y'], { input });
        t.equal(r.code, 125, `${name}: refused`);
        t.equal(lines(r.stderr).length, 1, `${name}: one line: ${r.stderr.trim()}`);
      }
      t.equal(await out(['exec', 'live', 'ls', '-A', '/tmp/x']), 'y\n', 'nothing beside the destination in the container');
      // Entries before the refused one stay (as tar and docker cp leave them); none escaped.
      t.notMatch(await out(['exec', 'live', 'find', '/tmp/x/y']), /escape/, 'no refused entry in it either');
      t.equal(await out(['exec', 'live', 'sh', '-c', 'test -e /tmp/escape || test -e /abs-escape || echo none']), 'none\n', 'no /tmp/escape, no /abs-escape');
      t.same(fs.readdirSync(outside), [], 'nothing in the host directory the symlink named');
      t.notOk(fs.existsSync('/abs-escape'), 'nothing at /abs-escape on the host');
    });

    t.test('bad input: exit 125 and one line', async (t) => {
      const f = h.writeFile('bad.txt', 'x');
      const cases: Array<[string[], RegExp]> = [
        [['cp', 'nosuch:/etc/hostname', f], /no such container/],
        [['cp', f, 'nosuch:/tmp'], /no such container/],
        [['cp', 'live:', f], /path in the container is empty/],
        [['cp', f, path.join(h.dir, 'files', 'other')], /must be CONTAINER:PATH/],
        [['cp', '-', '-'], /not both/],
        [['cp', 'live:/etc/hostname', 'nosuch:/tmp'], /no such container/],
        [['diff', 'nosuch'], /no such container/],
        [['commit', 'nosuch'], /no such container/],
        [['export', '-o', path.join(h.dir, 'files', 'x.tar'), 'nosuch'], /no such container/],
        [['commit', 'live', 'Bad//Name'], /./],
      ];
      for (const [args, msg] of cases) {
        const r = await h.run(args);
        t.equal(r.code, 125, `husk ${args.join(' ')}`);
        t.match(r.stderr, msg);
        t.equal(lines(r.stderr).length, 1, `one line: ${r.stderr.trim()}`);
      }
      t.notOk(fs.existsSync(path.join(h.dir, 'files', 'x.tar')), 'no archive for a missing container');
    });
  });
}
