// Image commands with podman's flags (issue 16): images --noheading/--sort/
// templates and JSON with podman's fields, history --format, rmi --ignore/-a
// and podman's exit codes, untag's "tag not known", save's formats and
// options, import's platform, commit's podman flags, image tree and exists,
// flags refused or ignored with their reason; a digest-pulled image listed
// and removed as podman does. Each as root and rootless.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fixtures, lines, modes, newHusk, type Husk } from '../helpers/husk.js';
import { readTar } from '../helpers/files.js';
import { registryToolsMissing, skopeoCopy, startRegistry, writeOciLayout } from '../helpers/registry.js';

/** A path in the instance's files dir (husk's user can write there). */
const file = (h: Husk, name: string) => path.join(h.dir, 'files', name);
const json = <T>(s: string) => JSON.parse(s) as T;

const missingTools = registryToolsMissing();
let registry: { host: string; stop: () => unknown } | undefined;
if (!missingTools) {
  const tmp = fs.mkdtempSync('/tmp/himg-');
  fs.chmodSync(tmp, 0o755);
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const layout = path.join(tmp, 'layout');
  writeOciLayout(fixtures.busyboxTar, layout, { tag: 'latest' });
  const reg = await startRegistry({ dir: tmp });
  t.teardown(() => reg.stop());
  skopeoCopy(`oci:${layout}:latest`, `docker://${reg.host}/busybox:latest`);
  registry = { host: `localhost:${reg.port}`, stop: () => reg.stop() };
}

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox(['CMD ["sh"]'], 'busybox:latest');
    await h.importBusybox(['LABEL app=web', 'USER 1:1'], 'web:1');
    t.equal((await h.run(['tag', 'busybox', 'other/bb:2'])).code, 0);
    const idOf = async (name: string) => (await h.run(['image', 'inspect', '--format', '{{.ID}}', name])).stdout.trim();
    const bbId = await idOf('busybox');

    await t.test('images: --noheading, --sort, IMAGE lists only its matching names', async (t) => {
      const plain = await h.run(['images']);
      t.match(plain.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/);
      const n = await h.run(['images', '--noheading']);
      t.equal(lines(n.stdout).length, 3, 'three rows, no heading');
      t.notMatch(n.stdout, /REPOSITORY/);
      t.notMatch((await h.run(['images', '-n', '--format', 'table {{.Repository}}'])).stdout, /REPOSITORY/, '-n drops a table format\'s heading too');
      const byRepo = await h.run(['images', '--sort', 'repository', '--format', '{{.Repository}}:{{.Tag}}']);
      t.same(lines(byRepo.stdout), ['localhost/busybox:latest', 'localhost/other/bb:2', 'localhost/web:1'], '--sort repository');
      const byTag = await h.run(['images', '--sort', 'tag', '--format', '{{.Tag}}']);
      t.same(lines(byTag.stdout), ['1', '2', 'latest'], '--sort tag');
      const byId = await h.run(['images', '--sort', 'id', '--format', '{{.Id}}']);
      t.same(lines(byId.stdout), [...lines(byId.stdout)].sort(), '--sort id');
      const bad = await h.run(['images', '--sort', 'bogus']);
      t.same([bad.code, bad.stderr], [125, 'Error: "bogus" is not a valid field for sorting. Choose from: created, id, repository, size, tag\n']);
      const one = await h.run(['images', 'busybox', '--format', '{{.Repository}}:{{.Tag}}']);
      t.same(lines(one.stdout), ['localhost/busybox:latest'], 'images NAME: only the name asked for, not the image\'s other names');
    });

    await t.test('images --format: podman\'s fields beside docker\'s; json as podman writes it', async (t) => {
      const r = await h.run(['images', 'web', '--format', '{{.ID}}|{{.Id}}|{{.Labels.app}}|{{.Names}}|{{.History}}|{{.Containers}}|{{.Dangling}}|{{.ReadOnly}}|{{.IsReadOnly}}|{{.VirtualSize}}|{{.CreatedAt}}|{{.Created}}|{{.RepoTags}}']);
      t.equal(r.code, 0, r.stderr);
      const f = r.stdout.trim().split('|');
      const webId = await idOf('web:1');
      t.same(f.slice(0, 9), [webId.slice(0, 12), webId, 'web', '[localhost/web:1]', 'localhost/web:1', '0', 'false', 'false', 'false']);
      t.match(f[9], /^\d+$/, 'VirtualSize in bytes');
      t.match(f[10], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/, 'CreatedAt as Go prints a time');
      t.match(f[11], /ago$/, 'Created: the time since, as podman\'s images shows it');
      const table = await h.run(['images', '--format', 'table {{.ID}}\t{{.Names}}\t{{.ReadOnly}}']);
      t.match(table.stdout, /^IMAGE ID\s+NAMES\s+R\/O\n/, 'podman\'s headings');
      const all = json<Array<Record<string, unknown>>>((await h.run(['images', '--format', 'json'])).stdout);
      t.equal(all.length, 3, 'one entry per row');
      const web = all.find((i) => i.Repository === 'localhost/web')!;
      t.same([web.Id, web.Labels, web.Names, web.History, web.Tag], [webId, { app: 'web' }, ['localhost/web:1'], ['localhost/web:1'], '1']);
      t.equal(typeof web.Created, 'number', 'Created: seconds since the epoch');
      t.equal(all.find((i) => i.Tag === 'latest')!.Labels, null, 'no labels: null');
    });

    await t.test('images --filter: label!, after, until, id, containers, intermediate, readonly', async (t) => {
      const q = async (...filters: string[]) => lines((await h.run(['images', ...filters.flatMap((f) => ['--filter', f]), '--format', '{{.Repository}}:{{.Tag}}'])).stdout).sort();
      t.same(await q('label!=app'), ['localhost/busybox:latest', 'localhost/other/bb:2']);
      t.same(await q('after=busybox'), ['localhost/web:1']);
      t.same(await q('until=2000-01-01T00:00:00Z'), []);
      t.same(await q('until=1s', 'label=app=web').then((x) => x.length <= 1), true);
      t.same(await q(`id=${bbId.slice(0, 12)}`), ['localhost/busybox:latest', 'localhost/other/bb:2']);
      t.same(await q('containers=true'), []);
      t.same(await q('readonly=true'), [], 'husk has no read-only stores');
      t.same(await q('intermediate=false', 'reference=web'), ['localhost/web:1']);
      const bad = await h.run(['images', '--filter', 'bogus=1']);
      t.equal(bad.code, 125);
      t.match(bad.stderr, /invalid filter "bogus=1"/);
    });

    await t.test('history: --format json and templates, --noheading, -H=false', async (t) => {
      const j = json<Array<Record<string, unknown>>>((await h.run(['history', '--format', 'json', 'busybox'])).stdout);
      t.equal(j.length, 1);
      t.same([j[0]!.id, j[0]!.tags], [bbId, ['localhost/busybox:latest', 'localhost/other/bb:2']]);
      t.match(String(j[0]!.Created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const tpl = await h.run(['history', '--format', '{{.ID}}|{{.CreatedBy}}|{{.CreatedSince}}|{{.CreatedAt}}|{{.Size}}|{{.Tags}}', 'busybox']);
      const f = tpl.stdout.trim().split('|');
      t.same([f[0], f[5]], [bbId.slice(0, 12), '[localhost/busybox:latest localhost/other/bb:2]']);
      t.match(f[1], /^husk import /);
      t.match(f[3], /^\d{4}-\d\d-\d\dT/);
      t.match((await h.run(['history', '--format', 'table {{.ID}}\t{{.CreatedBy}}', 'busybox'])).stdout, /^IMAGE\s+CREATED BY\n/);
      const nh = await h.run(['history', '--noheading', 'busybox']);
      t.same([nh.code, lines(nh.stdout).length], [0, 1], 'one row, no heading');
      const raw = await h.run(['history', '-H=false', 'busybox']);
      t.match(raw.stdout, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+husk import .*\s\d+\s*$/m, 'a time stamp and bytes');
    });

    await t.test('image inspect: podman\'s template fields and JSON keys', async (t) => {
      const r = await h.run(['image', 'inspect', '--format', '{{.ID}}|{{.Labels.app}}|{{.Labels.none}}|{{.NamesHistory}}|{{.User}}|{{.ManifestType}}|{{.VirtualSize}}', 'web:1']);
      t.equal(r.code, 0, r.stderr);
      const f = r.stdout.trim().split('|');
      t.same(f.slice(0, 6), [await idOf('web:1'), 'web', '<no value>', '[localhost/web:1]', '1:1', 'application/vnd.oci.image.manifest.v1+json']);
      const b = await h.run(['image', 'inspect', '--format', '{{.Labels.x}}', 'busybox']);
      t.same([b.code, b.stdout], [0, '<no value>\n'], 'an image without labels: an empty map to templates');
      const j = json<Array<Record<string, unknown>>>((await h.run(['image', 'inspect', 'busybox'])).stdout)[0]!;
      for (const k of ['Id', 'Digest', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'Config', 'Version', 'Author', 'Architecture', 'Os', 'Size', 'VirtualSize', 'GraphDriver', 'RootFS', 'Labels', 'Annotations', 'ManifestType', 'User', 'History', 'NamesHistory']) {
        t.ok(k in j, `JSON has ${k}`);
      }
      t.notOk('ID' in j, 'ID is a template field only, as in podman\'s JSON');
      t.equal(j.Labels, null);
    });

    await t.test('image tree and image exists', async (t) => {
      const tree = await h.run(['image', 'tree', 'busybox']);
      t.equal(tree.code, 0, tree.stderr);
      t.match(tree.stdout, new RegExp(`^Image ID: ${bbId.slice(0, 12)}\\nTags:     \\[localhost/busybox:latest localhost/other/bb:2\\]\\nSize:     \\S+\\nImage Layers\\n└── ID: [0-9a-f]{12} Size: \\S+ Top Layer of: \\[`));
      t.equal(lines((await h.run(['image', 'tree', '--whatrequires', 'busybox'])).stdout).filter((l) => /── ID: /.test(l)).length, 1, '--whatrequires: its top layer, no image builds on it');
      const none = await h.run(['image', 'tree', 'nothere']);
      t.same([none.code, none.stderr], [125, 'Error: nothere: image not known\n']);
      t.equal((await h.run(['image', 'exists', 'busybox'])).code, 0);
      t.equal((await h.run(['image', 'exists', 'nothere'])).code, 1);
    });

    await t.test('import --arch --os --variant, and --platform', async (t) => {
      const r = await h.run(['import', '--arch', 'arm64', '--os', 'linux', '--variant', 'v8', fixtures.busyboxTar, 'arm:1']);
      t.equal(r.code, 0, r.stderr);
      t.equal((await h.run(['image', 'inspect', '--format', '{{.Architecture}} {{.Os}} {{.Variant}}', 'arm:1'])).stdout, 'arm64 linux v8\n');
      const p = await h.run(['import', '--platform', 'linux/arm/v7', fixtures.busyboxTar, 'arm:2']);
      t.equal(p.code, 0, p.stderr);
      t.equal((await h.run(['image', 'inspect', '--format', '{{.Architecture}} {{.Variant}}', 'arm:2'])).stdout, 'arm v7\n');
      const both = await h.run(['import', '--platform', 'linux/arm64', '--arch', 'arm64', fixtures.busyboxTar]);
      t.equal(both.code, 125);
      t.equal((await h.run(['rmi', 'arm:1', 'arm:2'])).code, 0);
    });

    await t.test('commit: --iidfile, --format docker, --include-volumes, --config; --squash refused', async (t) => {
      t.equal((await h.run(['run', '--name', 'src', '-v', 'vol1:/data', 'busybox', 'sh', '-c', 'echo x > /f'])).code, 0);
      const iid = file(h, 'iid');
      const cfg = h.writeFile('cfg.json', JSON.stringify({ Env: ['FROM_CONFIG=1'] }));
      const c = await h.run(['commit', '--iidfile', iid, '--format', 'docker', '--include-volumes', '--config', cfg, 'src', 'committed:1']);
      t.equal(c.code, 0, c.stderr);
      const id = c.stdout.trim().replace(/^sha256:/, '');
      t.equal(fs.readFileSync(iid, 'utf8'), id, '--iidfile holds the ID');
      const f = await h.run(['image', 'inspect', '--format', '{{.ManifestType}}|{{json .Config.Volumes}}|{{json .Config.Env}}', 'committed:1']);
      t.equal(f.stdout, 'application/vnd.docker.distribution.manifest.v2+json|{"/data":{}}|["FROM_CONFIG=1"]\n');
      const plain = await h.run(['commit', 'src', 'committed:2']);
      t.equal(plain.code, 0, plain.stderr);
      const p = await h.run(['image', 'inspect', '--format', '{{.ManifestType}}|{{json .Config}}', 'committed:2']);
      t.match(p.stdout, /^application\/vnd\.oci\.image\.manifest\.v1\+json\|/, 'OCI by default');
      t.notMatch(p.stdout, /Volumes|FROM_CONFIG/, 'no volumes without --include-volumes, no --config');
      for (const [args, msg] of [
        [['commit', '--squash', 'src'], /--squash is not supported: husk commits/],
        [['commit', '-s', 'src'], /--squash is not supported/],
        [['commit', '--format', 'v2s1', 'src'], /unrecognized image type "v2s1"/],
        [['commit', '--config', '/nonexistent.json', 'src'], /--config \/nonexistent.json/],
      ] as const) {
        const r = await h.run([...args]);
        t.equal(r.code, 125, args.join(' '));
        t.match(r.stderr, msg);
      }
      t.equal((await h.run(['rm', 'src'])).code, 0);
      t.equal((await h.run(['rmi', 'committed:1', 'committed:2'])).code, 0);
    });

    await t.test('save: by ID writes no names; oci-dir, docker-dir, --uncompressed, --compress; refusals', async (t) => {
      const byId = file(h, 'byid.tar');
      t.equal((await h.run(['save', '-o', byId, bbId.slice(0, 12)])).code, 0);
      const m = json<Array<{ RepoTags: unknown }>>((await readTar(byId)).find((e) => e.name === 'manifest.json')!.data.toString());
      t.same(m[0]!.RepoTags, null, 'saved by ID: no names, as docker and podman');
      const named = file(h, 'named.tar');
      t.equal((await h.run(['save', '-m', '-o', named, 'busybox', 'web:1'])).code, 0);
      t.same(json<Array<{ RepoTags: string[] }>>((await readTar(named)).find((e) => e.name === 'manifest.json')!.data.toString()).map((e) => e.RepoTags), [['localhost/busybox:latest'], ['localhost/web:1']], '-m: two images');

      const od = file(h, 'od');
      const o = await h.run(['save', '--format', 'oci-dir', '-o', od, 'busybox']);
      t.equal(o.code, 0, o.stderr);
      t.same(fs.readdirSync(od).sort(), ['blobs', 'index.json', 'oci-layout']);
      const index = json<{ manifests: Array<{ digest: string }> }>(fs.readFileSync(path.join(od, 'index.json'), 'utf8'));
      t.ok(fs.existsSync(path.join(od, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7))), 'the manifest blob is there');
      const h4 = await newHusk(mode);
      t.teardown(() => h4.cleanup());
      const fromDir = await h4.run(['load', '-i', od]);
      t.same([fromDir.code, fromDir.stdout], [0, 'Loaded image: localhost/busybox:latest\n'], 'load -i reads an oci-dir back');

      const dd = file(h, 'dd');
      const d = await h.run(['save', '--format', 'docker-dir', '--compress', '-o', dd, 'busybox']);
      t.equal(d.code, 0, d.stderr);
      t.equal(fs.readFileSync(path.join(dd, 'version'), 'utf8'), 'Directory Transport Version: 1.1\n');
      const dm = json<{ mediaType: string; layers: Array<{ mediaType: string; digest: string }> }>(fs.readFileSync(path.join(dd, 'manifest.json'), 'utf8'));
      t.equal(dm.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
      t.equal(dm.layers[0]!.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip', '--compress: gzip layers');
      t.ok(fs.existsSync(path.join(dd, dm.layers[0]!.digest.slice(7))), 'blobs under their bare digests');
      const notOci = await h4.run(['load', '-i', dd]);
      t.equal(notOci.code, 125, 'a docker-dir is not loaded');
      t.match(notOci.stderr, /not an OCI layout directory/);

      // The layer is kept gzipped now: oci-archive writes it so, --uncompressed as a plain tar.
      const layerTypes = async (archive: string) => {
        const entries = await readTar(archive);
        const idx = json<{ manifests: Array<{ digest: string }> }>(entries.find((e) => e.name === 'index.json')!.data.toString());
        const man = json<{ layers: Array<{ mediaType: string }> }>(entries.find((e) => e.name === `blobs/sha256/${idx.manifests[0]!.digest.slice(7)}`)!.data.toString());
        return man.layers.map((l) => l.mediaType);
      };
      const gz = file(h, 'gz.tar');
      const un = file(h, 'un.tar');
      t.equal((await h.run(['save', '--format', 'oci-archive', '-o', gz, 'busybox'])).code, 0);
      t.equal((await h.run(['save', '--format', 'oci-archive', '--uncompressed', '-o', un, 'busybox'])).code, 0);
      t.same(await layerTypes(gz), ['application/vnd.oci.image.layer.v1.tar+gzip']);
      t.same(await layerTypes(un), ['application/vnd.oci.image.layer.v1.tar'], '--uncompressed: plain tars');
      const h2 = await newHusk(mode);
      t.teardown(() => h2.cleanup());
      const loaded = await h2.run(['load', '-i', un]);
      t.equal(loaded.code, 0, loaded.stderr);
      t.equal((await h2.run(['run', '--rm', 'busybox', 'echo', 'ok'])).stdout, 'ok\n', 'the uncompressed archive loads and runs');

      for (const [args, msg] of [
        [['save', '-m', '--format', 'oci-archive', '-o', file(h, 'x.tar'), 'busybox'], 'Error: unsupported format "oci-archive" for saving multiple images (only docker-archive)\n'],
        [['save', '--compress', '-o', file(h, 'x.tar'), 'busybox'], "Error: --compress can only be set when --format is 'docker-dir'\n"],
        [['save', '--format', 'bogus', '-o', file(h, 'x.tar'), 'busybox'], 'Error: format value must be one of docker-archive oci-archive oci-dir docker-dir\n'],
        [['save', '--format', 'oci-dir', 'busybox'], 'Error: --format oci-dir writes a directory: name it with -o\n'],
      ] as const) {
        const r = await h.run([...args]);
        t.same([r.code, r.stderr], [125, msg], args.join(' '));
      }
    });

    await t.test('rmi: podman\'s exit codes, --ignore, -a; untag: "tag not known"', async (t) => {
      const missing = await h.run(['rmi', 'nothere']);
      t.same([missing.code, missing.stderr], [1, 'Error: nothere: image not known\n'], 'a missing image: 1');
      const tag = await h.run(['rmi', 'busybox:nothere']);
      t.same([tag.code, tag.stderr], [1, 'Error: busybox:nothere: image not known\n'], 'a missing tag: 1, as podman 4.3.1');
      const ign = await h.run(['rmi', '--ignore', 'nothere']);
      t.same([ign.code, ign.stderr], [0, ''], '--ignore');
      t.equal((await h.run(['rmi', '-i', 'nothere', 'other/bb:2'])).code, 0, '-i with a real name beside');
      const untag = await h.run(['untag', 'busybox', 'nothere:1']);
      t.same([untag.code, untag.stderr], [125, 'Error: localhost/nothere:1: tag not known\n']);
      t.equal((await h.run(['create', '--name', 'user', 'busybox', 'true'])).code, 0);
      const inUse = await h.run(['rmi', 'busybox']);
      t.equal(inUse.code, 2, 'in use by a container: 2');
      t.match(inUse.stderr, /^Error: image used by [0-9a-f]{64}: image is in use by a container/);
      const mixed = await h.run(['rmi', 'busybox', 'nothere']);
      t.equal(mixed.code, 2, 'in use wins over not found');
      t.same((await h.run(['rmi', '-a', 'busybox'])).code, 125, '-a with names');
      t.same((await h.run(['rmi'])).code, 125, 'no names');
      const noPrune = await h.run(['rmi', '--no-prune', 'web:1']);
      t.equal(noPrune.code, 0, noPrune.stderr);
      const all = await h.run(['rmi', '-a', '-f']);
      t.equal(all.code, 0, all.stderr);
      t.equal((await h.run(['images', '-a', '-q'])).stdout, '', '-a -f: no image left');
      t.same(await h.containerIds(), [], 'and -f took the container');
      await h.importBusybox(['CMD ["sh"]'], 'busybox:latest');
    });

    await t.test('podman flags husk refuses or ignores say why', async (t) => {
      for (const [args, code, msg] of [
        [['pull', '--decryption-key', 'k', 'busybox'], 125, /--decryption-key is not supported: husk does not decrypt/],
        [['push', '--sign-by', 'me', 'busybox', 'localhost:1/x'], 125, /--sign-by is not supported: husk does not sign/],
        [['push', '--encryption-key', 'k', 'busybox', 'localhost:1/x'], 125, /--encryption-key is not supported/],
        [['push', '--compression-format', 'zstd', 'busybox', 'localhost:1/x'], 125, /--compression-format zstd is not supported/],
        [['login', '--secret', 's', 'localhost:1'], 125, /--secret is not supported: husk has no secret store/],
        [['login', '--authfile', 'a', '--compat-auth-file', 'b', 'localhost:1'], 125, /can not be set simultaneously/],
        [['pull', '--policy', 'bogus', 'busybox'], 125, /unsupported pull policy "bogus"/],
        [['pull', '--policy', 'never', 'nothere'], 125, /nothere: image not known/],
      ] as const) {
        const r = await h.run([...args]);
        t.equal(r.code, code, args.join(' '));
        t.match(r.stderr, msg, args.join(' '));
      }
      const local = await h.run(['pull', '--policy', 'missing', '--retry', '3', 'busybox']);
      t.same([local.code, local.stdout], [0, `sha256:${await idOf('busybox')}\n`], '--policy missing: the local image, no registry asked');
      t.match(local.stderr, /--retry is ignored: husk retries/, 'an ignored flag says so');
      const prune = await h.run(['image', 'prune', '--build-cache', '--filter', 'label=app=none']);
      t.equal(prune.code, 0, prune.stderr);
    });

    await t.test('a digest-pulled image: listed and removed as podman does', { skip: missingTools }, async (t) => {
      const name = `${registry!.host}/busybox:latest`;
      const h3 = await newHusk(mode);
      t.teardown(() => h3.cleanup());
      t.equal((await h3.run(['pull', '-q', '--tls-verify=false', name])).code, 0);
      const digest = (await h3.run(['image', 'inspect', '--format', '{{.Digest}}', name])).stdout.trim();
      const byDigest = `${registry!.host}/busybox@${digest}`;
      t.equal((await h3.run(['pull', '-q', '--tls-verify=false', byDigest])).code, 0);
      const rows = await h3.run(['images', '--format', '{{.Repository}}:{{.Tag}}']);
      t.same(lines(rows.stdout), [name], 'one row: no extra <none> for the digest');
      const rmi = await h3.run(['rmi', name]);
      t.equal(rmi.code, 0, rmi.stderr);
      t.equal((await h3.run(['images', '-a', '-q'])).stdout, '', 'rmi of the tag removes the image (its digested name goes with it)');

      t.equal((await h3.run(['pull', '-q', '--tls-verify=false', byDigest])).code, 0);
      const only = await h3.run(['images', '--format', '{{.Repository}}:{{.Tag}}']);
      t.same(lines(only.stdout), [`${registry!.host}/busybox:<none>`], 'pulled by digest alone: the repository, tag <none>');
      const gone = await h3.run(['rmi', byDigest]);
      t.equal(gone.code, 0, gone.stderr);
      t.equal((await h3.run(['images', '-a', '-q'])).stdout, '', 'rmi by the digested name removes it');

      const tags = await h3.run(['search', '--list-tags', '--tls-verify=false', `${registry!.host}/busybox`]);
      t.same([tags.code, lines(tags.stdout)[1]?.split(/\s+/)], [0, [`${registry!.host}/busybox`, 'latest']], 'search --list-tags');
    });
  });
}
