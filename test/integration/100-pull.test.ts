// husk pull from a real registry (Debian's docker-registry, filled by skopeo):
// plain HTTP on loopback, TLS with basic auth, a proxy that corrupts a blob,
// a missing tag, a registry that never answers, and `run` pulling what is missing.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { fixtures, lines, modes, newHusk } from '../helpers/husk.js';

import { registryToolsMissing, skopeoCopy, startRegistry, writeOciLayout } from '../helpers/registry.js';

const missing = registryToolsMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const tmp = fs.mkdtempSync('/tmp/hpull-');
  fs.chmodSync(tmp, 0o755);
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const layout = path.join(tmp, 'layout');
  const { layerDigest, configDigest } = writeOciLayout(fixtures.busyboxTar, layout, { tag: 'latest' });
  const imageId = configDigest;

  const reg = await startRegistry({ dir: tmp });
  t.teardown(() => reg.stop());
  skopeoCopy(`oci:${layout}:latest`, `docker://${reg.host}/busybox:latest`);
  const name = `localhost:${reg.port}/busybox:latest`;

  // A proxy to the registry that flips one byte in the middle of the layer blob.
  const proxy = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: reg.port, path: req.url, method: req.method, headers: req.headers }, (ur) => {
      const corrupt = req.url?.endsWith(`/blobs/${layerDigest}`) && ur.statusCode === 200;
      if (!corrupt) {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      ur.on('data', (c: Buffer) => chunks.push(c));
      ur.on('end', () => {
        const body = Buffer.concat(chunks);
        const i = Math.floor(body.length / 2);
        body[i] = body[i]! ^ 0xff;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
        res.end(body);
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyPort = (proxy.address() as net.AddressInfo).port;
  t.teardown(() => new Promise<void>((r) => proxy.close(() => r())));

  // A "registry" that accepts connections and never answers.
  const sockets = new Set<net.Socket>();
  const hang = net.createServer((s) => sockets.add(s));
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  const hangPort = (hang.address() as net.AddressInfo).port;
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => hang.close(() => r()));
  });

  const auth = { user: 'husk', password: 'secret-pw' };
  const tlsReg = await startRegistry({ dir: tmp, tls: true, auth });
  t.teardown(() => tlsReg.stop());
  skopeoCopy(`oci:${layout}:latest`, `docker://${tlsReg.host}/private/busybox:v1`, { destCreds: `${auth.user}:${auth.password}`, destCertDir: tlsReg.certDir! });

  for (const mode of modes()) {
    t.test(mode, async (t) => {
      const h = await newHusk(mode);
      t.teardown(() => h.cleanup());

      t.test('pull over plain HTTP with --tls-verify=false', async (t) => {
        const r = await h.run(['pull', '--tls-verify=false', name]);
        t.equal(r.code, 0, 'pull succeeds');
        const out = lines(r.stdout);
        t.equal(out[out.length - 1], imageId, 'the image id last');
        t.match(r.stderr, `Trying to pull ${name}...`);
        t.match(r.stderr, `Copying blob ${layerDigest.slice(7, 19)} done`);
        t.match(r.stderr, 'Writing manifest to image destination');
        const images = await h.run(['images']);
        t.match(images.stdout, new RegExp(`localhost:${reg.port}/busybox\\s+latest\\s+${imageId.slice(7, 19)}`));
        const run = await h.run(['run', '--rm', name, 'echo', 'hi']);
        t.same([run.code, run.stdout], [0, 'hi\n'], 'the pulled image runs');
      });

      t.test('pulling again reuses the layer; -q prints only the id', async (t) => {
        const r = await h.run(['pull', '--tls-verify=false', name]);
        t.equal(r.code, 0);
        t.match(r.stderr, 'skipped: already exists');
        const q = await h.run(['pull', '-q', name]);
        t.same([q.code, q.stdout, q.stderr], [0, `${imageId}\n`, ''], 'localhost over http without --tls-verify=false too');
      });

      t.test('a corrupted blob is refused and nothing is stored under its digest', async (t) => {
        const h2 = await newHusk(mode);
        t.teardown(() => h2.cleanup());
        const r = await h2.run(['pull', '--tls-verify=false', `127.0.0.1:${proxyPort}/busybox:latest`]);
        t.equal(r.code, 125);
        t.match(r.stderr, layerDigest, 'naming the digest');
        t.match(r.stderr, /digest mismatch/);
        const images = await h2.run(['images', '-q']);
        t.same([images.code, images.stdout], [0, ''], 'images reads cleanly, and lists nothing');
        const stored = h2.listStore();
        t.notOk(stored.some((p) => p.includes(layerDigest.slice(7))), 'no blob under the layer digest');
        t.notOk(stored.some((p) => /\.tmp/.test(p)), 'no temp files left');
      });

      t.test('a missing tag: 125 and manifest unknown', async (t) => {
        const r = await h.run(['pull', '--tls-verify=false', `localhost:${reg.port}/busybox:nope`]);
        t.equal(r.code, 125);
        t.match(r.stderr, /manifest unknown/);
        const m = await h.run(['pull', '--tls-verify=false', `localhost:${reg.port}/nothing/here`]);
        t.equal(m.code, 125);
        t.match(m.stderr, /unknown/);
      });

      t.test('a registry that never answers times out clearly', async (t) => {
        const r = await h.run(['pull', '--tls-verify=false', `127.0.0.1:${hangPort}/busybox`], { env: { HUSK_REGISTRY_TIMEOUT: '1' }, timeoutMs: 30_000 });
        t.equal(r.code, 125);
        t.match(r.stderr, /did not respond within 1s/);
      });

      t.test('TLS and basic auth', async (t) => {
        const ref = `${tlsReg.host}/private/busybox:v1`;
        const no = await h.run(['pull', '--tls-verify=false', ref]);
        t.equal(no.code, 125, 'refused without credentials');
        t.match(no.stderr, /authentication|unauthorized/i);
        const bad = await h.run(['pull', '--tls-verify=false', '--creds', 'husk:wrong', ref]);
        t.equal(bad.code, 125, 'refused with a wrong password');
        const strict = await h.run(['pull', '--creds', `${auth.user}:${auth.password}`, ref]);
        t.equal(strict.code, 125, 'a self-signed certificate is not trusted by default');
        t.match(strict.stderr, /certificate/);
        const ok = await h.run(['pull', '--tls-verify=false', '--creds', `${auth.user}:${auth.password}`, ref]);
        t.equal(ok.code, 0, 'pulled with --creds');
        t.equal(lines(ok.stdout).pop(), imageId);
      });

      t.test('the registry\'s CA from --cert-dir or the user\'s certs.d verifies TLS', async (t) => {
        const h5 = await newHusk(mode);
        t.teardown(() => h5.cleanup());
        const ref = `${tlsReg.host}/private/busybox:v1`;
        const creds = ['--creds', `${auth.user}:${auth.password}`];
        const dir = await h5.run(['pull', '-q', '--cert-dir', tlsReg.certDir!, ...creds, ref]);
        t.same([dir.code, dir.stdout], [0, `${imageId}\n`], `--cert-dir: ${dir.stderr}`);
        const missing = await h5.run(['pull', '-q', '--cert-dir', path.join(h5.dir, 'nope'), ...creds, ref]);
        t.equal(missing.code, 125);
        t.match(missing.stderr, /--cert-dir .*nope: not a directory/);
        t.equal((await h5.run(['rmi', ref])).code, 0);
        // $XDG_CONFIG_HOME/containers/certs.d/HOST:PORT/ca.crt, as podman reads it.
        let d = h5.dir;
        for (const part of ['config', 'containers', 'certs.d', tlsReg.host]) {
          d = path.join(d, part);
          fs.mkdirSync(d, { recursive: true });
          fs.chownSync(d, h5.uid, h5.gid);
        }
        fs.copyFileSync(tlsReg.caCert!, path.join(d, 'ca.crt'));
        fs.chownSync(path.join(d, 'ca.crt'), h5.uid, h5.gid);
        const user = await h5.run(['pull', '-q', ...creds, ref], { env: { XDG_CONFIG_HOME: path.join(h5.dir, 'config') } });
        t.same([user.code, user.stdout], [0, `${imageId}\n`], `certs.d: ${user.stderr}`);
      });

      t.test('credentials from auth.json', async (t) => {
        const h3 = await newHusk(mode);
        t.teardown(() => h3.cleanup());
        const file = path.join(h3.dir, 'auth.json');
        fs.writeFileSync(file, JSON.stringify({ auths: { [tlsReg.host]: { auth: Buffer.from(`${auth.user}:${auth.password}`).toString('base64') } } }));
        fs.chownSync(file, h3.uid, h3.gid);
        const r = await h3.run(['pull', '-q', '--tls-verify=false', `${tlsReg.host}/private/busybox:v1`], { env: { REGISTRY_AUTH_FILE: file } });
        t.same([r.code, r.stdout], [0, `${imageId}\n`], 'pulled with credentials from auth.json');
      });

      t.test('an invalid reference is refused before any network: UPPER/x, a port out of range', async (t) => {
        for (const [ref, why] of [
          ['UPPER/x', /invalid reference format "UPPER\/x": repository name component "UPPER" must be lowercase/],
          ['localhost:99999/x', /invalid reference format "localhost:99999\/x": port 99999 of "localhost:99999" is out of range \(1 to 65535\)/],
        ] as const) {
          const r = await h.run(['pull', ref], { env: { HUSK_REGISTRY_TIMEOUT: '5' } });
          t.equal(r.code, 125, `${ref}: exit 125`);
          t.equal(lines(r.stderr).length, 1, `${ref}: one line`);
          t.match(r.stderr, why, `${ref}: says what is wrong`);
          t.notMatch(r.stderr, /Trying to pull|resolve|Invalid URL/, `${ref}: no DNS, no URL error`);
        }
      });

      t.test('RepoDigests of an image pulled by digest: name@sha256:..., not name@sha256@sha256:...', async (t) => {
        const h5 = await newHusk(mode);
        t.teardown(() => h5.cleanup());
        const digest = (await h.run(['image', 'inspect', '--format', '{{.Digest}}', name])).stdout.trim();
        t.match(digest, /^sha256:[0-9a-f]{64}$/);
        const byDigest = `localhost:${reg.port}/busybox@${digest}`;
        t.equal((await h5.run(['pull', '-q', byDigest])).code, 0);
        const info = JSON.parse((await h5.run(['image', 'inspect', byDigest])).stdout)[0] as { RepoDigests: string[] };
        t.same(info.RepoDigests, [byDigest], 'one repository, one digest');
      });

      t.test('run pulls a missing image first', async (t) => {
        const h4 = await newHusk(mode);
        t.teardown(() => h4.cleanup());
        const r = await h4.run(['run', '--rm', name, 'echo', 'pulled']);
        t.same([r.code, r.stdout], [0, 'pulled\n'], 'the container ran');
        t.match(r.stderr, `Trying to pull ${name}...`, 'progress on stderr');
        const again = await h4.run(['run', '--rm', name, 'true']);
        t.same([again.code, again.stderr], [0, ''], 'no pull once present');
      });
    });
  }
}
