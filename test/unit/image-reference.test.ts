import t from 'tap';
import { formatReference, hasExplicitRegistry, parseReference, repoAndTag } from '../../lib/image/reference.js';
import { usageError } from './fixtures/helpers.js';

const HEX = '0123456789abcdef'.repeat(4);
const DIGEST = `sha256:${HEX}`;

function invalid(t: Parameters<typeof usageError>[0], input: string, why: RegExp, defaultRegistry?: string) {
  usageError(t, () => parseReference(input, defaultRegistry), `invalid reference format "${input}": `, why);
}

t.test('bare name: docker.io/library/NAME:latest', async (t) => {
  t.same(parseReference('busybox'), { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', digest: undefined });
  t.equal(formatReference(parseReference('busybox')), 'docker.io/library/busybox:latest');
  t.equal(formatReference(parseReference('busybox:1.36')), 'docker.io/library/busybox:1.36');
  t.equal(formatReference(parseReference('docker.io/busybox')), 'docker.io/library/busybox:latest');
  t.equal(formatReference(parseReference('docker.io/library/busybox')), 'docker.io/library/busybox:latest');
});

t.test('user/app:1.0 stays on docker.io without library/', async (t) => {
  t.same(parseReference('user/app:1.0'), { registry: 'docker.io', repository: 'user/app', tag: '1.0', digest: undefined });
  t.equal(formatReference(parseReference('user/app:1.0')), 'docker.io/user/app:1.0');
  t.equal(formatReference(parseReference('a/b/c')), 'docker.io/a/b/c:latest');
});

t.test('registry with port, nested path and digest', async (t) => {
  const ref = parseReference(`localhost:5000/a/b@${DIGEST}`);
  t.same(ref, { registry: 'localhost:5000', repository: 'a/b', tag: undefined, digest: DIGEST });
  t.equal(formatReference(ref), `localhost:5000/a/b@${DIGEST}`);
  const both = parseReference(`localhost:5000/a/b:v2@${DIGEST}`);
  t.same(both, { registry: 'localhost:5000', repository: 'a/b', tag: 'v2', digest: DIGEST });
  t.equal(formatReference(both), `localhost:5000/a/b:v2@${DIGEST}`);
  t.equal(formatReference(parseReference(`busybox@${DIGEST}`)), `docker.io/library/busybox@${DIGEST}`);
});

t.test('host names: dots, localhost, IPv6, uppercase', async (t) => {
  t.same(parseReference('registry.example.com/x'), { registry: 'registry.example.com', repository: 'x', tag: 'latest', digest: undefined });
  t.same(parseReference('localhost/x'), { registry: 'localhost', repository: 'x', tag: 'latest', digest: undefined });
  t.same(parseReference('[::1]:5000/x:t'), { registry: '[::1]:5000', repository: 'x', tag: 't', digest: undefined });
  t.same(parseReference('LOCALHOST/x'), { registry: 'LOCALHOST', repository: 'x', tag: 'latest', digest: undefined });
  t.same(parseReference('Registry.Example.com:443/x'), { registry: 'Registry.Example.com:443', repository: 'x', tag: 'latest', digest: undefined });
  invalid(t, 'my_host.com/x', /"my_host\.com" is not a valid registry host/);
  invalid(t, 'localhost:abc/x', /"localhost:abc" is not a valid registry host/);
  invalid(t, '-bad.com/x', /"-bad\.com" is not a valid registry host/);
});

t.test('an invalid reference is refused, not looked up: UPPER/x, a port out of range', async (t) => {
  // docker takes a first component with capitals for a host and asks DNS for "upper".
  invalid(t, 'UPPER/x', /repository name component "UPPER" must be lowercase/);
  t.equal(hasExplicitRegistry('UPPER/x'), false);
  invalid(t, 'localhost:99999/x', /port 99999 of "localhost:99999" is out of range \(1 to 65535\)/);
  invalid(t, 'example.com:0/x', /port 0 of "example.com:0" is out of range/);
  t.equal(parseReference('localhost:65535/x').registry, 'localhost:65535');
});

t.test('repository components: lowercase and separators only', async (t) => {
  t.equal(formatReference(parseReference('x/a.b_c__d-e---f')), 'docker.io/x/a.b_c__d-e---f:latest');
  t.equal(formatReference(parseReference('a_b/c')), 'docker.io/a_b/c:latest');
  invalid(t, 'Busybox', /repository name component "Busybox" must be lowercase/);
  invalid(t, 'user/App', /component "App" must be lowercase/);
  invalid(t, 'quay.io/User/app', /component "User"/);
  invalid(t, 'a//b', /component ""/);
  invalid(t, 'a/', /component ""/);
  invalid(t, '_a', /component "_a"/);
  invalid(t, 'a_', /component "a_"/);
  invalid(t, 'a___b', /component "a___b"/);
  invalid(t, 'a..b', /component "a\.\.b"/);
  invalid(t, 'a b', /component "a b"/);
});

t.test('tags', async (t) => {
  t.equal(parseReference(`x:${'a'.repeat(128)}`).tag, 'a'.repeat(128));
  t.equal(parseReference('x:_under.dot-dash').tag, '_under.dot-dash');
  t.equal(parseReference('x:V1').tag, 'V1');
  invalid(t, `x:${'a'.repeat(129)}`, /tag may contain letters, digits/);
  invalid(t, 'x:', /tag may contain/);
  invalid(t, 'x:.hidden', /tag may contain/);
  invalid(t, 'x:-dash', /tag may contain/);
  invalid(t, 'x:a+b', /tag may contain/);
  // The colon is before the last slash: "x:a" is read as a host with a bad port.
  invalid(t, 'x:a/b', /"x:a" is not a valid registry host/);
});

t.test('digests', async (t) => {
  invalid(t, 'x@sha256:', /digest must be sha256: followed by 64 hex digits/);
  invalid(t, `x@sha256:${HEX.slice(1)}`, /digest must be sha256/);
  invalid(t, `x@sha256:${HEX}0`, /digest must be sha256/);
  invalid(t, `x@sha256:${HEX.toUpperCase()}`, /digest must be sha256/);
  invalid(t, `x@sha512:${HEX}`, /digest must be sha256/);
  invalid(t, `x@${HEX}`, /digest must be sha256/);
  invalid(t, 'x@', /digest must be sha256/);
});

t.test('length: 1 to 255 characters', async (t) => {
  invalid(t, '', /must be 1 to 255 characters/);
  t.equal(parseReference('a'.repeat(255)).repository, `library/${'a'.repeat(255)}`);
  invalid(t, 'a'.repeat(256), /must be 1 to 255 characters/);
});

t.test("defaultRegistry 'localhost' (import names, as podman stores them)", async (t) => {
  t.same(parseReference('busybox', 'localhost'), { registry: 'localhost', repository: 'busybox', tag: 'latest', digest: undefined });
  t.equal(formatReference(parseReference('my/app:2', 'localhost')), 'localhost/my/app:2');
  t.equal(formatReference(parseReference('localhost/busybox', 'localhost')), 'localhost/busybox:latest');
  t.equal(formatReference(parseReference('quay.io/x/y', 'localhost')), 'quay.io/x/y:latest');
  // An explicit docker.io still gets library/.
  t.equal(formatReference(parseReference('docker.io/busybox', 'localhost')), 'docker.io/library/busybox:latest');
  invalid(t, 'Busybox', /component "Busybox"/, 'localhost');
});

t.test('formatReference', async (t) => {
  t.equal(formatReference({ registry: 'r.io', repository: 'a/b' }), 'r.io/a/b');
  t.equal(formatReference({ registry: 'r.io', repository: 'a', tag: 't' }), 'r.io/a:t');
  t.equal(formatReference({ registry: 'r.io', repository: 'a', digest: DIGEST }), `r.io/a@${DIGEST}`);
});

t.test('hasExplicitRegistry', async (t) => {
  t.equal(hasExplicitRegistry('busybox'), false);
  t.equal(hasExplicitRegistry('busybox:1.0'), false);
  t.equal(hasExplicitRegistry('user/app'), false);
  t.equal(hasExplicitRegistry('quay.io'), false);
  t.equal(hasExplicitRegistry('localhost/x'), true);
  t.equal(hasExplicitRegistry('quay.io/x'), true);
  t.equal(hasExplicitRegistry('localhost:5000/x'), true);
  t.equal(hasExplicitRegistry('docker.io/library/busybox'), true);
});

t.test('hasExplicitRegistry agrees with parseReference: capitals alone make no host', async (t) => {
  t.equal(hasExplicitRegistry('LOCALHOST/x'), true);
  t.equal(hasExplicitRegistry('Example.com/x'), true);
  t.equal(hasExplicitRegistry('Example/x'), false);
});

t.test('repoAndTag', async (t) => {
  t.same(repoAndTag('localhost/busybox:latest'), ['localhost/busybox', 'latest']);
  t.same(repoAndTag('docker.io/library/busybox:1.36'), ['docker.io/library/busybox', '1.36']);
  t.same(repoAndTag('localhost:5000/a/b:v1'), ['localhost:5000/a/b', 'v1']);
  t.same(repoAndTag('localhost:5000/a/b'), ['localhost:5000/a/b', '<none>']);
  t.same(repoAndTag(`localhost/x@${DIGEST}`), ['localhost/x', '<none>']);
  t.same(repoAndTag(`localhost/x:t@${DIGEST}`), ['localhost/x', 't']);
  t.same(repoAndTag('busybox'), ['busybox', '<none>']);
});
