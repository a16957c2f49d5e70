// docker cp's rules, without containers: how an argument is read, and where
// a source goes for each kind of destination.
import t, { type Test } from 'tap';
import { parseCpArg, planCopy } from '../../lib/engine/cp.js';
import { NotFoundError } from '../../lib/core/errors.js';
import { usageError } from './fixtures/helpers.js';

function notFound(t: Test, fn: () => unknown, message: RegExp, what: string): void {
  try {
    fn();
    t.fail(`${what}: nothing thrown`);
  } catch (err) {
    t.ok(err instanceof NotFoundError, `${what}: a NotFoundError (exit 125)`);
    t.match((err as Error).message, message);
  }
}

const missing = { exists: false, isDir: false, parentDir: true };
const dir = { exists: true, isDir: true, parentDir: true };
const file = { exists: true, isDir: false, parentDir: true };

t.test('arguments: "-", local paths, CONTAINER:PATH', async (t) => {
  t.same(parseCpArg('-'), { kind: 'stream' });
  t.same(parseCpArg('/tmp/a:b'), { kind: 'host', path: '/tmp/a:b' }, 'an absolute path is local, colon or not');
  t.same(parseCpArg('./c:d'), { kind: 'host', path: './c:d' });
  t.same(parseCpArg('file.txt'), { kind: 'host', path: 'file.txt' });
  t.same(parseCpArg('web:/etc/hosts'), { kind: 'container', container: 'web', path: '/etc/hosts' });
  t.same(parseCpArg('web:etc/hosts'), { kind: 'container', container: 'web', path: 'etc/hosts' }, 'relative: resolved from the container\'s WORKDIR later');
  usageError(t, () => parseCpArg('web:'), /path in the container is empty/);
  usageError(t, () => parseCpArg(''), /empty path/);
});

t.test('a file', async (t) => {
  t.same(planCopy('/a/f', false, '/d', dir), { destDir: '/d', name: 'f', contents: false }, 'into a directory, its name kept');
  t.same(planCopy('/a/f', false, '/d/g', file), { destDir: '/d', name: 'g', contents: false }, 'over a file');
  t.same(planCopy('/a/f', false, '/d/new', missing), { destDir: '/d', name: 'new', contents: false }, 'to a new name');
  notFound(t, () => planCopy('/a/f', false, '/d/new/', missing), /\/d\/new\/: no such directory/, 'a missing directory named with a slash');
  notFound(t, () => planCopy('/a/f', false, '/x/y/z', { exists: false, isDir: false, parentDir: false }), /\/x\/y: no such directory/, 'a missing parent');
});

t.test('a directory', async (t) => {
  t.same(planCopy('/a/src', true, '/d', dir), { destDir: '/d', name: 'src', contents: false }, 'into a directory');
  t.same(planCopy('/a/src/.', true, '/d', dir), { destDir: '/d', contents: true }, 'SRC/.: its contents');
  t.same(planCopy('/a/src', true, '/d/new', missing), { destDir: '/d', name: 'new', contents: false }, 'a missing destination is made from it');
  t.same(planCopy('/', true, '/d', dir), { destDir: '/d', contents: true }, 'the root: its contents');
  usageError(t, () => planCopy('/a/src', true, '/d/f', file), /cannot copy a directory to a file/);
});
