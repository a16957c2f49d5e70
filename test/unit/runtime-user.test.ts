import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readLayeredFile, resolveUser } from '../../lib/runtime/user.js';
import { tempDir, usageError, writeTree } from './fixtures/helpers.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'app:x:1000:1000:App User:/home/app:/bin/sh',
  'nohome:x:1001:1001:::/bin/sh',
  'broken:x:abc:1:::',
  'short:x:7:7',
  '',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
].join('\n');

const GROUP = [
  'root:x:0:',
  'tty:x:5:',
  'staff:x:50:app,other',
  'app:x:1000:app',
  'extra:x:2000:other,app',
  'bad:x:notanumber:app',
  'nogroupfield:x:3000',
  'nohome:x:1001:',
].join('\n');

function image(t: Parameters<typeof tempDir>[0], files: Record<string, string> = { 'etc/passwd': PASSWD, 'etc/group': GROUP }): string[] {
  const dir = tempDir(t);
  writeTree(dir, files);
  return [dir];
}

t.test('by name: primary group from passwd, supplementary from group membership', async (t) => {
  t.same(resolveUser('app', image(t)), { uid: 1000, gid: 1000, additionalGids: [50, 2000], home: '/home/app' });
  t.same(resolveUser('root', image(t)), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  t.same(resolveUser('nobody', image(t)), { uid: 65534, gid: 65534, additionalGids: [], home: '/nonexistent' });
  t.same(resolveUser('nohome', image(t)), { uid: 1001, gid: 1001, additionalGids: [], home: '/' }, 'empty home becomes /');
});

t.test('by uid', async (t) => {
  t.same(resolveUser('1000', image(t)), { uid: 1000, gid: 1000, additionalGids: [50, 2000], home: '/home/app' });
  t.same(resolveUser('0', image(t)), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  t.same(resolveUser('4242', image(t)), { uid: 4242, gid: 0, additionalGids: [], home: '/' }, 'a uid without an entry: gid 0, home /');
});

t.test('USER:GROUP: explicit group, no supplementary groups', async (t) => {
  t.same(resolveUser('app:extra', image(t)), { uid: 1000, gid: 2000, additionalGids: [], home: '/home/app' });
  t.same(resolveUser('app:5', image(t)), { uid: 1000, gid: 5, additionalGids: [], home: '/home/app' });
  t.same(resolveUser('1000:tty', image(t)), { uid: 1000, gid: 5, additionalGids: [], home: '/home/app' });
  t.same(resolveUser('4242:4343', image(t)), { uid: 4242, gid: 4343, additionalGids: [], home: '/' });
  t.same(resolveUser('root:staff', image(t)), { uid: 0, gid: 50, additionalGids: [], home: '/root' });
});

t.test('unknown names and bad specs', async (t) => {
  usageError(t, () => resolveUser('ghost', image(t)), 'unable to find user ghost: no matching entries in passwd file');
  usageError(t, () => resolveUser('broken', image(t)), 'unable to find user broken'); // malformed passwd lines are ignored
  usageError(t, () => resolveUser('short', image(t)), 'unable to find user short');
  usageError(t, () => resolveUser('app:nogroup', image(t)), 'unable to find group nogroup: no matching entries in group file');
  usageError(t, () => resolveUser('app:bad', image(t)), 'unable to find group bad');
  usageError(t, () => resolveUser('', image(t)), 'invalid user "": expected USER[:GROUP]');
  usageError(t, () => resolveUser(':50', image(t)), 'invalid user ":50": expected USER[:GROUP]');
});

t.test('an image without /etc/passwd: numeric ids only', async (t) => {
  const layers = image(t, { 'bin/sh': '' });
  t.same(resolveUser('0', layers), { uid: 0, gid: 0, additionalGids: [], home: '/' });
  t.same(resolveUser('100:200', layers), { uid: 100, gid: 200, additionalGids: [], home: '/' });
  usageError(t, () => resolveUser('root', layers), 'unable to find user root');
  usageError(t, () => resolveUser('0:wheel', layers), 'unable to find group wheel');
  t.same(resolveUser('1', []), { uid: 1, gid: 0, additionalGids: [], home: '/' }, 'no layers at all');
});

t.test('layers: a user in a lower layer is hidden by the top layer file', async (t) => {
  const top = tempDir(t);
  const bottom = tempDir(t);
  writeTree(bottom, { 'etc/passwd': PASSWD, 'etc/group': GROUP });
  writeTree(top, { 'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nweb:x:33:33::/var/www:/bin/sh\n' });
  t.same(resolveUser('web', [top, bottom]), { uid: 33, gid: 33, additionalGids: [], home: '/var/www' });
  usageError(t, () => resolveUser('app', [top, bottom]), 'unable to find user app');
  // etc/group only exists in the bottom layer: still found.
  t.same(resolveUser('web:staff', [top, bottom]), { uid: 33, gid: 50, additionalGids: [], home: '/var/www' });
});

t.test('readLayeredFile: topmost layer wins, lower layers show through', async (t) => {
  const top = tempDir(t);
  const mid = tempDir(t);
  const bottom = tempDir(t);
  writeTree(bottom, { 'etc/a': 'bottom a', 'etc/b': 'bottom b', 'etc/c': 'bottom c' });
  writeTree(mid, { 'etc/b': 'mid b' });
  writeTree(top, { 'etc/a': 'top a' });
  const layers = [top, mid, bottom];
  t.equal(readLayeredFile(layers, 'etc/a'), 'top a');
  t.equal(readLayeredFile(layers, 'etc/b'), 'mid b');
  t.equal(readLayeredFile(layers, 'etc/c'), 'bottom c');
  t.equal(readLayeredFile(layers, 'etc/missing'), undefined);
  t.equal(readLayeredFile([], 'etc/a'), undefined);
  t.equal(readLayeredFile([bottom, top], 'etc/a'), 'bottom a', 'order is the caller\'s: first wins');
});

t.test('readLayeredFile: a non-file on top hides the lower file', async (t) => {
  const top = tempDir(t);
  const bottom = tempDir(t);
  writeTree(bottom, { 'etc/passwd': PASSWD, 'etc/group': GROUP });
  fs.mkdirSync(path.join(top, 'etc', 'passwd'), { recursive: true });
  fs.mkdirSync(path.join(top, 'etc'), { recursive: true });
  fs.symlinkSync('/etc/shadow', path.join(top, 'etc', 'group'));
  t.equal(readLayeredFile([top, bottom], 'etc/passwd'), undefined, 'directory');
  t.equal(readLayeredFile([top, bottom], 'etc/group'), undefined, 'symlinks are not followed out of the image');
});

const isRoot = process.getuid?.() === 0;
t.test('readLayeredFile: an overlay whiteout (char device 0/0) deletes the file', { skip: isRoot ? false : 'creating a whiteout needs root (mknod)' }, async (t) => {
  const top = tempDir(t);
  const bottom = tempDir(t);
  writeTree(bottom, { 'etc/passwd': PASSWD, 'etc/group': GROUP });
  fs.mkdirSync(path.join(top, 'etc'));
  execFileSync('mknod', [path.join(top, 'etc', 'passwd'), 'c', '0', '0']);
  t.equal(readLayeredFile([top, bottom], 'etc/passwd'), undefined);
  t.equal(readLayeredFile([top, bottom], 'etc/group'), GROUP);
  usageError(t, () => resolveUser('app', [top, bottom]), 'unable to find user app');
  t.same(resolveUser('1000', [top, bottom]), { uid: 1000, gid: 0, additionalGids: [], home: '/' });
});
