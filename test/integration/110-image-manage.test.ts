// Managing local images as docker and podman users do: tag, untag, rmi
// (refused while a container uses the image, -f removes those containers),
// image exists, image inspect, history; layers shared by two images are
// stored once and kept until the last image using them goes.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { lines, modes, newHusk } from '../helpers/husk.js';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox(['CMD ["sh"]'], 'busybox:latest');
    const layersDir = path.join(h.root, 'layers');
    const layers = () => fs.readdirSync(layersDir).filter((f) => !f.startsWith('.'));

    await t.test('tag gives more names to one image; untag takes them away', async (t) => {
      t.equal((await h.run(['tag', 'busybox', 'mybb:1', 'example.com/team/bb:2'])).code, 0);
      const images = await h.run(['images']);
      t.match(images.stdout, /localhost\/mybb\s+1\s/);
      t.match(images.stdout, /example\.com\/team\/bb\s+2\s/);
      const ids = new Set(lines(images.stdout).slice(1).map((l) => l.split(/\s+/)[2]));
      t.equal(ids.size, 1, 'all names show the same image id');
      t.equal((await h.run(['untag', 'busybox', 'mybb:1'])).code, 0);
      t.notMatch((await h.run(['images'])).stdout, /mybb/, 'the name is gone');
      t.equal((await h.run(['image', 'exists', 'example.com/team/bb:2'])).code, 0, 'the other names stay');
      const bad = await h.run(['tag', 'busybox', 'Bad Name']);
      t.equal(bad.code, 125, 'an invalid name is refused');
      t.match(bad.stderr, /invalid reference format/);
    });

    await t.test('image exists', async (t) => {
      t.equal((await h.run(['image', 'exists', 'busybox'])).code, 0);
      const no = await h.run(['image', 'exists', 'nosuchimage']);
      t.same([no.code, no.stdout, no.stderr], [1, '', ''], 'exit 1 and nothing printed');
    });

    await t.test('image inspect and history', async (t) => {
      const r = await h.run(['image', 'inspect', 'busybox']);
      t.equal(r.code, 0);
      const [info] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
      t.match(info, { Id: /^sha256:[0-9a-f]{64}$/, Os: 'linux', Config: { Cmd: ['sh'] }, RootFS: { Type: 'layers' } });
      t.ok((info!.RepoTags as string[]).includes('localhost/busybox:latest'), 'RepoTags');
      const hist = await h.run(['history', 'busybox']);
      t.equal(hist.code, 0);
      t.match(hist.stdout, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n[0-9a-f]{12}\s.*husk import/);
      const missing = await h.run(['image', 'inspect', 'nosuchimage']);
      t.equal(missing.code, 125);
      t.match(missing.stderr, /nosuchimage: image not known/);
    });

    await t.test('a wrong digest on a name is not ignored: busybox@sha256:WRONG does not run busybox:latest', async (t) => {
      const digest = (await h.run(['image', 'inspect', '--format', '{{.Digest}}', 'busybox'])).stdout.trim();
      t.match(digest, /^sha256:[0-9a-f]{64}$/);
      const wrong = `sha256:${(digest.slice(7, 8) === '0' ? '1' : '0').repeat(64)}`;
      for (const name of [`busybox@${wrong}`, `busybox:latest@${wrong}`, `localhost/busybox@${wrong}`]) {
        const r = await h.run(['run', '--rm', name, 'echo', 'ran']);
        t.equal(r.code, 125, `${name} is refused`);
        t.equal(r.stdout, '', 'nothing ran');
        // Not found here; a short name may then be pulled (registries.conf), which fails too.
        t.match(r.stderr, /image not known|Trying to pull/);
        t.equal((await h.run(['image', 'exists', name])).code, 1, `${name} does not exist`);
      }
      t.equal((await h.containerIds()).length, 0, 'no container was made');
      for (const name of [`busybox@${digest}`, `localhost/busybox@${digest}`]) {
        const r = await h.run(['run', '--rm', name, 'echo', 'ran']);
        t.same([r.code, r.stdout], [0, 'ran\n'], `${name}: the right digest names the image`);
      }
      const other = await h.run(['run', '--rm', `nosuchname@${digest}`, 'true']);
      t.equal(other.code, 125, 'the digest of an image under another name names nothing');
    });

    await t.test('system df', async (t) => {
      const d = await h.run(['run', '-d', '--name', 'writer', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1k count=300 2>/dev/null; sleep 600']);
      t.equal(d.code, 0);
      // podman's JSON: sizes as text (Size, Reclaimable) and in bytes (RawSize, RawReclaimable).
      let rows: Array<{ Type: string; Total: number; Active: number; RawSize: number; RawReclaimable: number; Reclaimable: string }> = [];
      for (let i = 0; i < 50; i++) {
        rows = JSON.parse((await h.run(['system', 'df', '--format', 'json'])).stdout);
        if ((rows[1]?.RawSize ?? 0) >= 300 * 1024) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      t.match(rows[0], { Type: 'Images', Total: 1, Active: 1, RawReclaimable: 0, Reclaimable: '0B (0%)' }, 'the image is in use');
      t.ok(rows[0]!.RawSize > 1_000_000, 'images take the layer size');
      t.match(rows[1], { Type: 'Containers', Total: 1, Active: 1 });
      t.ok(rows[1]!.RawSize >= 300 * 1024, 'the container counts what it wrote');
      const text = await h.run(['system', 'df']);
      t.match(text.stdout, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\nImages\s+1\s+1\s/);
      t.equal((await h.run(['rm', '-f', 'writer'])).code, 0);
    });

    await t.test('two images with the same layer store it once; rmi keeps it for the other', async (t) => {
      await h.importBusybox(['CMD ["echo", "second"]'], 'second:latest');
      t.equal(layers().length, 1, 'one layer directory for both images');
      const r = await h.run(['rmi', 'second']);
      t.equal(r.code, 0);
      t.match(r.stdout, /^Untagged: localhost\/second:latest\nDeleted: sha256:[0-9a-f]{64}\n$/);
      t.equal(layers().length, 1, 'the shared layer stays');
      const run = await h.run(['run', '--rm', 'busybox', 'echo', 'still runs']);
      t.equal(run.stdout, 'still runs\n');
    });

    await t.test('rmi of an image in use is refused; -f removes its containers too', async (t) => {
      const d = await h.run(['run', '-d', '--name', 'user', 'busybox', 'sleep', '600']);
      t.equal(d.code, 0);
      const refused = await h.run(['rmi', 'example.com/team/bb:2', 'busybox']);
      t.equal(refused.code, 2, 'in use: 2, as podman exits');
      t.match(refused.stdout, /Untagged: example\.com\/team\/bb:2/, 'a name the image has besides others is just untagged');
      t.match(refused.stderr, /^Error: image used by [0-9a-f]{64}: image is in use by a container/, "podman's words");
      t.equal(lines(refused.stderr).length, 1, 'one line for the refusal');
      const forced = await h.run(['rmi', '-f', 'busybox']);
      t.equal(forced.code, 0, forced.stderr);
      t.same(await h.containerIds(), [], 'the container went with it');
      t.equal(layers().length, 0, 'and so did the last layer');
      t.equal((await h.run(['images', '-q'])).stdout, '', 'no image left');
    });

    await t.test('images: --filter, --digests, --format; image prune', async (t) => {
      await h.importBusybox(['LABEL app=web'], 'web:1');
      await h.importBusybox(['CMD ["sh"]'], 'plain:1');
      t.equal((await h.run(['tag', 'plain:1', 'plain:2'])).code, 0);
      const byLabel = await h.run(['images', '--filter', 'label=app=web', '--format', '{{.Repository}}:{{.Tag}}']);
      t.equal(byLabel.stdout, 'localhost/web:1\n', 'label filter');
      const byRef = await h.run(['images', '--filter', 'reference=plain', '--format', '{{.Repository}}:{{.Tag}}']);
      t.same(lines(byRef.stdout).sort(), ['localhost/plain:1', 'localhost/plain:2'], 'reference filter, one row per name');
      const full = await h.run(['images', '--no-trunc', '--format', '{{.ID}}']);
      t.match(full.stdout, /^sha256:[0-9a-f]{64}\n/, '--no-trunc shows whole ids');
      const digests = await h.run(['images', '--digests']);
      t.match(digests.stdout, /^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID/);
      t.match(digests.stdout, /sha256:[0-9a-f]{64}/);
      const table = await h.run(['images', '--format', 'table {{.Repository}}\t{{.Tag}}']);
      t.match(table.stdout, /^REPOSITORY\s+TAG\n/, 'table prefix adds the header');
      const json = JSON.parse((await h.run(['images', '--format', 'json'])).stdout) as Array<{ Repository: string }>;
      t.equal(json.length, 3);
      const bad = await h.run(['images', '--filter', 'bogus=1']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /invalid filter "bogus=1"/);
      t.equal((await h.run(['untag', 'web:1'])).code, 0);
      const dangling = await h.run(['images', '--filter', 'dangling=true', '-q']);
      t.equal(lines(dangling.stdout).length, 1, 'the untagged image is dangling');
      const prune = await h.run(['image', 'prune']);
      t.equal(prune.code, 0);
      t.match(prune.stdout, /^[0-9a-f]{64}\n$/, 'prune removes only the dangling one');
      t.equal(lines((await h.run(['images', '-q'])).stdout).length, 1, 'plain is left');
      const all = await h.run(['image', 'prune', '-a']);
      t.equal(all.code, 0);
      t.equal((await h.run(['images', '-q'])).stdout, '', 'prune -a removes images no container uses');
      t.equal(layers().length, 0);
    });

    await t.test('build without a Dockerfile: one line naming what is missing, nothing made', async (t) => {
      const before = (await h.run(['images', '-a', '-q'])).stdout;
      for (const args of [['build', '.'], ['image', 'build', '-t', 'x:1', '-f', 'Dockerfile', '--build-arg', 'A=1', '.'], ['buildx', 'build']]) {
        const r = await h.run(args);
        t.equal(r.code, 125, `${args.join(' ')}: exit 125`);
        t.equal(lines(r.stderr).length, 1, 'one line');
        t.match(r.stderr, /^Error: (no Dockerfile or Containerfile in .*: give one with -f|the Dockerfile Dockerfile: no such file)$/m, `${args.join(' ')}: says so`);
      }
      t.equal((await h.run(['images', '-a', '-q'])).stdout, before, 'no image made');
      const help = await h.run(['image', '--help']);
      t.match(help.stdout, /build/, 'image --help lists build');
    });

    await t.test('rmi of an unknown image', async (t) => {
      const r = await h.run(['rmi', 'nosuchimage']);
      t.equal(r.code, 1, 'not found: 1, as podman exits');
      t.match(r.stderr, /nosuchimage: image not known/);
    });
  });
}
