// Manifests from registries: parsing, limits, and the platform chosen from a list.
import t from 'tap';
import {
  hostPlatform, MAX_MANIFEST_BYTES, MT_DOCKER_LIST, MT_DOCKER_MANIFEST, MT_OCI_INDEX, MT_OCI_MANIFEST,
  parseManifest, parsePlatform, selectPlatform, type ManifestList,
} from '../../lib/image/registry/manifest.js';

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const buf = (o: unknown) => Buffer.from(JSON.stringify(o));

const image = (mediaType?: string) => ({
  schemaVersion: 2,
  ...(mediaType ? { mediaType } : {}),
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d(1), size: 10 },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(2), size: 20 }],
});

function list(entries: Array<[string, string, string?]>, mediaType = MT_OCI_INDEX): ManifestList {
  const m = parseManifest(buf({
    schemaVersion: 2, mediaType,
    manifests: entries.map(([os, architecture, variant], i) => ({
      mediaType: MT_OCI_MANIFEST, digest: d(i + 1), size: 100, platform: { os, architecture, ...(variant ? { variant } : {}) },
    })),
  }));
  if (m.kind !== 'list') throw new Error('not a list');
  return m;
}

t.test('image manifests: docker and OCI, media type from body or header', async (t) => {
  for (const mt of [MT_DOCKER_MANIFEST, MT_OCI_MANIFEST]) {
    const m = parseManifest(buf(image(mt)));
    t.equal(m.kind, 'image');
    t.equal(m.mediaType, mt);
  }
  t.equal(parseManifest(buf(image()), `${MT_DOCKER_MANIFEST}; charset=utf-8`).mediaType, MT_DOCKER_MANIFEST, 'from Content-Type');
  t.equal(parseManifest(buf(image())).mediaType, MT_OCI_MANIFEST, 'OCI without mediaType');
  const l = list([['linux', 'amd64']], MT_DOCKER_LIST);
  t.equal(l.manifests.length, 1);
});

t.test('bad manifests are refused clearly', async (t) => {
  t.throws(() => parseManifest(Buffer.from('{"schemaVersion": 2,')), { message: /malformed JSON/ });
  t.throws(() => parseManifest(Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20)), { message: /manifest too large/ });
  t.throws(() => parseManifest(buf({ schemaVersion: 1, name: 'x' })), { message: /schema 1/ });
  t.throws(() => parseManifest(buf({ ...image(MT_OCI_MANIFEST), layers: [{ digest: 'sha256:abc', size: 1 }] })), { message: /malformed digest/ });
  t.throws(() => parseManifest(buf({ ...image(MT_OCI_MANIFEST), layers: [{ digest: `sha512:${'a'.repeat(128)}`, size: 1 }] })), { message: /only sha256/ });
  t.throws(() => parseManifest(buf({ ...image(MT_OCI_MANIFEST), config: { digest: d(1) } })), { message: /valid size/ });
  t.throws(() => parseManifest(buf({ schemaVersion: 2, mediaType: 'application/x-weird' })), { message: /unsupported manifest type/ });
  t.throws(() => parseManifest(buf([1, 2])), { message: /schemaVersion|not a JSON object/ });
});

t.test('host platform', async (t) => {
  t.same(hostPlatform('x64'), { os: 'linux', architecture: 'amd64' });
  t.same(hostPlatform('arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
});

t.test('--platform', async (t) => {
  t.same(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  t.same(parsePlatform('linux/x86_64'), { os: 'linux', architecture: 'amd64', variant: undefined });
  t.throws(() => parsePlatform('linux'), { message: /invalid platform/ });
  t.throws(() => parsePlatform('a/b/c/d'), { message: /invalid platform/ });
});

t.test('platform selection', async (t) => {
  const l = list([['linux', 'arm', 'v6'], ['linux', 'arm', 'v7'], ['linux', 'amd64'], ['linux', 'arm64', 'v8'], ['windows', 'amd64'], ['unknown', 'unknown']]);
  t.equal(selectPlatform(l, hostPlatform('x64')).digest, d(3), 'amd64');
  t.equal(selectPlatform(l, hostPlatform('arm64')).digest, d(4), 'arm64 v8');
  t.equal(selectPlatform(l, parsePlatform('linux/arm/v7'), true).digest, d(2), 'variant asked for');
  t.equal(selectPlatform(l, parsePlatform('windows/amd64')).digest, d(5));
  const noVariant = list([['linux', 'arm64']]);
  t.equal(selectPlatform(noVariant, hostPlatform('arm64')).digest, d(1), 'arm64 without a variant is v8');
  t.throws(() => selectPlatform(l, parsePlatform('linux/s390x')), {
    message: 'no image found in manifest list for platform linux/s390x (available: linux/arm/v6, linux/arm/v7, linux/amd64, linux/arm64/v8, windows/amd64)',
  });
  t.throws(() => selectPlatform(l, parsePlatform('linux/arm/v5'), true), { message: /linux\/arm\/v5/ });
});
