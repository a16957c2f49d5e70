import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import tar from 'tar-stream';
import { UsageError } from '../../lib/core/errors.js';
import { checksumSources, layerTar, openBuildContext, resolveSources } from '../../lib/build/context.js';
import type { SourceItem, TarFile, TarOptions } from '../../lib/build/context.js';
import { sha256File } from '../../lib/build/checksum.js';
import { cleanPath, globMatch, parseIgnoreFile, PatternMatcher } from '../../lib/build/patterns.js';
import { tempDir, usageError, writeTree } from './fixtures/helpers.js';

/** rel of every entry of every item, as `item:entry`. */
const listing = (items: SourceItem[]): string[] => items.flatMap((i) => i.entries.map((e) => `${i.rel}:${e.rel}`));

async function rejectsUsage(t: Test, p: Promise<unknown>, message: string): Promise<void> {
  try {
    await p;
    t.fail(`expected UsageError: ${message}`);
  } catch (err) {
    t.ok(err instanceof UsageError, `UsageError, got ${(err as Error).constructor.name}`);
    t.equal((err as Error).message, message);
  }
}

// ---------------------------------------------------------------- patterns

t.test('cleanPath is Go filepath.Clean', async (t) => {
  t.equal(cleanPath(''), '.');
  t.equal(cleanPath('./a/b/'), 'a/b');
  t.equal(cleanPath('a/../../b'), '../b');
  t.equal(cleanPath('/../a'), '/a');
  t.equal(cleanPath('/'), '/');
});

t.test('globMatch is Go filepath.Match', async (t) => {
  t.ok(globMatch('*.txt', 'a.txt'));
  t.notOk(globMatch('*.txt', 'a/b.txt'), '* stops at /');
  t.ok(globMatch('a?c', 'abc'));
  t.ok(globMatch('[a-c]x', 'bx'));
  t.notOk(globMatch('[^a-c]x', 'bx'));
  t.ok(globMatch('\\*', '*'));
  t.notOk(globMatch('\\*', 'a'));
  t.ok(globMatch('**', 'abc'), '** is * for Go');
  t.ok(globMatch('a.(b)+', 'a.(b)+'), 'regexp syntax is literal');
  usageError(t, () => globMatch('[', 'a'));
  usageError(t, () => globMatch('[]', 'a'));
  usageError(t, () => globMatch('a\\', 'a'));
});

t.test('the ignore file as moby reads it', async (t) => {
  const text = '\uFEFF# comment\n  # not a comment\n\n /abs/x/ \n!./keep\n! spaced\r\nsub/../other\n';
  t.same(parseIgnoreFile(text), ['# not a comment', 'abs/x', '!keep', '!spaced', 'other']);
});

t.test('PatternMatcher: moby semantics', async (t) => {
  const m = new PatternMatcher(['*.log', '!keep.log', '**/node_modules', 'build', '!build/keep', 'docs/**', '**/*.tmp'], '.dockerignore');
  t.ok(m.matches('a.log'));
  t.notOk(m.matches('keep.log'), 'a later exception wins');
  t.notOk(m.matches('sub/a.log'), '* does not cross /');
  t.ok(m.matches('node_modules'));
  t.ok(m.matches('x/y/node_modules/z/file'), 'a parent matching excludes the contents');
  t.ok(m.matches('build/out'));
  t.notOk(m.matches('build/keep'));
  t.notOk(m.matches('build/keep/deeper'), 'an exception matching a parent re-includes');
  t.ok(m.matches('docs/a/b'));
  t.ok(m.matches('a/b/c.tmp'));
  t.ok(m.matches('c.tmp'), '**/ matches no directory too');
  t.ok(m.mayIncludeBelow('build'));
  t.notOk(m.mayIncludeBelow('docs'));
  const any = new PatternMatcher(['**/foo'], 'x');
  t.ok(any.matches('a/b/foo') && any.matches('foo'));
  t.notOk(any.matches('barfoo'));
  // moby's suffix match: `**foo` is any path ending in foo.
  t.ok(new PatternMatcher(['**foo'], 'x').matches('a/barfoo'));
  // Later lines win both ways.
  const m2 = new PatternMatcher(['!a', 'a'], 'x');
  t.ok(m2.matches('a'));
  t.throws(() => new PatternMatcher(['!'], '.dockerignore'), /illegal exclusion pattern/);
  usageError(t, () => new PatternMatcher(['a['], '.dockerignore'));
});

// ---------------------------------------------------------------- context

function sampleContext(t: Test): string {
  const dir = tempDir(t, 'husk-ctx-');
  writeTree(dir, {
    Dockerfile: 'FROM scratch\n',
    'app.log': 'x',
    'keep.log': 'k',
    'src/main.c': 'int main;',
    'src/util.c': 'u',
    'src/notes.txt': 'n',
    'node_modules/dep/index.js': 'd',
    'web/node_modules/dep/index.js': 'd',
    'web/index.html': 'h',
    'build/out.o': 'o',
    'build/keep/readme': 'r',
  });
  fs.writeFileSync(path.join(dir, '.dockerignore'), '*.log\n!keep.log\n**/node_modules\nbuild\n!build/keep\n');
  return dir;
}

t.test('openBuildContext: .dockerignore with exceptions', async (t) => {
  const dir = sampleContext(t);
  const ctx = openBuildContext(dir);
  t.equal(ctx.root, dir);
  t.ok(ctx.ignored('app.log'));
  t.notOk(ctx.ignored('keep.log'));
  t.ok(ctx.ignored('web/node_modules/dep/index.js'));
  t.ok(ctx.ignored('./node_modules'));
  t.notOk(ctx.ignored('.'), 'the root is never excluded');
  const items = await resolveSources(ctx, ['.']);
  t.same(listing(items), [
    '.:',
    '.:.dockerignore',
    '.:Dockerfile',
    '.:build',
    '.:build/keep',
    '.:build/keep/readme',
    '.:keep.log',
    '.:src',
    '.:src/main.c',
    '.:src/notes.txt',
    '.:src/util.c',
    '.:web',
    '.:web/index.html',
  ]);
  t.equal(items[0]!.type, 'dir');
});

t.test('openBuildContext: <Dockerfile>.dockerignore first, none is nothing ignored', async (t) => {
  const dir = tempDir(t, 'husk-ctx-');
  writeTree(dir, { 'a.txt': 'a', 'b.txt': 'b', 'docker/app.Dockerfile': 'FROM scratch\n' });
  t.notOk(openBuildContext(dir).ignored('a.txt'), 'no ignore file');
  fs.writeFileSync(path.join(dir, '.dockerignore'), 'a.txt\n');
  fs.writeFileSync(path.join(dir, 'docker/app.Dockerfile.dockerignore'), 'b.txt\n');
  const withDockerfile = openBuildContext(dir, path.join(dir, 'docker/app.Dockerfile'));
  t.ok(withDockerfile.ignored('b.txt'));
  t.notOk(withDockerfile.ignored('a.txt'), 'the root .dockerignore is not read then');
  const plain = openBuildContext(dir, path.join(dir, 'Dockerfile'));
  t.ok(plain.ignored('a.txt'));
  usageError(t, () => openBuildContext(path.join(dir, 'missing')));
});

t.test('resolveSources: files, directories, globs', async (t) => {
  const dir = sampleContext(t);
  const ctx = openBuildContext(dir);
  const file = await resolveSources(ctx, ['src/main.c']);
  t.equal(file.length, 1);
  t.equal(file[0]!.type, 'file');
  t.equal(file[0]!.rel, 'src/main.c');
  t.same(file[0]!.entries.map((e) => [e.rel, e.type, e.size, e.hostPath]), [['', 'file', 9, path.join(dir, 'src/main.c')]]);
  t.same(listing(await resolveSources(ctx, ['/src/'])), ['src:', 'src:main.c', 'src:notes.txt', 'src:util.c'], 'a leading / is the root');
  t.same(listing(await resolveSources(ctx, ['src/*.c'])), ['src/main.c:', 'src/util.c:']);
  t.same(listing(await resolveSources(ctx, ['*/index.html', '*.log'])), ['web/index.html:', 'keep.log:'], 'ignored files never match');
  t.same(await resolveSources(ctx, ['*.nothing']), [], 'a wildcard may match nothing (buildkit)');
  t.same(listing(await resolveSources(ctx, ['build'])), ['build:', 'build:keep', 'build:keep/readme'], 'an excluded dir through its exception');
  t.same(listing(await resolveSources(ctx, ['./src/../keep.log'])), ['keep.log:']);
});

t.test('resolveSources: errors', async (t) => {
  const dir = sampleContext(t);
  const ctx = openBuildContext(dir);
  await rejectsUsage(t, resolveSources(ctx, ['../x']), 'forbidden path outside the build context: ../x');
  await rejectsUsage(t, resolveSources(ctx, ['src/../../etc/passwd']), 'forbidden path outside the build context: src/../../etc/passwd');
  await rejectsUsage(t, resolveSources(ctx, ['missing.txt']), 'file not found in build context or excluded by .dockerignore: missing.txt');
  await rejectsUsage(t, resolveSources(ctx, ['app.log']), 'file not found in build context or excluded by .dockerignore: app.log');
  await rejectsUsage(t, resolveSources(ctx, ['node_modules/dep']), 'file not found in build context or excluded by .dockerignore: node_modules/dep');
  await rejectsUsage(t, resolveSources(ctx, ['src/main.c/x']), 'file not found in build context or excluded by .dockerignore: src/main.c/x');
  const r = await resolveSources(ctx, ['/../keep.log']);
  t.equal(r[0]!.rel, 'keep.log', '/.. stays at the root');
});

t.test('resolveSources: symlinks resolve inside the context', async (t) => {
  const dir = tempDir(t, 'husk-ctx-');
  writeTree(dir, { 'etc/hostname': 'inside\n', 'data/a': 'a' });
  fs.symlinkSync('/etc/hostname', path.join(dir, 'abs'));
  fs.symlinkSync('../../../etc/hostname', path.join(dir, 'data/up'));
  fs.symlinkSync('/etc/passwd', path.join(dir, 'missing'));
  fs.symlinkSync('data', path.join(dir, 'datalink'));
  fs.symlinkSync('loop', path.join(dir, 'loop'));
  const ctx = openBuildContext(dir);
  for (const src of ['abs', 'data/up']) {
    const [item] = await resolveSources(ctx, [src]);
    t.equal(item!.rel, src, 'named as matched');
    t.equal(item!.type, 'file');
    t.equal(item!.entries[0]!.hostPath, path.join(dir, 'etc/hostname'), `${src}: the context's file, never the host's`);
  }
  await rejectsUsage(t, resolveSources(ctx, ['missing']), 'file not found in build context or excluded by .dockerignore: missing');
  t.same(listing(await resolveSources(ctx, ['datalink'])), ['datalink:', 'datalink:a', 'datalink:up'], 'a directory symlink named is followed');
  t.same(listing(await resolveSources(ctx, ['datalink/a'])), ['datalink/a:']);
  await rejectsUsage(t, resolveSources(ctx, ['loop']), 'loop: too many levels of symbolic links');
  // Walking never follows: the links are entries.
  const all = (await resolveSources(ctx, ['.']))[0]!;
  const abs = all.entries.find((e) => e.rel === 'abs')!;
  t.equal(abs.type, 'symlink');
  t.equal(abs.linkTarget, '/etc/hostname');
  t.equal(all.entries.find((e) => e.rel === 'datalink')!.type, 'symlink');
  t.notOk(all.entries.some((e) => e.rel.startsWith('datalink/')));
  // A wildcard that matches a link follows it (in the context).
  const [w] = await resolveSources(ctx, ['ab*']);
  t.equal(w!.entries[0]!.hostPath, path.join(dir, 'etc/hostname'));
  // But a wildcard search does not enter linked directories (filepath.Walk), a literal prefix does.
  t.same(listing(await resolveSources(ctx, ['*/a'])), ['data/a:']);
  t.same(listing(await resolveSources(ctx, ['datalink/?'])), ['datalink/a:']);
});

t.test('resolveSources: special files are skipped, hard links found', async (t) => {
  const dir = tempDir(t, 'husk-ctx-');
  writeTree(dir, { 'd/one': 'same', 'd/z': 'z' });
  fs.linkSync(path.join(dir, 'd/one'), path.join(dir, 'd/two'));
  fs.linkSync(path.join(dir, 'd/one'), path.join(dir, 'd/a-first'));
  const { execFileSync } = await import('node:child_process');
  execFileSync('mkfifo', [path.join(dir, 'd/fifo')]);
  const [item] = await resolveSources(openBuildContext(dir), ['d']);
  t.same(
    item!.entries.map((e) => [e.rel, e.hardlinkOf]),
    [
      ['', undefined],
      ['a-first', undefined],
      ['one', 'a-first'],
      ['two', 'a-first'],
      ['z', undefined],
    ],
  );
});

t.test('resolveSources: --exclude, relative to the source', async (t) => {
  const dir = sampleContext(t);
  const ctx = openBuildContext(dir);
  t.same(listing(await resolveSources(ctx, ['src'], { exclude: ['*.txt'] })), ['src:', 'src:main.c', 'src:util.c']);
  t.same(listing(await resolveSources(ctx, ['.'], { exclude: ['src', '!src/util.c', 'web', 'build', 'Dockerfile', '.dockerignore', '*.log'] })), [
    '.:',
    '.:src',
    '.:src/util.c',
  ]);
  t.same(listing(await resolveSources(ctx, ['src/*'], { exclude: ['**/*.c'] })), ['src/notes.txt:'], 'wildcard matches are excluded too');
});

// ---------------------------------------------------------------- checksum

t.test('checksumSources: content and mode count, mtime does not; cache avoids reading', async (t) => {
  const dir = tempDir(t, 'husk-ctx-');
  writeTree(dir, { 'app/a.txt': 'hello', 'app/b/c.txt': 'world' });
  const cacheFile = path.join(dir, '..', `${path.basename(dir)}-cache`, 'digests.json');
  t.teardown(() => fs.rmSync(path.dirname(cacheFile), { recursive: true, force: true }));
  const ctx = openBuildContext(dir);
  const read: string[] = [];
  const hashFile = async (f: string) => {
    read.push(path.relative(dir, f));
    return sha256File(f);
  };
  const sum = async () => checksumSources(await resolveSources(ctx, ['app']), cacheFile, { root: dir, hashFile });

  const first = await sum();
  t.match(first, /^[0-9a-f]{64}$/);
  t.same(read.sort(), ['app/a.txt', 'app/b/c.txt']);
  t.ok(fs.existsSync(cacheFile), 'cache written');

  read.length = 0;
  t.equal(await sum(), first, 'same tree, same key');
  t.same(read, [], 'an unchanged tree is not read');

  const later = new Date(Date.now() + 3600_000);
  fs.utimesSync(path.join(dir, 'app/a.txt'), later, later);
  t.equal(await sum(), first, 'mtime alone does not change the key');
  t.same(read, ['app/a.txt'], 'but the file is hashed again');

  read.length = 0;
  fs.writeFileSync(path.join(dir, 'app/a.txt'), 'hellO');
  const changed = await sum();
  t.not(changed, first, 'one byte changes the key');
  t.same(read, ['app/a.txt'], 'only the changed file is read');

  fs.writeFileSync(path.join(dir, 'app/a.txt'), 'hello');
  t.equal(await sum(), first, 'content back, key back');
  fs.chmodSync(path.join(dir, 'app/b/c.txt'), 0o600);
  t.not(await sum(), first, 'a mode changes the key');
  fs.chmodSync(path.join(dir, 'app/b/c.txt'), 0o644);
  fs.chmodSync(path.join(dir, 'app/b'), 0o700);
  t.not(await sum(), first, "a directory's mode changes the key");
  fs.chmodSync(path.join(dir, 'app/b'), 0o755);

  fs.rmSync(path.join(dir, 'app/b/c.txt'));
  t.not(await sum(), first, 'a file removed changes the key');
  fs.writeFileSync(path.join(dir, 'app/new'), 'n');
  await sum();
  const cached = Object.keys((JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { files: object }).files);
  t.same(cached.sort(), [path.join(dir, 'app/a.txt'), path.join(dir, 'app/new')], 'gone files pruned');

  fs.writeFileSync(cacheFile, '{ corrupt');
  read.length = 0;
  t.match(await sum(), /^[0-9a-f]{64}$/, 'a corrupt cache is an empty one');
  t.equal(read.length, 2);
});

t.test('checksumSources: the key follows names and link targets', async (t) => {
  const dir = tempDir(t, 'husk-ctx-');
  writeTree(dir, { 'a/x': '1' });
  fs.symlinkSync('x', path.join(dir, 'a/l'));
  const cacheFile = path.join(dir, '.cache.json');
  const ctx = openBuildContext(dir);
  const key = async () => checksumSources(await resolveSources(ctx, ['a']), cacheFile);
  const first = await key();
  fs.unlinkSync(path.join(dir, 'a/l'));
  fs.symlinkSync('y', path.join(dir, 'a/l'));
  t.not(await key(), first, 'link target');
  fs.unlinkSync(path.join(dir, 'a/l'));
  fs.symlinkSync('x', path.join(dir, 'a/l'));
  t.equal(await key(), first);
  fs.renameSync(path.join(dir, 'a/x'), path.join(dir, 'a/w'));
  t.not(await key(), first, 'a rename');
});

t.test('checksumSources: a 200 MB file hashes in little memory', async (t) => {
  const dir = tempDir(t, 'husk-ctx-');
  const big = path.join(dir, 'big.bin');
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  const fd = fs.openSync(big, 'w');
  for (let i = 0; i < 200; i++) {
    chunk[0] = i;
    fs.writeSync(fd, chunk);
  }
  fs.closeSync(fd);
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const items = await resolveSources(openBuildContext(dir), ['big.bin']);
  const key = await checksumSources(items, path.join(dir, 'cache.json'));
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  t.match(key, /^[0-9a-f]{64}$/);
  t.ok(peak - before < 100 << 20, `RSS grew by ${((peak - before) / 2 ** 20).toFixed(1)} MiB`);
});

// ---------------------------------------------------------------- layer tar

interface Parsed {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  size: number;
  linkname: string | null;
  body: string;
}

async function readTar(stream: NodeJS.ReadableStream): Promise<Parsed[]> {
  const ex = tar.extract();
  const out: Parsed[] = [];
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const h = entry.header;
      out.push({ name: h.name, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, uname: h.uname, gname: h.gname, mtime: h.mtime.getTime() / 1000, size: h.size, linkname: h.linkname ?? null, body: Buffer.concat(chunks).toString() });
    }
  })();
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  await done;
  return out;
}

async function bytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function tarTree(t: Test): string {
  const dir = tempDir(t, 'husk-ctx-');
  writeTree(dir, { 'src/run.sh': '#!/bin/sh\n', 'src/sub/data': 'data', [`src/${'long-name/'.repeat(15)}f`]: 'deep' });
  fs.chmodSync(path.join(dir, 'src/run.sh'), 0o4755);
  fs.chmodSync(path.join(dir, 'src/sub/data'), 0o600);
  fs.symlinkSync('sub/data', path.join(dir, 'src/link'));
  fs.linkSync(path.join(dir, 'src/run.sh'), path.join(dir, 'src/sub/run2'));
  return dir;
}

const filesOf = (item: SourceItem, dest: string): TarFile[] => item.entries.map((e) => ({ name: e.rel ? `${dest}/${e.rel}` : dest, entry: e }));

t.test('layerTar: entries, modes, owners, links, dirs first', async (t) => {
  const dir = tarTree(t);
  const [item] = await resolveSources(openBuildContext(dir), ['src']);
  const opts: TarOptions = { uid: 1000, gid: 1001, mtime: 1700000000, dirs: [{ name: 'opt' }, { name: 'opt/app', mode: 0o750, uid: 0, gid: 0 }] };
  const got = await readTar(layerTar(filesOf(item!, 'opt/app/src'), opts));
  const deep = `opt/app/src/${'long-name/'.repeat(15)}f`;
  t.same(
    got.map((e) => e.name),
    [
      'opt/',
      'opt/app/',
      'opt/app/src/',
      'opt/app/src/link',
      ...Array.from({ length: 15 }, (_, i) => `opt/app/src/${'long-name/'.repeat(i + 1)}`),
      deep,
      'opt/app/src/run.sh',
      'opt/app/src/sub/',
      'opt/app/src/sub/data',
      'opt/app/src/sub/run2',
    ],
  );
  const by = new Map(got.map((e) => [e.name, e]));
  t.match(by.get('opt/')!, { type: 'directory', mode: 0o755, uid: 1000, gid: 1001 });
  t.match(by.get('opt/app/')!, { type: 'directory', mode: 0o750, uid: 0, gid: 0 });
  t.match(by.get('opt/app/src/run.sh')!, { type: 'file', mode: 0o4755, uid: 1000, gid: 1001, body: '#!/bin/sh\n', size: 10 });
  t.match(by.get('opt/app/src/sub/data')!, { type: 'file', mode: 0o600, body: 'data' });
  t.match(by.get('opt/app/src/link')!, { type: 'symlink', linkname: 'sub/data' });
  t.match(by.get('opt/app/src/sub/run2')!, { type: 'link', linkname: 'opt/app/src/run.sh', size: 0 });
  t.match(by.get(deep)!, { type: 'file', body: 'deep' });
  t.ok(got.every((e) => e.mtime === 1700000000 && e.uname === '' && e.gname === ''), 'fixed mtime, no names');
});

t.test('layerTar: --chmod, modes of 0, own mtimes', async (t) => {
  const dir = tarTree(t);
  const [item] = await resolveSources(openBuildContext(dir), ['src']);
  const chmod = await readTar(layerTar(filesOf(item!, 'dst'), { uid: 0, gid: 0, chmod: 0o640 }));
  for (const e of chmod) t.equal(e.mode, e.type === 'symlink' ? 0o777 : 0o640, `${e.name}: ${e.type}`);
  const zero = await readTar(layerTar(filesOf(item!, 'dst'), { uid: 0, gid: 0, chmod: 0 }));
  t.ok(zero.filter((e) => e.type !== 'symlink').every((e) => e.mode === 0), 'mode 0 kept');
  const data = item!.entries.find((e) => e.rel === 'sub/data')!;
  const own = await readTar(layerTar([{ name: 'data', entry: data }], { uid: 0, gid: 0 }));
  t.equal(own[0]!.mtime, Math.floor(data.mtimeMs / 1000), "the file's mtime without --timestamp");
  t.throws(() => layerTar([{ name: '../x', entry: data }], { uid: 0, gid: 0 }), /not a relative path/);
  t.throws(() => layerTar([{ name: '/x', entry: data }], { uid: 0, gid: 0 }), /not a relative path/);
});

t.test('layerTar: the same input twice is the same bytes', async (t) => {
  const dir = tarTree(t);
  const [item] = await resolveSources(openBuildContext(dir), ['src']);
  const opts = { uid: 5, gid: 6, mtime: 0, dirs: [{ name: 'x' }] };
  const a = await bytes(layerTar(filesOf(item!, 'x/src'), opts));
  fs.utimesSync(path.join(dir, 'src/run.sh'), new Date(), new Date(2001, 1, 1));
  const b = await bytes(layerTar(filesOf(item!, 'x/src'), opts));
  t.ok(a.length > 0);
  t.ok(a.equals(b), 'byte-identical');
});

t.test('layerTar: a 200 MB file streams in little memory', async (t) => {
  const dir = tempDir(t, 'husk-ctx-');
  const big = path.join(dir, 'big');
  const fd = fs.openSync(big, 'w');
  const chunk = Buffer.alloc(1 << 20, 7);
  for (let i = 0; i < 200; i++) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  const [item] = await resolveSources(openBuildContext(dir), ['big']);
  const before = process.memoryUsage().rss;
  let peak = before;
  let total = 0;
  for await (const c of layerTar([{ name: 'big', entry: item!.entries[0]! }], { uid: 0, gid: 0 })) {
    total += (c as Buffer).length;
    peak = Math.max(peak, process.memoryUsage().rss);
    // A slow reader: the writer must wait rather than buffer the file.
    if (total % (16 << 20) < (c as Buffer).length) await new Promise((r) => setTimeout(r, 1));
  }
  t.ok(total >= 200 << 20, 'everything read');
  t.ok(peak - before < 100 << 20, `RSS grew by ${((peak - before) / 2 ** 20).toFixed(1)} MiB`);
});

/** Whether this process has `file` open. */
function isOpen(file: string): boolean {
  return fs.readdirSync('/proc/self/fd').some((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false; // closed meanwhile
    }
  });
}

t.test('layerTar: a reader that stops early releases the files', async (t) => {
  const dir = tempDir(t, 'husk-ctx-');
  const big = path.join(dir, 'big');
  fs.writeFileSync(big, Buffer.alloc(8 << 20, 1));
  const [item] = await resolveSources(openBuildContext(dir), ['big']);
  const stream = layerTar([{ name: 'big', entry: item!.entries[0]! }], { uid: 0, gid: 0 });
  await new Promise<void>((resolve) => stream.once('readable', () => resolve()));
  t.ok(isOpen(big), 'open while read');
  stream.destroy();
  for (let i = 0; i < 100 && isOpen(big); i++) await new Promise((r) => setTimeout(r, 10));
  t.notOk(isOpen(big), 'closed once the reader went away');
});

t.test('layerTar: a file that shrank fails the stream', async (t) => {
  const dir = tempDir(t, 'husk-ctx-');
  fs.writeFileSync(path.join(dir, 'f'), 'abcdef');
  const [item] = await resolveSources(openBuildContext(dir), ['f']);
  fs.writeFileSync(path.join(dir, 'f'), 'ab');
  await t.rejects(bytes(layerTar([{ name: 'f', entry: item!.entries[0]! }], { uid: 0, gid: 0 })), /shrank/);
});
