// husk save and husk load: docker-archive and oci-archive, to and from files
// and pipes; archives that skopeo reads and writes; tampered, incomplete and
// hostile archives refused (or read safely) without touching the store.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import t from 'tap';
import { lines, modes, newHusk, type Husk } from '../helpers/husk.js';
import { readTar, writeTar } from '../helpers/files.js';


const skopeo = spawnSync('skopeo', ['--version'], { stdio: 'ignore' }).status === 0;
const noSkopeo = skopeo ? false : 'skopeo is not installed';

function skopeoRun(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('skopeo', args, { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** A path for an archive in the instance's files dir (husk's user can write there). */
const file = (h: Husk, name: string) => path.join(h.dir, 'files', name);

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox(['CMD ["sh"]'], 'busybox:latest');
    const inspect = async (name: string) => (JSON.parse((await h.run(['image', 'inspect', name])).stdout) as Array<{ Id: string; Digest: string }>)[0]!;
    const original = await inspect('busybox');
    const config = JSON.parse((await h.run(['image', 'inspect', 'busybox'])).stdout)[0] as { RootFS: { Layers: string[] } };
    const diffIds = config.RootFS.Layers;
    const docker = file(h, 'bb-docker.tar');
    const oci = file(h, 'bb-oci.tar');

    await t.test('save writes docker-archive and oci-archive files', async (t) => {
      const d = await h.run(['save', '-o', docker, 'busybox']);
      t.same([d.code, d.stdout, d.stderr], [0, '', ''], 'docker-archive, silently');
      const entries = await readTar(docker);
      const manifest = JSON.parse(entries.find((e) => e.name === 'manifest.json')!.data.toString()) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
      t.same(manifest, [{ Config: `${original.Id.slice(7)}.json`, RepoTags: ['localhost/busybox:latest'], Layers: diffIds.map((d) => `${d.slice(7)}/layer.tar`) }]);
      t.ok(entries.some((e) => e.name === 'repositories'), 'repositories');
      t.same(fs.readdirSync(path.dirname(docker)).filter((f) => f.includes('.tmp')), [], 'no temp file left');

      const o = await h.run(['save', '--format', 'oci-archive', '-o', oci, 'busybox']);
      t.equal(o.code, 0, o.stderr);
      const names = (await readTar(oci)).map((e) => e.name);
      t.ok(names.includes('oci-layout') && names.includes('index.json'), 'an OCI layout');
      for (const d of diffIds) t.ok(names.includes(`blobs/sha256/${d.slice(7)}`), 'the layer under its diff id');
    });

    await t.test('save refusals', async (t) => {
      const tty = await h.runTty(['save', 'busybox']);
      t.equal(tty.code, 125, 'stdout a terminal');
      t.match(tty.stdout, /refusing to save to a terminal/);
      const missing = await h.run(['save', '-o', file(h, 'none.tar'), 'nosuchimage']);
      t.equal(missing.code, 125);
      t.match(missing.stderr, /nosuchimage: image not known/);
      t.notOk(fs.existsSync(file(h, 'none.tar')), 'no file written');
      const fmt = await h.run(['save', '--format', 'zip', '-o', file(h, 'none.tar'), 'busybox']);
      t.equal(fmt.code, 125);
      t.match(fmt.stderr, /format value must be one of docker-archive oci-archive oci-dir docker-dir/);
    });

    await t.test('skopeo reads both archives', { skip: noSkopeo }, async (t) => {
      for (const ref of [`docker-archive:${docker}`, `oci-archive:${oci}`]) {
        const r = skopeoRun(['inspect', ref]);
        t.equal(r.code, 0, `${ref}: ${r.stderr}`);
        t.same(JSON.parse(r.stdout).Layers, diffIds, `${ref.split(':')[0]}: the layer digests`);
      }
    });

    await t.test('load from a file and from stdin, in both formats; the image runs', async (t) => {
      for (const [what, archive] of [['docker-archive', docker], ['oci-archive', oci]] as const) {
        t.equal((await h.run(['rmi', 'busybox'])).code, 0);
        const fromFile = await h.run(['load', '-i', archive]);
        t.same([fromFile.code, fromFile.stdout], [0, 'Loaded image: localhost/busybox:latest\n'], `${what} from a file: ${fromFile.stderr}`);
        const back = await inspect('busybox');
        t.same([back.Id, back.Digest], [original.Id, original.Digest], 'the same image ID and manifest digest');
        t.equal((await h.run(['rmi', 'busybox'])).code, 0);
        const fromStdin = await h.run(['load'], { input: fs.readFileSync(archive) });
        t.same([fromStdin.code, fromStdin.stdout], [0, 'Loaded image: localhost/busybox:latest\n'], `${what} from stdin: ${fromStdin.stderr}`);
        const run = await h.run(['run', '--rm', 'busybox', 'echo', 'ok']);
        t.same([run.code, run.stdout], [0, 'ok\n'], `${what}: runs`);
      }
      const q = await h.run(['load', '-q', '-i', docker]);
      t.same([q.code, q.stdout], [0, 'Loaded image: localhost/busybox:latest\n'], '-q, and loading an image already there');
    });

    await t.test('save to stdout, gzip-compressed load', async (t) => {
      const r = await h.run(['save', 'busybox']);
      t.equal(r.code, 0);
      const piped = await new Promise<Buffer>((resolve, reject) => {
        const child = h.spawn(['save', '--format', 'oci-archive', 'busybox']);
        const out: Buffer[] = [];
        child.stdout!.on('data', (b: Buffer) => out.push(b));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`save exited ${code}`))));
      });
      const gz = h.writeFile('bb.tar.gz', zlib.gzipSync(piped));
      t.equal((await h.run(['rmi', 'busybox'])).code, 0);
      const l = await h.run(['load', '-i', gz]);
      t.same([l.code, l.stdout], [0, 'Loaded image: localhost/busybox:latest\n'], `gzip: ${l.stderr}`);
    });

    await t.test('several images in one archive', async (t) => {
      await h.importBusybox(['CMD ["echo", "second"]'], 'second:latest');
      t.equal((await h.run(['tag', 'busybox', 'example.com/team/bb:2'])).code, 0);
      const both = file(h, 'both.tar');
      t.equal((await h.run(['save', '-o', both, 'busybox', 'second', 'example.com/team/bb:2'])).code, 0);
      const manifest = JSON.parse((await readTar(both)).find((e) => e.name === 'manifest.json')!.data.toString()) as Array<{ RepoTags: string[] }>;
      t.same(manifest.map((m) => m.RepoTags), [['localhost/busybox:latest', 'example.com/team/bb:2'], ['localhost/second:latest']]);
      t.equal((await h.run(['rmi', 'busybox', 'example.com/team/bb:2', 'second'])).code, 0);
      const l = await h.run(['load', '-i', both]);
      t.equal(l.code, 0, l.stderr);
      t.same(lines(l.stdout).sort(), ['Loaded image: example.com/team/bb:2', 'Loaded image: localhost/busybox:latest', 'Loaded image: localhost/second:latest']);
      const run = await h.run(['run', '--rm', 'second']);
      t.equal(run.stdout, 'second\n');
      t.equal((await h.run(['rmi', 'second', 'example.com/team/bb:2'])).code, 0);
    });

    await t.test('skopeo-written archives load', { skip: noSkopeo }, async (t) => {
      const other = file(h, 'skopeo-oci.tar');
      const c = skopeoRun(['copy', '-q', `docker-archive:${docker}`, `oci-archive:${other}:example.com/sk/bb:1`]);
      t.equal(c.code, 0, c.stderr);
      if (h.user) fs.chownSync(other, h.uid, h.gid);
      const l = await h.run(['load', '-i', other]);
      t.same([l.code, l.stdout], [0, 'Loaded image: example.com/sk/bb:1\n'], l.stderr);
      const untagged = file(h, 'skopeo-noname.tar');
      t.equal(skopeoRun(['copy', '-q', `docker-archive:${docker}`, `oci-archive:${untagged}`]).code, 0);
      if (h.user) fs.chownSync(untagged, h.uid, h.gid);
      const u = await h.run(['load', '-i', untagged]);
      t.equal(u.code, 0, u.stderr);
      // Not always original.Id: skopeo re-encodes the config (Go writes "…:22.6Z" where husk wrote "…:22.600Z").
      const id = /^Loaded image ID: (sha256:[0-9a-f]{64})\n$/.exec(u.stdout)?.[1];
      t.ok(id, `no name: the ID (${u.stdout.trim()})`);
      t.equal((await h.run(['image', 'exists', id!])).code, 0, 'stored, found by its ID');
      const run = await h.run(['run', '--rm', 'example.com/sk/bb:1', 'echo', 'ok']);
      t.equal(run.stdout, 'ok\n');
      t.equal((await h.run(['rmi', 'example.com/sk/bb:1'])).code, 0);
    });

    await t.test('tampered, incomplete and hostile archives', async (t) => {
      const entries = await readTar(docker);
      const layerName = `${diffIds[0]!.slice(7)}/layer.tar`;
      const before = (await h.run(['images', '--format', '{{.Repository}} {{.Tag}} {{.ID}}'])).stdout;
      const storeBefore = h.listStore().filter((p) => !p.startsWith('run/'));
      const refused = async (name: string, archive: Buffer, why: RegExp) => {
        const r = await h.run(['load', '-i', h.writeFile(name, archive)]);
        t.equal(r.code, 125, `${name}: exit 125`);
        t.match(r.stderr, why, `${name}: says why`);
        t.equal((await h.run(['images', '--format', '{{.Repository}} {{.Tag}} {{.ID}}'])).stdout, before, `${name}: images unchanged`);
        t.same(h.listStore().filter((p) => !p.startsWith('run/')), storeBefore, `${name}: nothing left in the store`);
      };

      const tampered = entries.map((e) => {
        if (e.name !== layerName) return e;
        const data = Buffer.from(e.data);
        data[600] = data[600]! ^ 1;
        return { ...e, data };
      });
      await refused('tampered.tar', await writeTar(tampered), /layer .* has diff id sha256:[0-9a-f]{64}, the image config says/);

      const noLayer = entries.filter((e) => e.name !== layerName);
      await refused('no-layer.tar', await writeTar(noLayer), /layer .*layer\.tar named in manifest\.json is missing/);

      const configName = `${original.Id.slice(7)}.json`;
      const badConfig = entries.map((e) => (e.name === configName ? { ...e, data: Buffer.from(e.data.toString().replace('"sh"', '"ash"')) } : e));
      await refused('bad-config.tar', await writeTar(badConfig), /image config .* does not match its digest/);

      await refused('not-an-archive.tar', Buffer.from('hello, not a tar at all\n'.repeat(40)), /reading the archive|not an image archive/);
      await refused('empty-archive.tar', await writeTar([{ name: 'README', data: Buffer.from('hi') }]), /not an image archive/);

      // Entries that name places outside the archive are read into husk's own temp files, never written there.
      const escape = path.join(h.dir, 'escaped');
      const absolute = path.join(h.dir, 'absolute');
      const hostile = [
        { name: `../${path.basename(escape)}`, data: Buffer.from('x') },
        { name: `../../../../../../..${escape}`, data: Buffer.from('x') },
        { name: absolute, data: Buffer.from('x') },
        ...entries,
      ];
      t.equal((await h.run(['rmi', 'busybox'])).code, 0);
      const l = await h.run(['load', '-i', h.writeFile('hostile.tar', await writeTar(hostile))]);
      t.same([l.code, l.stdout], [0, 'Loaded image: localhost/busybox:latest\n'], `hostile names are ignored: ${l.stderr}`);
      t.notOk(fs.existsSync(escape), 'nothing written through ../');
      t.notOk(fs.existsSync(absolute), 'nothing written at an absolute path');
      t.notOk(fs.existsSync(path.join(h.dir, 'files', '..', 'escaped')));
      t.same(fs.readdirSync(h.root).filter((f) => f.startsWith('.load-')), [], 'no temp dir left');

      // A manifest pointing outside the archive finds nothing there.
      const outside = entries.map((e) => {
        if (e.name !== 'manifest.json') return e;
        const m = JSON.parse(e.data.toString()) as Array<{ Layers: string[] }>;
        m[0]!.Layers = ['../../../../etc/passwd'];
        return { ...e, data: Buffer.from(JSON.stringify(m)) };
      });
      const r = await h.run(['load', '-i', h.writeFile('outside.tar', await writeTar(outside))]);
      t.equal(r.code, 125);
      t.match(r.stderr, /layer \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd named in manifest\.json is missing/);
    });

    await t.test('a garbage manifest.json is refused in one clean line, without its raw bytes', async (t) => {
      const garbage = await writeTar([{ name: 'manifest.json', data: Buffer.concat([Buffer.alloc(100), Buffer.from('\n\u001b[31mred\n')]) }]);
      const r = await h.run(['load', '-i', h.writeFile('garbage.tar', garbage)]);
      t.equal(r.code, 125);
      t.equal(lines(r.stderr).length, 1, `one line: ${JSON.stringify(r.stderr)}`);
      t.match(r.stderr, /^Error: invalid archive: manifest\.json is not valid JSON/);
      t.notOk(/[\u0000-\u0008\u000b-\u001f]/.test(r.stderr), 'no NUL bytes or escape sequences echoed');
    });

    await t.test('image configs with wrong JSON types are refused at load, and nothing is stored', async (t) => {
      const before = (await h.run(['images', '--format', '{{.Repository}} {{.Tag}} {{.ID}}'])).stdout;
      const storeBefore = h.listStore().filter((p) => !p.startsWith('run/'));
      const refused = async (name: string, archive: Buffer, why: RegExp) => {
        const r = await h.run(['load', '-i', h.writeFile(name, archive)]);
        t.equal(r.code, 125, `${name}: exit 125`);
        t.equal(lines(r.stderr).length, 1, `${name}: one line`);
        t.match(r.stderr, why, `${name}: names the field`);
        t.equal((await h.run(['images', '--format', '{{.Repository}} {{.Tag}} {{.ID}}'])).stdout, before, `${name}: images unchanged`);
        t.same(h.listStore().filter((p) => !p.startsWith('run/')), storeBefore, `${name}: nothing left in the store`);
      };
      const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
      const retyped = (data: Buffer, runtime: Record<string, unknown>) => {
        const c = JSON.parse(data.toString()) as { config: Record<string, unknown> };
        c.config = { ...c.config, ...runtime };
        return Buffer.from(JSON.stringify(c));
      };

      // docker-archive: the config renamed after its new digest, manifest.json pointing at it.
      const dockerEntries = await readTar(docker);
      const configName = dockerEntries.find((e) => /^[0-9a-f]{64}\.json$/.test(e.name))!.name;
      const badConfig = retyped(dockerEntries.find((e) => e.name === configName)!.data, { Env: 'x' });
      const badDocker = dockerEntries.map((e) => {
        if (e.name === configName) return { ...e, name: `${sha(badConfig)}.json`, data: badConfig };
        if (e.name === 'manifest.json') return { ...e, data: Buffer.from(e.data.toString().replace(configName, `${sha(badConfig)}.json`)) };
        return e;
      });
      await refused('env-string.tar', await writeTar(badDocker), /invalid archive: image config .*: config\.Env must be an array/);

      // oci-archive: config, manifest and index.json rewritten to new digests.
      const ociEntries = await readTar(oci);
      const blob = (digest: string) => ociEntries.find((e) => e.name === `blobs/sha256/${digest.slice(7)}`)!.data;
      const index = JSON.parse(ociEntries.find((e) => e.name === 'index.json')!.data.toString()) as { manifests: Array<{ digest: string; size: number }> };
      const manifest = JSON.parse(blob(index.manifests[0]!.digest).toString()) as { config: { digest: string; size: number } };
      const cmdConfig = retyped(blob(manifest.config.digest), { Cmd: 5 });
      const newManifest = Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, digest: `sha256:${sha(cmdConfig)}`, size: cmdConfig.length } }));
      const newIndex = { ...index, manifests: index.manifests.map((m) => ({ ...m, digest: `sha256:${sha(newManifest)}`, size: newManifest.length })) };
      const badOci = [
        ...ociEntries.filter((e) => e.name !== 'index.json'),
        { name: `blobs/sha256/${sha(cmdConfig)}`, data: cmdConfig },
        { name: `blobs/sha256/${sha(newManifest)}`, data: newManifest },
        { name: 'index.json', data: Buffer.from(JSON.stringify(newIndex)) },
      ];
      await refused('cmd-number.tar', await writeTar(badOci), /invalid archive: image config .*: config\.Cmd must be an array or null/);
    });
  });
}
