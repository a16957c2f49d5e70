// Image configs, manifests and indexes checked against the OCI schemas
// (lib/image/oci-schemas) before pull or load stores anything.
import t from 'tap';
import { imageSchemas } from '../../lib/image/schema.js';

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const config = (runtime: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  created: '2024-01-01T00:00:00.123456789Z',
  architecture: 'amd64',
  os: 'linux',
  config: { Env: ['PATH=/bin'], Cmd: ['sh'], ...runtime },
  rootfs: { type: 'layers', diff_ids: [d(1)] },
  history: [{ created: '2024-01-01T00:00:00Z', created_by: 'test' }],
  ...extra,
});
const manifest = (extra: Record<string, unknown> = {}) => ({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d(1), size: 10 },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(2), size: 20 }],
  ...extra,
});

t.test('image configs with wrong JSON types are refused, naming the field', async (t) => {
  const s = await imageSchemas();
  t.equal(s.problem('config', config({ Env: 'x' })), 'config.Env must be an array');
  t.equal(s.problem('config', config({ Cmd: 5 })), 'config.Cmd must be an array or null');
  t.equal(s.problem('config', config({ Entrypoint: 'sh' })), 'config.Entrypoint must be an array or null');
  t.equal(s.problem('config', config({ Env: [1] })), 'config.Env[0] must be a string');
  t.equal(s.problem('config', config({ User: 0 })), 'config.User must be a string');
  t.equal(s.problem('config', config({ Labels: { a: 1 } })), 'config.Labels.a must be a string');
  t.equal(s.problem('config', config({}, { rootfs: { type: 'layers' } })), 'rootfs.diff_ids is missing');
  t.equal(s.problem('config', config({}, { os: undefined })), 'os is missing');
  t.equal(s.problem('config', config({}, { created: 'yesterday' })), 'created is not a valid date-time');
  t.equal(s.problem('config', 'x'), 'the document must be an object');
  t.equal(s.problem('config', config({ 'Labels': { 'a\u0000b': 1 } })), 'config.Labels."a\\u0000b" must be a string', 'a hostile key is printed escaped');
});

t.test('configs as docker and podman write them pass', async (t) => {
  const s = await imageSchemas();
  t.equal(s.problem('config', config()), undefined);
  t.equal(s.problem('config', config({ Cmd: null, Entrypoint: null, Volumes: null, Labels: null, OnBuild: null, Healthcheck: { Test: ['NONE'] } })), undefined);
  t.equal(s.problem('config', config({ Env: null })), undefined, '"Env": null, as docker import writes it');
  t.equal(s.problem('config', { architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }), undefined, 'only what is required');
});

t.test('manifests and indexes', async (t) => {
  const s = await imageSchemas();
  t.equal(s.problem('manifest', manifest()), undefined);
  t.equal(s.problem('manifest', manifest({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json' })), undefined, 'Docker schema 2');
  t.equal(s.problem('manifest', manifest({ config: { mediaType: 5, digest: d(1), size: 10 } })), 'config.mediaType must be a string');
  t.equal(s.problem('manifest', manifest({ layers: [{ digest: d(2), size: 20 }] })), 'layers[0].mediaType is missing');
  t.equal(s.problem('manifest', manifest({ layers: [{ mediaType: 'a/b', digest: d(2), size: '20' }] })), 'layers[0].size must be an integer');
  t.equal(s.problem('manifest', manifest({ annotations: { a: 5 } })), 'annotations.a must be a string');
  const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d(3), size: 5, platform: { os: 'linux', architecture: 'amd64' } }] };
  t.equal(s.problem('index', index), undefined);
  t.equal(s.problem('index', { ...index, manifests: [{ ...index.manifests[0], platform: { os: 'linux' } }] }), 'manifests[0].platform.architecture is missing');
});

t.test("docker save's manifest.json", async (t) => {
  const s = await imageSchemas();
  t.equal(s.problem('docker-archive-manifest', [{ Config: 'c.json', RepoTags: null, Layers: ['l/layer.tar'] }]), undefined);
  t.equal(s.problem('docker-archive-manifest', [{ Config: 'c.json', RepoTags: 'x', Layers: [] }]), '[0].RepoTags must be an array or null');
  t.equal(s.problem('docker-archive-manifest', { Config: 'c.json' }), 'the document must be an array');
});
