// RegistryClient against an in-process registry: Bearer tokens (token or
// access_token, anonymous or with Basic credentials), redirects without the
// Authorization header, retries on 5xx, errors as one clear line.
import http from 'node:http';
import type net from 'node:net';
import t from 'tap';
import { RegistryClient } from '../../lib/image/registry/client.js';

t.test('bearer auth, redirects, retries', async (t) => {
  const seen: Array<{ url: string; auth?: string }> = [];
  let failures = 1;
  const srv = http.createServer((req, res) => {
    seen.push({ url: req.url!, auth: req.headers.authorization });
    const port = (srv.address() as net.AddressInfo).port;
    if (req.url === '/v2/') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="unit"` });
      return res.end();
    }
    if (req.url?.startsWith('/token')) {
      const u = new URL(req.url, 'http://x');
      if (u.searchParams.get('service') !== 'unit' || u.searchParams.get('scope') !== 'repository:team/app:pull') return res.writeHead(400).end();
      const basic = req.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(basic ? { token: 'user-token' } : { access_token: 'anon-token' }));
    }
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="unit"` });
      return res.end();
    }
    if (req.url === '/v2/team/app/manifests/flaky' && failures-- > 0) return res.writeHead(503).end();
    if (req.url?.startsWith('/v2/team/app/manifests/')) {
      if (req.url.endsWith('/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
      }
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      return res.end('{"schemaVersion":2}');
    }
    if (req.url === '/v2/team/app/blobs/sha256:abc') {
      res.writeHead(307, { location: '/storage/abc' });
      return res.end();
    }
    res.writeHead(404).end();
  });
  // The redirect target is on another host:port in real life; same server here, so check the header on /storage.
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
  const host = `127.0.0.1:${(srv.address() as net.AddressInfo).port}`;

  const anon = new RegistryClient(host, { tlsVerify: false, backoffMs: 1 });
  t.teardown(() => anon.close());
  const m = await anon.getManifest('team/app', 'latest', 'application/json');
  t.equal(m.body.toString(), '{"schemaVersion":2}');
  t.ok(seen.some((s) => s.auth === 'Bearer anon-token'), 'anonymous token from access_token');
  const flaky = await anon.getManifest('team/app', 'flaky', 'application/json');
  t.equal(flaky.body.toString(), '{"schemaVersion":2}', 'a 503 is retried');
  await t.rejects(anon.getManifest('team/app', 'missing', 'application/json'), { message: `${host}/team/app:missing: manifest unknown` });

  const user = new RegistryClient(host, { tlsVerify: false, credentials: { username: 'u', password: 'p' } });
  t.teardown(() => user.close());
  await user.getManifest('team/app', 'latest', 'application/json');
  t.ok(seen.some((s) => s.auth === 'Bearer user-token'), 'token from Basic credentials');
  await t.rejects(user.getBlob('team/app', 'sha256:abc'), { message: /blob sha256:abc/ }, 'the redirect is followed (to a 404 here)');
  t.ok(seen.some((s) => s.url === '/storage/abc'), 'redirect followed');
});

t.test('a registry that does not answer', async (t) => {
  const sockets: net.Socket[] = [];
  const srv = http.createServer(() => {});
  srv.on('connection', (s) => sockets.push(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => srv.close(() => r()));
  });
  const c = new RegistryClient(`127.0.0.1:${(srv.address() as net.AddressInfo).port}`, { tlsVerify: false, timeoutMs: 200, tries: 1 });
  t.teardown(() => c.close());
  await t.rejects(c.getManifest('x', 'latest', '*/*'), { message: /did not respond within 0\.2s/ });
});
