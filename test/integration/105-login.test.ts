// husk login / logout against a real registry (docker-registry with TLS and
// htpasswd): credentials are checked before they are kept, kept where podman
// keeps them (--authfile here), used by pull, and removed again.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { modes, newHusk } from '../helpers/husk.js';

import { registryToolsMissing, startRegistry } from '../helpers/registry.js';

const missing = registryToolsMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const tmp = fs.mkdtempSync('/tmp/hlogin-');
  fs.chmodSync(tmp, 0o755);
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const auth = { user: 'alice', password: 's3cret:with:colons' };
  const reg = await startRegistry({ dir: tmp, tls: true, auth });
  t.teardown(() => reg.stop());
  const registry = `localhost:${reg.port}`;
  // The same with plain http (basic auth and all), as a localhost registry is often run.
  const plain = await startRegistry({ dir: tmp, auth });
  t.teardown(() => plain.stop());

  for (const mode of modes()) {
    t.test(mode, async (t) => {
      const h = await newHusk(mode);
      t.teardown(() => h.cleanup());
      const authfile = path.join(h.dir, 'files', 'auth.json');
      const login = (...args: string[]) => h.run(['login', '--authfile', authfile, '--tls-verify=false', ...args]);

      await t.test('a wrong password is refused and nothing is kept', async (t) => {
        const r = await login('-u', auth.user, '-p', 'wrong', registry);
        t.equal(r.code, 125);
        t.match(r.stderr, /invalid username\/password/);
        t.notOk(fs.existsSync(authfile), 'no auth file written');
      });

      await t.test('a self-signed registry needs --tls-verify=false', async (t) => {
        const r = await h.run(['login', '--authfile', authfile, '-u', auth.user, '-p', auth.password, registry]);
        t.equal(r.code, 125);
        t.match(r.stderr, /--tls-verify=false/);
      });

      await t.test('login with --password-stdin, --get-login, logout', async (t) => {
        const r = await h.run(['login', '--authfile', authfile, '--tls-verify=false', '-u', auth.user, '--password-stdin', registry], { input: `${auth.password}\n` });
        t.equal(r.code, 0, r.stderr);
        t.equal(r.stdout, 'Login Succeeded!\n');
        const saved = JSON.parse(fs.readFileSync(authfile, 'utf8')) as { auths: Record<string, { auth: string }> };
        t.equal(Buffer.from(saved.auths[registry]!.auth, 'base64').toString(), `${auth.user}:${auth.password}`, 'kept as docker and podman keep it');
        t.equal((fs.statSync(authfile).mode & 0o777).toString(8), '600', 'readable by the user alone');
        const who = await login('--get-login', registry);
        t.same([who.code, who.stdout], [0, `${auth.user}\n`]);
        const out = await h.run(['logout', '--authfile', authfile, registry]);
        t.same([out.code, out.stdout], [0, `Removed login credentials for ${registry}\n`]);
        const again = await h.run(['logout', '--authfile', authfile, registry]);
        t.equal(again.code, 125);
        t.match(again.stderr, /not logged into/);
        const none = await login('--get-login', registry);
        t.equal(none.code, 125);
      });

      await t.test('logout --all', async (t) => {
        t.equal((await login('-u', auth.user, '-p', auth.password, registry)).code, 0);
        const r = await h.run(['logout', '--authfile', authfile, '--all']);
        t.same([r.code, r.stdout], [0, 'Removed login credentials for all registries\n']);
        t.same(JSON.parse(fs.readFileSync(authfile, 'utf8')).auths, {});
      });

      await t.test('login to a plain-http localhost registry speaks http, as pull, push and search do', async (t) => {
        const authfile2 = path.join(h.dir, 'files', 'auth-plain.json');
        const env = { REGISTRY_AUTH_FILE: authfile2 };
        for (const name of [`localhost:${plain.port}`, `127.0.0.1:${plain.port}`]) {
          const wrong = await h.run(['login', '-u', auth.user, '-p', 'wrong', name], { env });
          t.equal(wrong.code, 125, `${name}: a wrong password is refused`);
          t.match(wrong.stderr, /invalid username\/password/, `${name}: by the registry itself, reached over http`);
          const ok = await h.run(['login', '-u', auth.user, '-p', auth.password, name], { env });
          t.same([ok.code, ok.stdout], [0, 'Login Succeeded!\n'], `${name}: login without --tls-verify=false: ${ok.stderr}`);
        }
        await h.importBusybox();
        const ref = `localhost:${plain.port}/team/bb:1`;
        t.equal((await h.run(['tag', 'busybox', ref])).code, 0);
        const push = await h.run(['push', ref], { env });
        t.equal(push.code, 0, `push with the login: ${push.stderr}`);
        const search = await h.run(['search', `localhost:${plain.port}/bb`], { env });
        t.equal(search.code, 0, search.stderr);
        t.match(search.stdout, `localhost:${plain.port}/team/bb`, 'search with the login');
        t.equal((await h.run(['rmi', ref])).code, 0);
        const pull = await h.run(['pull', '-q', ref], { env });
        t.equal(pull.code, 0, `pull with the login: ${pull.stderr}`);
      });

      await t.test('without credentials and without a terminal', async (t) => {
        const r = await login(registry);
        t.equal(r.code, 125);
        t.match(r.stderr, /a username and a password are needed/);
      });
    });
  }
}
