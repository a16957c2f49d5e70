// Registry auth: WWW-Authenticate challenges, auth.json / config.json, --creds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { authFilePaths, credentialsFromFiles, decodeAuthEntry, parseChallenges, parseCredsFlag } from '../../lib/image/registry/auth.js';

t.test('Bearer challenge with quoted parameters', async (t) => {
  const c = parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"');
  t.same(c, [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } }]);
});

t.test('Basic challenge, case and spacing', async (t) => {
  t.same(parseChallenges('basic realm="husk-test"'), [{ scheme: 'basic', params: { realm: 'husk-test' } }]);
  t.same(parseChallenges('Basic  realm = "a b" , charset="UTF-8"'), [{ scheme: 'basic', params: { realm: 'a b', charset: 'UTF-8' } }]);
});

t.test('token68-free unquoted values, escapes, commas inside quotes', async (t) => {
  const c = parseChallenges('Bearer realm=https://r.example/token,service=reg,scope="repository:a/b:pull,push",error="say \\"hi\\""');
  t.equal(c[0]!.params.realm, 'https://r.example/token');
  t.equal(c[0]!.params.service, 'reg');
  t.equal(c[0]!.params.scope, 'repository:a/b:pull,push', 'a comma inside quotes stays');
  t.equal(c[0]!.params.error, 'say "hi"');
});

t.test('several challenges in one header', async (t) => {
  const c = parseChallenges('Basic realm="x", Bearer realm="https://t/token",service="s"');
  t.same(c.map((x) => x.scheme), ['basic', 'bearer']);
  t.equal(c[1]!.params.service, 's');
  t.same(parseChallenges(''), []);
});

t.test('auth file order', async (t) => {
  const files = authFilePaths({ XDG_RUNTIME_DIR: '/run/user/7', HOME: '/home/u' });
  t.same(files, ['/run/user/7/containers/auth.json', '/home/u/.config/containers/auth.json', '/home/u/.docker/config.json']);
  const f2 = authFilePaths({ REGISTRY_AUTH_FILE: '/a.json', XDG_CONFIG_HOME: '/cfg', DOCKER_CONFIG: '/dk', HOME: '/h' });
  t.same(f2, ['/a.json', '/cfg/containers/auth.json', '/dk/config.json']);
});

t.test('reading auths maps', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'husk-auth-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const runtime = path.join(dir, 'run.json');
  const config = path.join(dir, 'config.json');
  const docker = path.join(dir, 'docker.json');
  fs.writeFileSync(runtime, JSON.stringify({ auths: { 'reg.example:5000': { auth: b64('first:pw:with:colons') } } }));
  fs.writeFileSync(config, 'not json');
  fs.writeFileSync(docker, JSON.stringify({
    auths: {
      'reg.example:5000': { auth: b64('second:pw') },
      'https://index.docker.io/v1/': { auth: b64('hub:secret') },
      'quay.io/team': { auth: b64('team:t') },
      'quay.io': { auth: b64('quay:q') },
      'ghcr.io': { username: 'gh', password: 'tok' },
    },
  }));
  const files = [runtime, config, docker, path.join(dir, 'missing.json')];
  t.same(credentialsFromFiles('reg.example:5000', files), { username: 'first', password: 'pw:with:colons' }, 'first file wins; password keeps its colons');
  t.same(credentialsFromFiles('docker.io', files), { username: 'hub', password: 'secret' }, 'docker hub under its v1 URL');
  t.same(credentialsFromFiles('quay.io', files, 'team/app'), { username: 'team', password: 't' }, 'a namespace entry');
  t.same(credentialsFromFiles('quay.io', files, 'other/app'), { username: 'quay', password: 'q' });
  t.same(credentialsFromFiles('ghcr.io', files), { username: 'gh', password: 'tok' }, 'username/password fields');
  t.equal(credentialsFromFiles('nowhere.example', files), undefined);
  t.equal(decodeAuthEntry({ auth: b64('nocolon') }), undefined);
  t.equal(decodeAuthEntry(null), undefined);
});

t.test('--creds', async (t) => {
  t.same(parseCredsFlag('u:p:q'), { username: 'u', password: 'p:q' });
  t.throws(() => parseCredsFlag('u'), { message: /--creds must be/ });
  t.throws(() => parseCredsFlag(':p'), { message: /--creds must be/ });
  t.throws(() => parseCredsFlag('u:'), { message: /--creds must be/ });
});
