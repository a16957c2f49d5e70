// The registry fixture (no husk involved): an OCI layout built from the busybox
// tarball, copied with skopeo into docker-registry over plain HTTP and over
// TLS with basic auth, and read back. Pull/push tests build on this.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fixtures } from '../helpers/husk.js';

import { registryToolsMissing, skopeoCopy, skopeoManifest, startRegistry, writeOciLayout } from '../helpers/registry.js';

const tmp = fs.mkdtempSync('/tmp/hreg-');
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

t.test('OCI layout', async (t) => {
  const layout = path.join(tmp, 'layout');
  const a = writeOciLayout(fixtures.busyboxTar, layout, { tag: 'latest' });
  const b = writeOciLayout(fixtures.busyboxTar, layout, { tag: 'latest' });
  t.equal(a.manifestDigest, b.manifestDigest, 'reproducible digests');
  const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8'));
  t.equal(index.manifests.length, 1, 'one manifest per tag');
  t.ok(fs.existsSync(path.join(layout, 'blobs', a.layerDigest.replace(':', '/'))), 'the layer blob');
});

t.test('registries', { skip: registryToolsMissing() ?? false }, async (t) => {
  const layout = path.join(tmp, 'layout');
  const { manifestDigest } = writeOciLayout(fixtures.busyboxTar, layout, { tag: 'latest' });

  t.test('plain HTTP', async (t) => {
    const reg = await startRegistry({ dir: tmp });
    t.teardown(() => reg.stop());
    skopeoCopy(`oci:${layout}:latest`, `docker://${reg.host}/test/busybox:latest`);
    const raw = skopeoManifest(`docker://${reg.host}/test/busybox:latest`);
    const m = JSON.parse(raw);
    t.equal(m.schemaVersion, 2);
    t.equal(m.layers.length, 1, 'one layer');
    const { createHash } = await import('node:crypto');
    t.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, manifestDigest, 'the manifest arrives unchanged');
    skopeoCopy(`docker://${reg.host}/test/busybox:latest`, `oci:${path.join(tmp, 'back')}:latest`);
    t.ok(fs.existsSync(path.join(tmp, 'back', 'index.json')), 'and can be copied back out');
  });

  t.test('TLS with basic auth', async (t) => {
    const auth = { user: 'husk', password: 'secret-pw' };
    const reg = await startRegistry({ dir: tmp, tls: true, auth });
    t.teardown(() => reg.stop());
    t.throws(() => skopeoCopy(`oci:${layout}:latest`, `docker://${reg.host}/busybox:latest`), 'refused without credentials');
    skopeoCopy(`oci:${layout}:latest`, `docker://${reg.host}/busybox:latest`, {
      destCreds: `${auth.user}:${auth.password}`,
      destCertDir: reg.certDir!,
    });
    const m = JSON.parse(skopeoManifest(`docker://${reg.host}/busybox:latest`, { creds: `${auth.user}:${auth.password}`, certDir: reg.certDir! }));
    t.equal(m.layers.length, 1, 'pushed with credentials, verified TLS');
    t.throws(() => skopeoManifest(`docker://${reg.host}/busybox:latest`, { creds: 'husk:wrong', certDir: reg.certDir! }), 'wrong password refused');
  });
});
