// Volumes, bind mounts and tmpfs mounts: -v, --mount, --tmpfs,
// --volumes-from, the image's VOLUMEs, copy-up, the `volume` commands and
// rm -v; owners as the container's users map to the host; hostile images and
// stores (one named test each, as security regressions). Root and rootless.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fixtures, lines, modes, newHusk, subordinateRanges, type Husk } from '../helpers/husk.js';

/** The busybox fixture plus what `build` puts in a staging directory (owned by root), imported as `name`. */
async function importImage(h: Husk, name: string, build: (stage: string) => void, changes: string[] = []): Promise<void> {
  const stage = fs.mkdtempSync(path.join(h.dir, 'stage-'));
  build(stage);
  const tar = path.join(h.dir, 'files', `${name.replace(/\W/g, '_')}.tar`);
  fs.copyFileSync(fixtures.busyboxTar, tar);
  execFileSync('tar', ['-C', stage, '--owner=0', '--group=0', '--numeric-owner', '-rf', tar, ...fs.readdirSync(stage).map((e) => `./${e}`)]);
  if (h.user) fs.chownSync(tar, h.uid, h.gid);
  fs.rmSync(stage, { recursive: true, force: true });
  const r = await h.run(['import', '--change', 'CMD ["sh"]', ...changes.flatMap((c) => ['--change', c]), tar, name]);
  if (r.code !== 0) throw new Error(`import ${name}: ${r.stderr}`);
}

/** A directory the husk user owns, under the instance's files. */
function hostDir(h: Husk, name: string): string {
  const d = path.join(h.dir, 'files', name);
  fs.mkdirSync(d, { mode: 0o755 });
  if (h.user) fs.chownSync(d, h.uid, h.gid);
  return d;
}

/** Every path under `dir`, relative, never following symlinks. */
function filesUnder(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = path.join(rel, e.name);
    return e.isDirectory() ? [r, ...filesUnder(dir, r)] : [r];
  });
}

const unique = () => `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    const run = (...args: string[]) => h.run(['run', '--rm', ...args]);
    const volumes = async () => lines((await h.run(['volume', 'ls', '-q'])).stdout);
    const dataDir = (name: string) => path.join(h.root, 'volumes', name, '_data');
    const sub = mode === 'rootless' ? subordinateRanges() : undefined;
    /** The host uid (gid) container id `id` maps to: itself as root; rootless, the user for 0, else its place in the subordinate range. */
    const hostUid = (id: number) => (!sub ? id : id === 0 ? h.uid : sub.uid.start + id - 1);
    const hostGid = (id: number) => (!sub ? id : id === 0 ? h.gid : sub.gid.start + id - 1);

    t.test('tutorial: a database container writes into a named volume, is removed, a new container sees the data', async (t) => {
      const db = await h.run(['run', '--name', 'db', '-v', 'dbdata:/var/lib/db', 'busybox', 'sh', '-c', 'echo "row 1" > /var/lib/db/table && echo stored']);
      t.same([db.code, db.stdout], [0, 'stored\n']);
      t.ok((await volumes()).includes('dbdata'), 'the volume was created on first use');
      t.equal((await h.run(['rm', 'db'])).code, 0);
      t.ok((await volumes()).includes('dbdata'), 'and outlives its container');
      const next = await run('-v', 'dbdata:/var/lib/db', 'busybox', 'cat', '/var/lib/db/table');
      t.same([next.code, next.stdout], [0, 'row 1\n'], 'a new container sees the data');
      t.equal(fs.readFileSync(path.join(dataDir('dbdata'), 'table'), 'utf8'), 'row 1\n', 'kept under the data root');
    });

    t.test('-v HOST:CTR read-write and :ro', async (t) => {
      const dir = hostDir(h, 'bind-rw');
      fs.writeFileSync(path.join(dir, 'from-host'), 'hello\n');
      const rw = await run('-v', `${dir}:/mnt/host`, 'busybox', 'sh', '-c', 'cat /mnt/host/from-host && echo back > /mnt/host/from-container');
      t.same([rw.code, rw.stdout], [0, 'hello\n'], 'the host file is visible');
      t.equal(fs.readFileSync(path.join(dir, 'from-container'), 'utf8'), 'back\n', 'a write shows up on the host');
      const ro = await run('-v', `${dir}:/mnt/host:ro`, 'busybox', 'sh', '-c', 'cat /mnt/host/from-host; echo x > /mnt/host/nope');
      t.equal(ro.stdout, 'hello\n', ':ro still reads');
      t.not(ro.code, 0, 'a write fails');
      t.match(ro.stderr, /Read-only file system/);
      t.notOk(fs.existsSync(path.join(dir, 'nope')));
      const mount = await run('--mount', `type=bind,source=${dir},target=/m,readonly`, 'busybox', 'sh', '-c', 'touch /m/x');
      t.match([mount.code !== 0, mount.stderr], [true, /Read-only file system/], '--mount type=bind,readonly too');
      const file = await run('-v', `${path.join(dir, 'from-host')}:/etc/motd:ro`, 'busybox', 'cat', '/etc/motd');
      t.same([file.code, file.stdout], [0, 'hello\n'], 'a single file can be bound');
    });

    t.test('anonymous volume from -v /data', async (t) => {
      const before = await volumes();
      const r = await h.run(['run', '--name', 'anon', '-v', '/data', 'busybox', 'sh', '-c', 'echo a > /data/f']);
      t.equal(r.code, 0);
      const made = (await volumes()).filter((v) => !before.includes(v));
      t.equal(made.length, 1, 'one volume made');
      t.match(made[0], /^[0-9a-f]{64}$/, 'with a 64-hex name');
      const inspect = JSON.parse((await h.run(['volume', 'inspect', made[0]!])).stdout) as Array<Record<string, unknown>>;
      t.equal(inspect[0]!.Anonymous, true, 'marked anonymous');
      t.equal(fs.readFileSync(path.join(dataDir(made[0]!), 'f'), 'utf8'), 'a\n');
      t.equal((await h.run(['rm', 'anon'])).code, 0);
      t.ok((await volumes()).includes(made[0]!), 'rm without -v keeps it');
      t.equal((await h.run(['volume', 'rm', made[0]!])).code, 0);
    });

    t.test('anonymous volume from the image VOLUME', async (t) => {
      await h.importBusybox(['CMD ["sh"]', 'VOLUME /data'], 'withvol:latest');
      const before = await volumes();
      const r = await h.run(['run', '--name', 'wv', 'withvol', 'sh', '-c', 'grep -c " /data " /proc/mounts; echo v > /data/f']);
      t.same([r.code, r.stdout], [0, '1\n'], '/data is a mount');
      const made = (await volumes()).filter((v) => !before.includes(v));
      t.equal(made.length, 1, 'an anonymous volume was made for it');
      t.equal(fs.readFileSync(path.join(dataDir(made[0]!), 'f'), 'utf8'), 'v\n');
      const named = await h.run(['run', '--name', 'wv2', '-v', 'given:/data', 'withvol', 'true']);
      t.equal(named.code, 0);
      t.same((await volumes()).filter((v) => !before.includes(v)).sort(), [...made, 'given'].sort(), 'a -v at the same path replaces it');
      t.equal((await h.run(['rm', '-v', 'wv', 'wv2'])).code, 0);
      t.same((await volumes()).filter((v) => !before.includes(v)), ['given'], 'rm -v: the anonymous one went, the named one stays');
      await h.run(['volume', 'rm', 'given']);
    });

    t.test('an image with VOLUME /proc is refused with a message saying so, not about an exec FIFO', async (t) => {
      await h.importBusybox(['CMD ["sh"]', 'VOLUME /proc'], 'procvol:latest');
      const before = h.listStore().filter((p) => !p.startsWith('run/'));
      const ids = await h.containerIds();
      const r = await h.run(['run', '--rm', 'procvol', 'true']);
      t.equal(r.code, 125);
      t.equal(r.stderr, "Error: the image's VOLUME /proc: nothing can be mounted over /proc or the process directories in it (/proc/self, /proc/PID): the container needs them to start\n");
      t.same(await h.containerIds(), ids, 'no container made');
      t.same(h.listStore().filter((p) => !p.startsWith('run/')), before, 'no volume, nothing half written');
      const lxcfs = await h.run(['run', '--rm', '-v', `${h.writeFile('cpuinfo', 'fake\n')}:/proc/cpuinfo`, 'busybox', 'cat', '/proc/cpuinfo']);
      t.same([lxcfs.code, lxcfs.stdout], [0, 'fake\n'], 'a file under /proc may still be mounted over (as lxcfs does)');
      t.equal((await h.run(['rmi', 'procvol'])).code, 0);
    });

    t.test('copy-up: a new named volume is filled with what the image has at its path', async (t) => {
      const r = await run('-v', 'homes:/home', 'busybox', 'sh', '-c', 'stat -c "%n %u:%g %a" /home/app');
      t.same([r.code, r.stdout], [0, '/home/app 1000:1000 755\n'], 'the image\'s /home/app, with its owner and mode');
      const st = fs.statSync(path.join(dataDir('homes'), 'app'));
      t.same([st.uid, st.gid], [hostUid(1000), hostGid(1000)], 'on the host, owned by the mapped id');
      t.equal((await run('-v', 'homes:/home', 'busybox', 'rmdir', '/home/app')).code, 0);
      const again = await run('-v', 'homes:/home', 'busybox', 'ls', '/home');
      t.same([again.code, again.stdout], [0, ''], 'only the first mount copies');
      const etc = await run('-v', 'etcvol:/etc', 'busybox', 'cat', '/etc/group');
      t.match(etc.stdout, /^extra:x:2000:app$/m, 'files are copied with their content');
      const nocopy = await run('-v', 'nocopy:/home:nocopy', 'busybox', 'ls', '/home');
      t.same([nocopy.code, nocopy.stdout], [0, ''], 'nocopy leaves the volume empty');
      const mount = await run('--mount', 'type=volume,src=nc2,dst=/home,volume-nocopy', 'busybox', 'ls', '/home');
      t.same([mount.code, mount.stdout], [0, ''], '--mount volume-nocopy too');
      const filled = fs.readdirSync(dataDir('nocopy'));
      t.same(filled, [], 'nothing on the host either');
      await h.run(['volume', 'rm', 'homes', 'etcvol', 'nocopy', 'nc2']);
    });

    t.test('--tmpfs and --mount type=tmpfs', async (t) => {
      const r = await run('--tmpfs', '/scratch:size=1m,mode=1770', 'busybox', 'sh', '-c', 'grep " /scratch " /proc/mounts; echo x > /scratch/f && cat /scratch/f');
      t.equal(r.code, 0, r.stderr);
      t.match(r.stdout, /^tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,\S*size=1024k,mode=1770/m, 'size and mode; noexec, nosuid, nodev by default');
      t.match(r.stdout, /^x$/m, 'writable');
      const m = await run('--mount', 'type=tmpfs,destination=/t2,tmpfs-size=2m,tmpfs-mode=700', 'busybox', 'grep', ' /t2 ', '/proc/mounts');
      t.match([m.code, m.stdout], [0, /^tmpfs \/t2 tmpfs rw,.*size=2048k,mode=700/], '--mount type=tmpfs with tmpfs-size and tmpfs-mode');
      const ro = await run('--tmpfs', '/r:ro', 'busybox', 'touch', '/r/x');
      t.match([ro.code !== 0, ro.stderr], [true, /Read-only file system/], 'a read-only tmpfs');
      const ex = await run('--tmpfs', '/e:exec', 'busybox', 'sh', '-c', 'cp /bin/busybox /e/echo && /e/echo ran');
      t.same([ex.code, ex.stdout], [0, 'ran\n'], 'exec lifts noexec');
    });

    t.test('--volumes-from', async (t) => {
      const src = await h.run(['run', '--name', 'vsrc', '-v', 'shared:/shared', '-v', '/anon', 'busybox', 'sh', '-c', 'echo s > /shared/f; echo a > /anon/f']);
      t.equal(src.code, 0);
      const r = await run('--volumes-from', 'vsrc', 'busybox', 'sh', '-c', 'cat /shared/f /anon/f; echo more > /shared/g');
      t.same([r.code, r.stdout], [0, 's\na\n'], 'both volumes, named and anonymous, writable as in the source');
      const ro = await run('--volumes-from', 'vsrc:ro', 'busybox', 'sh', '-c', 'cat /shared/g; touch /anon/x');
      t.equal(ro.stdout, 'more\n');
      t.match([ro.code !== 0, ro.stderr], [true, /Read-only file system/], ':ro makes them read-only');
      const anon = (await volumes()).filter((v) => /^[0-9a-f]{64}$/.test(v));
      t.equal(anon.length, 1, 'no new volume for the consumers');
      const missing = await run('--volumes-from', 'nosuch', 'busybox', 'true');
      t.equal(missing.code, 125, 'an unknown container is an error');
      t.equal((await h.run(['rm', '-v', 'vsrc'])).code, 0);
      t.same((await volumes()).filter((v) => /^[0-9a-f]{64}$/.test(v)), [], 'rm -v removed its anonymous volume');
      await h.run(['volume', 'rm', 'shared']);
    });

    t.test('volume create, ls, inspect, exists, rm, prune', async (t) => {
      const c = await h.run(['volume', 'create', '--label', 'app=web', '--label', 'tier', 'v1']);
      t.same([c.code, c.stdout], [0, 'v1\n'], 'create prints the name');
      const dup = await h.run(['volume', 'create', 'v1']);
      t.equal(dup.code, 125, 'an existing name is an error, as in podman');
      t.match(dup.stderr, /already exists/);
      t.equal(lines(dup.stderr).length, 1);
      t.same([(await h.run(['volume', 'create', '--ignore', 'v1'])).code], [0], '--ignore');
      const random = await h.run(['volume', 'create']);
      t.match([random.code, random.stdout], [0, /^[0-9a-f]{64}\n$/], 'no name: a random one');
      const rnd = random.stdout.trim();
      t.equal((await h.run(['volume', 'create', '--opt', 'o=uid=1000,gid=1000', 'owned'])).code, 0);
      const owner = await run('-v', 'owned:/o', '-u', '1000', 'busybox', 'sh', '-c', 'stat -c %u:%g /o && touch /o/mine');
      t.same([owner.code, owner.stdout], [0, '1000:1000\n'], '--opt o=uid=,gid= sets the owner of the volume');
      t.equal((await h.run(['volume', 'create', '--opt', 'type=nfs', 'nfs'])).code, 125, 'device types are refused');
      t.equal((await h.run(['volume', 'create', 'bad/name'])).code, 125, 'an invalid name is refused');

      const ls = await h.run(['volume', 'ls']);
      t.match(ls.stdout, /^DRIVER\s+VOLUME NAME\n/, 'a header');
      t.match(ls.stdout, /^local\s+v1$/m);
      t.same(lines((await h.run(['volume', 'ls', '-q', '--filter', 'label=app=web'])).stdout), ['v1'], '--filter label=K=V');
      t.same(lines((await h.run(['volume', 'ls', '-q', '--filter', 'label=tier'])).stdout), ['v1'], '--filter label=K');
      t.same(lines((await h.run(['volume', 'ls', '-q', '--filter', 'name=wne'])).stdout), ['owned'], '--filter name= matches a part');
      t.ok(lines((await h.run(['volume', 'ls', '-q', '--filter', 'dangling=true'])).stdout).includes('v1'), 'dangling=true: unused');
      t.equal((await h.run(['volume', 'ls', '--filter', 'bogus=1'])).code, 125, 'an unknown filter is an error');
      const fmt = await h.run(['volume', 'ls', '--filter', 'name=v1', '--format', '{{.Name}} {{.Driver}} {{.Labels}} {{.Mountpoint}}']);
      t.equal(fmt.stdout, `v1 local map[app:web tier:] ${dataDir('v1')}\n`, "--format: podman's fields (Labels a map)");

      const ins = await h.run(['volume', 'inspect', 'v1']);
      t.equal(ins.code, 0);
      const obj = (JSON.parse(ins.stdout) as Array<Record<string, unknown>>)[0]!;
      t.match(obj, { Name: 'v1', Driver: 'local', Mountpoint: dataDir('v1'), Labels: { app: 'web', tier: '' }, Scope: 'local', Options: {} });
      t.match(obj.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'CreatedAt, RFC 3339');
      t.equal((await h.run(['volume', 'inspect', '--format', '{{.Mountpoint}}', 'v1'])).stdout, `${dataDir('v1')}\n`, 'inspect --format');
      const missing = await h.run(['volume', 'inspect', 'nosuch']);
      t.equal(missing.code, 125, 'inspect of a missing volume fails');
      t.match(missing.stderr, /no such volume/);

      t.equal((await h.run(['volume', 'exists', 'v1'])).code, 0, 'exists: 0');
      t.equal((await h.run(['volume', 'exists', 'nosuch'])).code, 1, 'exists: 1');

      t.equal((await h.run(['create', '--name', 'user', '-v', 'v1:/v', 'busybox', 'true'])).code, 0);
      const inUse = await h.run(['volume', 'rm', 'v1']);
      t.equal(inUse.code, 2, 'in use: exit 2, as podman');
      t.match(inUse.stderr, /being used/);
      t.notOk(lines((await h.run(['volume', 'ls', '-q', '--filter', 'dangling=true'])).stdout).includes('v1'), 'dangling=true leaves out used ones');
      t.same(lines((await h.run(['volume', 'ls', '-q', '--filter', 'dangling=false'])).stdout), ['v1'], 'dangling=false: only used ones');
      const forced = await h.run(['volume', 'rm', '-f', 'v1']);
      t.same([forced.code, forced.stdout], [0, 'v1\n'], '-f removes the container first');
      t.equal((await h.run(['container', 'exists', 'user'])).code, 1, 'the container is gone');
      t.equal((await h.run(['volume', 'rm', 'nosuch'])).code, 1, 'no such volume: exit 1');

      const json = JSON.parse((await h.run(['volume', 'ls', '--format', 'json', '--filter', 'name=owned'])).stdout) as Array<Record<string, unknown>>;
      t.match(json, [{ Name: 'owned', Driver: 'local', Options: { o: 'uid=1000,gid=1000' } }], "--format json: podman's objects");

      t.equal((await h.run(['run', '--name', 'keeper', '-v', 'kept:/k', '-v', '/kanon', 'busybox', 'true'])).code, 0);
      t.equal((await h.run(['run', '--name', 'gone', '-v', '/ganon', 'busybox', 'true'])).code, 0);
      const anonymous = async () => (await volumes()).filter((v) => /^[0-9a-f]{64}$/.test(v) && v !== rnd);
      t.equal((await anonymous()).length, 2);
      t.equal((await h.run(['rm', 'gone'])).code, 0);
      const pruned = await h.run(['volume', 'prune', '-f']);
      t.equal(pruned.code, 0);
      const left = await volumes();
      t.ok(lines(pruned.stdout).includes(rnd) && lines(pruned.stdout).includes('owned'), 'prune removes unused named volumes and prints their names');
      t.ok(left.includes('kept'), 'and keeps used ones');
      t.equal((await anonymous()).length, 1, 'an unused anonymous one went, the used one stays');
      t.equal((await h.run(['rm', '-v', 'keeper'])).code, 0);
      t.equal((await h.run(['volume', 'prune', '--force'])).code, 0);
      t.same(await volumes(), [], 'all gone');
    });

    t.test('rm -v and run --rm remove anonymous volumes, never named ones', async (t) => {
      const before = await volumes();
      const made = async () => (await volumes()).filter((v) => !before.includes(v));
      t.equal((await h.run(['run', '--rm', '-v', '/a1', '-v', 'named1:/n', 'busybox', 'true'])).code, 0);
      t.same(await made(), ['named1'], 'run --rm: its anonymous volume went');
      t.equal((await h.run(['run', '-d', '--rm', '-v', '/a2', 'busybox', 'true'])).code, 0);
      // The monitor's cleanup removes a detached --rm container.
      let left: string[] = [];
      for (let i = 0; i < 100; i++) {
        left = await made();
        if (left.length === 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      t.same(left, ['named1'], 'run -d --rm: after it exited too');
      t.equal((await h.run(['create', '--name', 'rmv', '-v', '/a3', '-v', 'named1:/n', 'busybox', 'true'])).code, 0);
      t.equal((await made()).length, 2);
      const r = await h.run(['rm', '-v', 'rmv']);
      t.same([r.code, r.stdout], [0, 'rmv\n']);
      t.same(await made(), ['named1'], 'rm -v: anonymous gone, named kept');
      await h.run(['volume', 'rm', 'named1']);
    });

    t.test('owners: root in the container is the invoking user, uid 1000 its mapped id', async (t) => {
      const r = await run('-v', 'own:/o', 'busybox', 'sh', '-c', 'touch /o/by-root; touch /o/by-1000 && chown 1000:1000 /o/by-1000; mkdir /o/open && chmod 1777 /o/open');
      t.equal(r.code, 0, r.stderr);
      const asUser = await run('-u', '1000', '-v', 'own:/o', 'busybox', 'touch', '/o/open/made-by-1000');
      t.equal(asUser.code, 0, asUser.stderr);
      const st = (f: string) => {
        const s = fs.statSync(path.join(dataDir('own'), f));
        return [s.uid, s.gid];
      };
      t.same(st('by-root'), [h.uid, h.gid], `a file made by root in the container belongs to ${mode === 'root' ? 'root' : 'the invoking user (husktest)'}`);
      t.same(st('by-1000'), [hostUid(1000), hostGid(1000)], `a file chowned to 1000 belongs to ${hostUid(1000)}:${hostGid(1000)} on the host`);
      t.same(st('open/made-by-1000'), [hostUid(1000), hostGid(1000)], 'a file made by uid 1000 too');
      await h.run(['volume', 'rm', 'own']);
    });

    t.test(':U chowns a host directory to the container user', async (t) => {
      const dir = hostDir(h, 'for-u');
      const denied = await run('-u', '1000', '-v', `${dir}:/w`, 'busybox', 'touch', '/w/f');
      t.not(denied.code, 0, 'without U, uid 1000 cannot write');
      t.match(denied.stderr, /Permission denied/);
      const ok = await run('-u', '1000', '-v', `${dir}:/w:U`, 'busybox', 'sh', '-c', 'touch /w/f && stat -c %u:%g /w');
      t.same([ok.code, ok.stdout], [0, '1000:1000\n'], 'with U it can, and owns the directory');
      const st = fs.statSync(dir);
      t.same([st.uid, st.gid], [hostUid(1000), hostGid(1000)], 'on the host: the mapped id');
      t.equal(fs.statSync(path.join(dir, 'f')).uid, hostUid(1000));
      const vol = await run('-u', '1000', '-v', 'uvol:/u:U', 'busybox', 'touch', '/u/f');
      t.equal(vol.code, 0, 'U works on volumes too');
      await h.run(['volume', 'rm', 'uvol']);
    });

    t.test('security: a -v destination through an absolute symlink in the image lands inside the rootfs', async (t) => {
      const escape = `/tmp/husk-vol-escape-${unique()}`;
      await importImage(h, 'hostile-link:latest', (stage) => {
        fs.symlinkSync(escape, path.join(stage, 'danger'));
        fs.symlinkSync('/etc', path.join(stage, 'etclink'));
        fs.symlinkSync(`../../../../../../..${escape}-rel`, path.join(stage, 'up'));
      });
      t.teardown(() => {
        for (const p of [escape, `${escape}-rel`]) fs.rmSync(p, { recursive: true, force: true });
      });
      const dir = hostDir(h, 'hostile-src');
      fs.writeFileSync(path.join(dir, 'marker'), 'inside\n');
      const r = await run('-v', `${dir}:/danger/inner`, 'hostile-link', 'cat', `${escape}/inner/marker`);
      t.same([r.code, r.stdout], [0, 'inside\n'], 'mounted at the symlink\'s target inside the container');
      t.notOk(fs.existsSync(escape), `nothing was made at ${escape} on the host`);
      const rel = await run('-v', `${dir}:/up/inner`, 'hostile-link', 'cat', `${escape}-rel/inner/marker`);
      t.same([rel.code, rel.stdout], [0, 'inside\n'], 'a relative symlink climbing out stops at the container\'s root');
      t.notOk(fs.existsSync(`${escape}-rel`), 'nothing made on the host for it either');
      const etc = await run('-v', `${dir}:/etclink`, 'hostile-link', 'cat', '/etc/marker');
      t.same([etc.code, etc.stdout], [0, 'inside\n'], '/etclink -> /etc covers the container\'s /etc');
      t.notOk(fs.existsSync('/etc/marker'), 'never the host\'s /etc');
      const vol = await run('-v', 'linkvol:/danger', 'hostile-link', 'sh', '-c', `touch ${escape}/via-volume`);
      t.equal(vol.code, 0, 'a volume at the symlink works the same way');
      t.ok(fs.existsSync(path.join(dataDir('linkvol'), 'via-volume')), 'and writes land in the volume');
      t.notOk(fs.existsSync(escape));
      await h.run(['volume', 'rm', 'linkvol']);
    });

    t.test('security: a volume whose _data was replaced by a symlink is refused at mount time', async (t) => {
      t.equal((await h.run(['volume', 'create', 'swapped'])).code, 0);
      const target = hostDir(h, 'swap-target');
      fs.writeFileSync(path.join(target, 'host-secret'), 'secret\n');
      fs.rmSync(dataDir('swapped'), { recursive: true });
      fs.symlinkSync(target, dataDir('swapped'));
      const before = (await h.containerIds()).length;
      const r = await run('-v', 'swapped:/v', 'busybox', 'sh', '-c', 'cat /v/host-secret; touch /v/written');
      t.equal(r.code, 125, 'refused');
      t.match(r.stderr, /swapped.*symbolic link.*refusing/);
      t.equal(lines(r.stderr).length, 1, 'one line');
      t.equal(r.stdout, '', 'the container never ran');
      t.notOk(fs.existsSync(path.join(target, 'written')), 'nothing written to the target');
      t.equal((await h.containerIds()).length, before, 'no container left behind');
      fs.rmSync(dataDir('swapped'));
      fs.mkdirSync(dataDir('swapped'), { mode: 0o755 });
      if (h.user) fs.chownSync(dataDir('swapped'), h.uid, h.gid);
      t.equal((await run('-v', 'swapped:/v', 'busybox', 'true')).code, 0, 'a plain directory again: mounted');
      await h.run(['volume', 'rm', 'swapped']);
    });

    t.test('security: copy-up never follows symlinks in the image', async (t) => {
      const secretDir = `/tmp/husk-vol-secret-${unique()}`;
      fs.mkdirSync(secretDir, { mode: 0o755 });
      fs.writeFileSync(path.join(secretDir, 'secret'), 'HOST SECRET\n', { mode: 0o644 });
      t.teardown(() => fs.rmSync(secretDir, { recursive: true, force: true }));
      await importImage(h, 'hostile-copy:latest', (stage) => {
        fs.mkdirSync(path.join(stage, 'app'));
        fs.writeFileSync(path.join(stage, 'app', 'real'), 'image content\n');
        fs.symlinkSync(path.join(secretDir, 'secret'), path.join(stage, 'app', 'file-link'));
        fs.symlinkSync(secretDir, path.join(stage, 'app', 'dir-link'));
        fs.symlinkSync(secretDir, path.join(stage, 'appdir'));
      });
      const r = await run('-v', 'cu1:/app', 'hostile-copy', 'cat', '/app/real');
      t.same([r.code, r.stdout], [0, 'image content\n'], 'the image content was copied');
      const data = dataDir('cu1');
      t.ok(fs.lstatSync(path.join(data, 'file-link')).isSymbolicLink(), 'a symlink to a file is copied as a symlink');
      t.equal(fs.readlinkSync(path.join(data, 'file-link')), path.join(secretDir, 'secret'), 'with its target as it was');
      t.ok(fs.lstatSync(path.join(data, 'dir-link')).isSymbolicLink(), 'a symlink to a directory too');
      const regular = filesUnder(data).filter((f) => fs.lstatSync(path.join(data, f)).isFile());
      t.same(regular, ['real'], 'the only file copied is the image\'s own');
      t.notOk(regular.some((f) => fs.readFileSync(path.join(data, f), 'utf8').includes('HOST SECRET')), 'no host content in the volume');
      const viaLink = await run('-v', 'cu2:/appdir', 'hostile-copy', 'ls', '-A', '/appdir');
      t.same([viaLink.code, viaLink.stdout], [0, ''], 'a volume path that is a symlink out of the image resolves inside it: nothing to copy');
      t.same(fs.readdirSync(dataDir('cu2')), [], 'the volume stayed empty');
      t.same(fs.readdirSync(secretDir), ['secret'], 'and the host directory was not touched');
      await h.run(['volume', 'rm', 'cu1', 'cu2']);
    });

    t.test('bad specs exit 125 with one line, and nothing is created', async (t) => {
      const before = h.listStore();
      const ids = await h.containerIds();
      const bad: string[][] = [
        ['-v', '/no/such/dir:/x'],
        ['-v', ':/x'],
        ['-v', 'vol:'],
        ['-v', 'vol:relative'],
        ['-v', 'vol:/x:bogus'],
        ['-v', 'vol:/x:ro,rw'],
        ['-v', 'a:/b:ro:extra'],
        ['-v', 'bad$name:/x'],
        ['-v', 'vol:/'],
        ['-v', 'v1:/same', '-v', 'v2:/same'],
        ['--mount', 'type=bind,destination=/x'],
        ['--mount', 'type=bind,source=/no/such/dir,destination=/x'],
        ['--mount', 'type=volume,source=v'],
        ['--mount', 'type=nfs,destination=/x'],
        ['--mount', 'type=tmpfs,source=x,destination=/x'],
        ['--mount', 'type=volume,destination=/x,tmpfs-size=1m'],
        ['--mount', 'type=volume,destination=/x,unknown=1'],
        ['--mount', 'type=volume,src=v,destination=/x,volume-opt=type=ext4'],
        ['--tmpfs', 'relative'],
        ['--tmpfs', '/x:size=big'],
        ['--tmpfs', '/x:bogus'],
        ['--volumes-from', 'nosuch'],
        ['--volumes-from', 'x:bogus'],
        // Not a raw "File name too long" from deep down, but the name's limit.
        ['-v', `${'a'.repeat(300)}:/x`],
        ['--mount', `type=volume,source=${'a'.repeat(300)},destination=/x`],
        // Not a failure to start later, about an exec FIFO under /proc/self/fd.
        ['-v', '/tmp:/proc'],
        ['-v', 'vol:/proc/self'],
        ['--tmpfs', '/proc/1'],
      ];
      for (const args of bad) {
        const r = await h.run(['run', '--rm', ...args, 'busybox', 'true']);
        t.equal(r.code, 125, `${args.join(' ')}: exit 125`);
        t.equal(lines(r.stderr).length, 1, `${args.join(' ')}: one line (${r.stderr.trim()})`);
      }
      const missing = await h.run(['run', '--rm', '-v', '/no/such/dir:/x', 'busybox', 'true']);
      t.match(missing.stderr, /no such file or directory/, 'a missing host path is named as podman does');
      t.same(h.listStore(), before, 'nothing written to the store');
      t.same(await h.containerIds(), ids, 'no container made');
      const long = await h.run(['run', '--rm', '-v', `${'a'.repeat(300)}:/x`, 'busybox', 'true']);
      t.match(long.stderr, /is not a volume name \(it has 300 characters, at most 255 are allowed\)/, 'a 300-character volume name: its limit, not "File name too long"');
      t.notMatch(long.stderr, /too long/i);
      const created = await h.run(['volume', 'create', 'b'.repeat(256)]);
      t.same([created.code, lines(created.stderr).length], [125, 1], 'volume create of a 256-character name: 125, one line');
      t.match(created.stderr, /invalid volume name "b+…": it has 256 characters, at most 255 are allowed/);
      t.equal((await h.run(['volume', 'create', 'c'.repeat(255)])).code, 0, '255 characters are fine');
      t.equal((await h.run(['volume', 'rm', 'c'.repeat(255)])).code, 0);
      const proc = await h.run(['run', '--rm', '-v', '/tmp:/proc', 'busybox', 'true']);
      t.match(proc.stderr, /^Error: \/proc: nothing can be mounted over \/proc or the process directories in it/, '-v over /proc: said so');
    });
  });
}
