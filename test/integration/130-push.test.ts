// husk push to a real registry (Debian's docker-registry): plain HTTP on
// loopback and TLS with basic auth. skopeo (an independent implementation)
// reads back what husk pushed; husk pulls it again and runs it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fixtures, lines, modes, newHusk } from '../helpers/husk.js';

import { registryToolsMissing, skopeoCopy, skopeoManifest, startRegistry, writeOciLayout } from '../helpers/registry.js';

const skopeoEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
const skopeo = (args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: skopeoEnv });

const missing = registryToolsMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const tmp = fs.mkdtempSync('/tmp/hpush-');
  fs.chmodSync(tmp, 0o755);
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const reg = await startRegistry({ dir: tmp });
  t.teardown(() => reg.stop());
  const auth = { user: 'husk', password: 'secret-pw' };
  const tlsReg = await startRegistry({ dir: tmp, tls: true, auth });
  t.teardown(() => tlsReg.stop());

  for (const mode of modes()) {
    t.test(mode, async (t) => {
      const h = await newHusk(mode);
      t.teardown(() => h.cleanup());
      await h.importBusybox();
      const dest = `localhost:${reg.port}/pushed-${mode}/bb:1`;
      let digest = '';

      t.test('push over plain HTTP; skopeo reads it back', async (t) => {
        const digestDir = path.join(tmp, `digest-${mode}`);
        fs.mkdirSync(digestDir);
        fs.chownSync(digestDir, h.uid, h.gid);
        const digestFile = path.join(digestDir, 'digest');
        const r = await h.run(['push', '--tls-verify=false', '--digestfile', digestFile, 'busybox', dest]);
        t.equal(r.code, 0, 'push succeeds');
        t.match(r.stderr, /Copying blob [0-9a-f]{12} done/);
        t.match(r.stderr, /Copying config [0-9a-f]{12} done/);
        t.match(r.stderr, 'Writing manifest to image destination');
        digest = lines(r.stdout).pop() ?? '';
        t.match(digest, /^sha256:[0-9a-f]{64}$/, 'the manifest digest on stdout');
        t.equal(fs.readFileSync(digestFile, 'utf8').trim(), digest, '--digestfile');

        const manifest = JSON.parse(skopeoManifest(`docker://${dest}`)) as { mediaType: string; config: { digest: string }; layers: Array<{ digest: string; mediaType: string }> };
        t.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
        const inspect = JSON.parse(skopeo(['inspect', '--tls-verify=false', '--no-creds', `docker://${dest}`])) as { Digest: string; Layers: string[] };
        t.equal(inspect.Digest, digest, 'skopeo sees the digest husk printed');
        t.same(inspect.Layers, manifest.layers.map((l) => l.digest), 'the layer digests');
        t.same(manifest.layers.map((l) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar+gzip'], 'the imported layer went up gzip-compressed');
        const diffIds = JSON.parse((await h.run(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'busybox'])).stdout) as string[];
        t.equal(diffIds.length, 1);
        t.not(inspect.Layers[0], diffIds[0], 'so its digest is not its diff id');
        const blobs = path.join(h.root, 'blobs', 'sha256');
        t.ok(fs.existsSync(path.join(blobs, inspect.Layers[0]!.slice(7))), 'the store keeps the gzip blob');
        t.notOk(fs.existsSync(path.join(blobs, diffIds[0]!.slice(7))), 'instead of the tar');
        const run = await h.run(['run', '--rm', 'busybox', 'echo', 'still runs']);
        t.same([run.code, run.stdout], [0, 'still runs\n'], 'the image still runs');
        const saved = await h.run(['save', '-o', path.join(h.dir, 'after-push.tar'), 'busybox']);
        t.equal(saved.code, 0, `and saves: ${saved.stderr}`);
        const out = path.join(tmp, `oci-${mode}`);
        skopeo(['copy', '--quiet', '--insecure-policy', '--src-tls-verify=false', '--src-no-creds', `docker://${dest}`, `oci:${out}:x`]);
        t.ok(fs.existsSync(path.join(out, 'index.json')), 'skopeo copied the pushed image out');
      });

      t.test('pushing again skips what the registry has', async (t) => {
        const r = await h.run(['push', '--tls-verify=false', 'busybox', dest]);
        t.equal(r.code, 0);
        t.match(r.stderr, /Copying blob [0-9a-f]{12} skipped: already exists/);
        t.match(r.stderr, /Copying config [0-9a-f]{12} skipped: already exists/);
        t.equal(lines(r.stdout).pop(), digest, 'the same manifest digest');
        const q = await h.run(['push', '-q', '--tls-verify=false', 'busybox', dest]);
        t.same([q.code, q.stdout, q.stderr], [0, `${digest}\n`, ''], '-q: only the digest');
      });

      t.test('pull what was pushed and run it', async (t) => {
        const rmi = await h.run(['rmi', '-f', 'busybox']);
        t.equal(rmi.code, 0);
        const p = await h.run(['pull', '--tls-verify=false', dest]);
        t.equal(p.code, 0, 'pulled');
        const run = await h.run(['run', '--rm', dest, 'echo', 'ok']);
        t.same([run.code, run.stdout], [0, 'ok\n'], 'runs');
        // Pushing the pulled image by its own name (a registry written out): no destination needed.
        const again = await h.run(['push', '--tls-verify=false', dest]);
        t.equal(again.code, 0, 'push by its own name');
        t.equal(lines(again.stdout).pop(), digest);
        // Another repository of the same registry: the layer is mounted from the one the image came from.
        const other = `localhost:${reg.port}/other-${mode}/bb:2`;
        const mounted = await h.run(['push', '--tls-verify=false', dest, other]);
        t.equal(mounted.code, 0, 'pushed to another repository');
        t.match(mounted.stderr, `mounted from pushed-${mode}/bb`, 'the layer is mounted, not uploaded');
        t.equal(lines(mounted.stdout).pop(), digest, 'the same manifest');
        const inspect = JSON.parse(skopeo(['inspect', '--tls-verify=false', '--no-creds', `docker://${other}`])) as { Digest: string };
        t.equal(inspect.Digest, digest, 'skopeo reads the mounted copy');
      });

      t.test('chunked upload, push by digest, and a pulled gzip image keeps its digest', async (t) => {
        await h.importBusybox();
        const chunked = `localhost:${reg.port}/chunked-${mode}/bb:1`;
        // The busybox layer is about 2 MB: 256 KiB chunks make several PATCH requests.
        const c = await h.run(['push', '--tls-verify=false', 'busybox', chunked], { env: { HUSK_PUSH_CHUNK_SIZE: String(256 * 1024) } });
        t.equal(c.code, 0, c.stderr);
        const chunkedDigest = lines(c.stdout).pop();
        const out = path.join(tmp, `chunked-${mode}`);
        skopeo(['copy', '--quiet', '--insecure-policy', '--src-tls-verify=false', '--src-no-creds', `docker://${chunked}`, `oci:${out}:x`]);
        const inspect = JSON.parse(skopeo(['inspect', '--tls-verify=false', '--no-creds', `docker://${chunked}`])) as { Digest: string };
        t.equal(inspect.Digest, chunkedDigest, 'the registry assembled the chunks into the same blob');

        const byDigest = `localhost:${reg.port}/bydigest-${mode}/bb@${chunkedDigest}`;
        const d = await h.run(['push', '--tls-verify=false', 'busybox', byDigest]);
        t.same([d.code, lines(d.stdout).pop()], [0, chunkedDigest], `push by digest: ${d.stderr}`);
        t.match(skopeoManifest(`docker://${byDigest}`), /"schemaVersion"/, 'the manifest is there under its digest');
        const wrong = await h.run(['push', '--tls-verify=false', 'busybox', `localhost:${reg.port}/bydigest-${mode}/bb@sha256:${'0'.repeat(64)}`]);
        t.equal(wrong.code, 125, 'a digest the manifest does not have');
        t.match(wrong.stderr, /has digest sha256:[0-9a-f]{64}, not sha256:0{64}/);

        // An image with a gzip layer, put there by skopeo; husk keeps the registry's blobs, so pushing them on keeps every digest.
        const layout = path.join(tmp, `gz-layout-${mode}`);
        const { manifestDigest: srcDigest } = writeOciLayout(fixtures.busyboxTar, layout, { tag: 'latest' });
        const src = `localhost:${reg.port}/gz-${mode}/bb:1`;
        skopeoCopy(`oci:${layout}:latest`, `docker://${src}`);
        // A store of its own: where the layer is already there (imported, uncompressed), that one is kept and pushed.
        const h2 = await newHusk(mode);
        t.teardown(() => h2.cleanup());
        t.equal((await h2.run(['pull', '-q', '--tls-verify=false', src])).code, 0);
        const copy = `localhost:${reg.port}/gzcopy-${mode}/bb:1`;
        const p = await h2.run(['push', '--tls-verify=false', src, copy]);
        t.same([p.code, lines(p.stdout).pop()], [0, srcDigest], `the pulled image is pushed as it came: ${p.stderr}`);
        const layers = (JSON.parse(skopeoManifest(`docker://${copy}`)) as { layers: Array<{ mediaType: string }> }).layers;
        t.match(layers[0]?.mediaType, /gzip/, 'its layer still gzip');
      });

      t.test('errors', async (t) => {
        await h.importBusybox();
        const noReg = await h.run(['push', 'busybox']);
        t.equal(noReg.code, 125, 'a localhost/ image without a destination');
        t.match(noReg.stderr, /registry/);
        const none = await h.run(['push', '--tls-verify=false', 'nosuchimage', `localhost:${reg.port}/x/y:1`]);
        t.equal(none.code, 125, 'a missing image');
        t.match(none.stderr, /nosuchimage/);
        const refused = await h.run(['push', '--tls-verify=false', 'busybox', '127.0.0.1:1/x/y:1']);
        t.equal(refused.code, 125, 'no registry there');
        t.match(refused.stderr, /connection refused/);
      });

      t.test('TLS and basic auth', async (t) => {
        const ref = `${tlsReg.host}/private-${mode}/bb:v1`;
        const no = await h.run(['push', '--tls-verify=false', 'busybox', ref]);
        t.equal(no.code, 125, 'refused without credentials');
        t.match(no.stderr, /authentication/i);
        const bad = await h.run(['push', '--tls-verify=false', '--creds', 'husk:wrong', 'busybox', ref]);
        t.equal(bad.code, 125, 'refused with a wrong password');
        t.match(bad.stderr, /authentication/i);
        const strict = await h.run(['push', '--creds', `${auth.user}:${auth.password}`, 'busybox', ref]);
        t.equal(strict.code, 125, 'a self-signed certificate is not trusted by default');
        t.match(strict.stderr, /certificate/);
        const ok = await h.run(['push', '--tls-verify=false', '--creds', `${auth.user}:${auth.password}`, 'busybox', ref]);
        t.equal(ok.code, 0, 'pushed with --creds');
        const m = JSON.parse(skopeoManifest(`docker://${ref}`, { certDir: tlsReg.certDir, creds: `${auth.user}:${auth.password}` })) as { layers: unknown[] };
        t.equal(m.layers.length, 1, 'skopeo reads it with the credentials');
      });
    });
  }
}
