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

      await t.test('without credentials and without a terminal', async (t) => {
        const r = await login(registry);
        t.equal(r.code, 125);
        t.match(r.stderr, /a username and a password are needed/);
      });
    });
  }
}
