import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { buildContext, defaultPaths } from '../../lib/core/context.js';

const noNative = () => {
  throw new Error('no addon in this test');
};
import { tempDir } from './fixtures/helpers.js';

const myUid = process.getuid!();
const isRoot = myUid === 0;
// A rootless uid whose runtime directory we can own: our own, or (as root) one we chown to.
const UID = isRoot ? 4321 : myUid;

function ownedDir(t: Parameters<typeof tempDir>[0]): string {
  const dir = tempDir(t);
  if (isRoot) fs.chownSync(dir, UID, UID);
  return dir;
}

t.test('root: system paths whatever the environment', async (t) => {
  const want = { dataRoot: '/var/lib/husk', runRoot: '/run/husk', configRoot: '/etc/husk' };
  t.same(defaultPaths(0, {}), want);
  t.same(defaultPaths(0, { HOME: '/home/x', XDG_DATA_HOME: '/d', XDG_CONFIG_HOME: '/c', XDG_RUNTIME_DIR: '/run/user/0' }), want);
});

t.test('rootless: under HOME, runroot in /tmp without XDG_RUNTIME_DIR', async (t) => {
  t.same(defaultPaths(UID, { HOME: '/home/u' }), {
    dataRoot: '/home/u/.local/share/husk',
    runRoot: `/tmp/husk-${UID}`,
    configRoot: '/home/u/.config/husk',
  });
  t.same(defaultPaths(1000, {}).dataRoot, path.join(os.homedir(), '.local', 'share', 'husk'), 'no HOME: the account home');
});

t.test('rootless: XDG_DATA_HOME and XDG_CONFIG_HOME', async (t) => {
  t.same(defaultPaths(UID, { HOME: '/home/u', XDG_DATA_HOME: '/xdg/data', XDG_CONFIG_HOME: '/xdg/config' }), {
    dataRoot: '/xdg/data/husk',
    runRoot: `/tmp/husk-${UID}`,
    configRoot: '/xdg/config/husk',
  });
  t.same(defaultPaths(UID, { HOME: '/home/u', XDG_DATA_HOME: '', XDG_CONFIG_HOME: '' }).dataRoot, '/home/u/.local/share/husk', 'empty values are unset');
});

t.test('rootless: XDG_RUNTIME_DIR used only when it is our own directory', async (t) => {
  const dir = ownedDir(t);
  t.equal(defaultPaths(UID, { HOME: '/h', XDG_RUNTIME_DIR: dir }).runRoot, path.join(dir, 'husk'));
  const foreign = tempDir(t);
  fs.chownSync(foreign, isRoot ? UID + 1 : myUid, isRoot ? UID + 1 : myUid);
  if (isRoot) t.equal(defaultPaths(UID, { HOME: '/h', XDG_RUNTIME_DIR: foreign }).runRoot, `/tmp/husk-${UID}`, 'owned by another uid');
  t.equal(defaultPaths(UID, { HOME: '/h', XDG_RUNTIME_DIR: '/' }).runRoot, `/tmp/husk-${UID}`, '/ is root\'s');
  t.equal(defaultPaths(UID, { HOME: '/h', XDG_RUNTIME_DIR: path.join(dir, 'missing') }).runRoot, `/tmp/husk-${UID}`, 'missing');
  const file = path.join(dir, 'file');
  fs.writeFileSync(file, '');
  if (isRoot) fs.chownSync(file, UID, UID);
  t.equal(defaultPaths(UID, { HOME: '/h', XDG_RUNTIME_DIR: file }).runRoot, `/tmp/husk-${UID}`, 'not a directory');
  t.equal(defaultPaths(UID, { HOME: '/h', XDG_RUNTIME_DIR: '' }).runRoot, `/tmp/husk-${UID}`, 'empty');
});

t.test('buildContext: options override the defaults, paths made absolute', async (t) => {
  const ctx = buildContext({ native: noNative, root: 'rel/data', runroot: '/abs/run', env: { HOME: '/home/u', HUSK_STORAGE_DRIVER: 'vfs' } });
  t.equal(ctx.uid, myUid);
  t.equal(ctx.rootless, !isRoot);
  t.equal(ctx.paths.dataRoot, path.resolve('rel/data'));
  t.equal(ctx.paths.runRoot, '/abs/run');
  t.equal(ctx.paths.configRoot, defaultPaths(myUid, { HOME: '/home/u' }).configRoot);
  t.equal(ctx.storageDriver, 'vfs', 'HUSK_STORAGE_DRIVER');
  t.equal(buildContext({ native: noNative, storageDriver: 'overlay', env: { HUSK_STORAGE_DRIVER: 'vfs' } }).storageDriver, 'overlay', '--storage-driver wins');
  t.equal(buildContext({ native: noNative, env: { HUSK_STORAGE_DRIVER: '' } }).storageDriver, undefined);
  t.same(buildContext({ native: noNative, env: { HOME: '/home/u' } }).paths, defaultPaths(myUid, { HOME: '/home/u' }));
  if (isRoot) {
    t.equal(ctx.user, 'root');
    t.equal(ctx.userns(), undefined, 'no user namespace as root');
  } else {
    t.equal(ctx.userns(), ctx.userns(), 'computed once');
  }
});
