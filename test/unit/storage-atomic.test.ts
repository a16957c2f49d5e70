import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ensureOwnedDir, mkdirPrivate, readJson, readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../../lib/storage/atomic.js';
import { tempDir } from './fixtures/helpers.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

t.test('writeFileAtomic: content, no temporary file left', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'state.json');
  writeFileAtomic(file, 'one');
  t.equal(fs.readFileSync(file, 'utf8'), 'one');
  writeFileAtomic(file, new Uint8Array([0x74, 0x77, 0x6f]));
  t.equal(fs.readFileSync(file, 'utf8'), 'two', 'replaced');
  t.same(fs.readdirSync(dir), ['state.json']);
});

t.test('writeFileAtomic: mode 0600 by default, or as given (umask aside)', async (t) => {
  const dir = tempDir(t);
  const old = process.umask(0o022);
  t.teardown(() => { process.umask(old); });
  writeFileAtomic(path.join(dir, 'a'), 'x');
  t.equal(mode(path.join(dir, 'a')), 0o600);
  writeFileAtomic(path.join(dir, 'b'), 'x', 0o644);
  t.equal(mode(path.join(dir, 'b')), 0o644);
  writeFileAtomic(path.join(dir, 'c'), 'x', 0o666);
  t.equal(mode(path.join(dir, 'c')), 0o644, 'umask applies');
  // Replacing a file gives it the new file's mode.
  fs.writeFileSync(path.join(dir, 'd'), 'old', { mode: 0o666 });
  fs.chmodSync(path.join(dir, 'd'), 0o666);
  writeFileAtomic(path.join(dir, 'd'), 'new');
  t.equal(mode(path.join(dir, 'd')), 0o600);
});

t.test('writeFileAtomic: failures leave nothing behind', async (t) => {
  const dir = tempDir(t);
  t.throws(() => writeFileAtomic(path.join(dir, 'missing', 'f'), 'x'), { code: 'ENOENT' });
  fs.mkdirSync(path.join(dir, 'isdir'));
  fs.writeFileSync(path.join(dir, 'isdir', 'inside'), '');
  t.throws(() => writeFileAtomic(path.join(dir, 'isdir'), 'x'), /EISDIR|ENOTEMPTY|EEXIST/);
  t.same(fs.readdirSync(dir).sort(), ['isdir'], 'temporary file removed after a failed rename');
});

t.test('writeJsonAtomic / readJson / readJsonIfExists', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'c.json');
  t.equal(readJsonIfExists(file), undefined, 'missing file');
  writeJsonAtomic(file, { a: 1, b: ['x'] });
  t.equal(fs.readFileSync(file, 'utf8'), '{\n  "a": 1,\n  "b": [\n    "x"\n  ]\n}\n');
  t.same(readJson(file), { a: 1, b: ['x'] });
  t.same(readJsonIfExists(file), { a: 1, b: ['x'] });
  fs.writeFileSync(file, '{broken');
  t.throws(() => readJsonIfExists(file), { name: 'SyntaxError' }, 'corrupt JSON is not "missing"');
  t.throws(() => readJsonIfExists(dir), { code: 'EISDIR' });
  t.equal(readJsonIfExists(path.join(dir, 'no', 'such', 'dir.json')), undefined);
});

t.test('mkdirPrivate and ensureOwnedDir', async (t) => {
  const dir = tempDir(t);
  const uid = process.getuid!();
  const old = process.umask(0o022);
  t.teardown(() => { process.umask(old); });
  const nested = path.join(dir, 'a', 'b');
  mkdirPrivate(nested);
  t.equal(mode(nested), 0o700);
  ensureOwnedDir(path.join(dir, 'run'), uid);
  t.equal(mode(path.join(dir, 'run')), 0o700);
  fs.chmodSync(path.join(dir, 'run'), 0o777);
  t.throws(() => ensureOwnedDir(path.join(dir, 'run'), uid), /must be a directory owned by uid \d+ and writable only by it/);
  t.throws(() => ensureOwnedDir(nested, uid + 1), new RegExp(`${nested} must be a directory owned by uid ${uid + 1}`));
  fs.symlinkSync(nested, path.join(dir, 'link'));
  t.throws(() => ensureOwnedDir(path.join(dir, 'link'), uid), /must be a directory owned/, 'a symlink is refused');
});
