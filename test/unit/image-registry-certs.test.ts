// certs.d: a registry's CAs (*.crt) and client certificate (*.cert + *.key),
// from --cert-dir alone or from the user's and the system's directories.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { certsDirs, tlsMaterialFor } from '../../lib/image/registry/certs.js';

const PEM = (what: string) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(what).toString('base64')}\n-----END CERTIFICATE-----\n`;

t.test('the user\'s directory first, then /etc/containers and /etc/docker', async (t) => {
  const dirs = certsDirs('reg.example:5000', { HOME: '/home/u' });
  t.same(dirs, ['/home/u/.config/containers/certs.d/reg.example:5000', '/etc/containers/certs.d/reg.example:5000', '/etc/docker/certs.d/reg.example:5000']);
  t.equal(certsDirs('r', { HOME: '/h', XDG_CONFIG_HOME: '/x' })[0], '/x/containers/certs.d/r');
});

t.test('CAs join the system ones; a client certificate needs its key', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'husk-certs-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  t.equal(tlsMaterialFor('none.example', dir), undefined, 'an empty directory: nothing');
  fs.writeFileSync(path.join(dir, 'ca.crt'), PEM('my ca'));
  const withCa = tlsMaterialFor('reg.example', dir)!;
  t.ok(withCa.ca!.includes(PEM('my ca')), 'the registry\'s CA');
  t.ok(withCa.ca!.length > 1, 'and the system\'s (an explicit ca replaces Node\'s own set)');
  t.equal(withCa.cert, undefined);
  fs.writeFileSync(path.join(dir, 'client.cert'), 'CERT');
  t.throws(() => tlsMaterialFor('reg.example', dir), /client\.cert: client certificate without its key client\.key/);
  fs.writeFileSync(path.join(dir, 'client.key'), 'KEY');
  const withClient = tlsMaterialFor('reg.example', dir)!;
  t.same([withClient.cert, withClient.key], ['CERT', 'KEY']);
  fs.writeFileSync(path.join(dir, 'lonely.key'), 'KEY');
  t.throws(() => tlsMaterialFor('reg.example', dir), /lonely\.key: key without its client certificate lonely\.cert/);
  t.throws(() => tlsMaterialFor('reg.example', path.join(dir, 'missing')), /--cert-dir .*missing: not a directory/);
});
