// husk-userns' failures and warnings read back from its stderr
// (lib/native/helper-errors.ts), and the real helper writing them
// (addon/userns/errors.cc): step, errno and path survive, a hostile path
// included, and the message stays the one-line text users see.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { exitCodeFor, messageFor, NativeError } from '../../lib/core/errors.js';
import { errnoName, HelperError, helperBytes, helperErrorFrom, helperErrorFromSync, helperWarnings, warningsIn } from '../../lib/native/helper-errors.js';
import { tempDir } from './fixtures/helpers.js';

const { EXDEV, ENOENT, EPIPE } = os.constants.errno;

t.test('an error line: its fields, its message, the what before it', async (t) => {
  const stderr =
    'husk-userns: warning {"step":"mknod","errno":1,"path":"dev/null","message":"dev/null: cannot create a device node here (user namespace?), skipped"}\n' +
    'husk-userns: error {"step":"readlink","errno":2,"path":"etc/x","message":"etc/x: readlink: No such file or directory"}\n';
  const err = helperErrorFrom(1, stderr, 'invalid layer');
  t.ok(err instanceof HelperError);
  t.ok(err instanceof NativeError, 'a NativeError, as the addon throws');
  t.equal(err.message, 'invalid layer: etc/x: readlink: No such file or directory');
  t.equal(err.step, 'readlink');
  t.equal(err.errno, ENOENT);
  t.equal(err.code, 'ENOENT');
  t.equal(err.path, 'etc/x');
  t.equal(exitCodeFor(err), 125);
  t.equal(messageFor(err), err.message);
  t.equal(helperErrorFrom(1, stderr).message, 'etc/x: readlink: No such file or directory', 'no what: the message alone');
});

t.test('errno 0 (no system call failed): no errno, no code; the step is kept', async (t) => {
  const err = helperErrorFrom(1, `husk-userns: error {"step":"untar","errno":0,"path":"../escape","message":"../escape: name contains a '..' component"}\n`);
  t.equal(err.message, "../escape: name contains a '..' component");
  t.equal(err.step, 'untar');
  t.equal(err.errno, undefined);
  t.equal(err.code, undefined);
  t.equal(err.path, '../escape');
});

t.test('no path: a failure about the stream itself', async (t) => {
  const err = helperErrorFrom(1, 'husk-userns: error {"step":"gunzip","errno":0,"message":"(layer): invalid gzip data: unknown compression method"}');
  t.equal(err.message, '(layer): invalid gzip data: unknown compression method');
  t.equal(err.path, undefined);
  t.equal(err.step, 'gunzip');
});

t.test('a hostile path: quotes, backslash, newline, control and non-UTF-8 bytes round-trip', async (t) => {
  // As errors.cc writes it: bytes that are not UTF-8 as lone surrogates \udcXX.
  const line = String.raw`husk-userns: error {"step":"untar","errno":0,"path":"q\"b\\c\u000ad\u0001\udcff\udce9é😀/../x","message":"q\"b\\c\u000ad\u0001\udcff\udce9é😀/../x: name contains a '..' component"}`;
  const err = helperErrorFrom(1, `${line}\n`);
  const bytes = Buffer.concat([Buffer.from('q"b\\c\nd\x01'), Buffer.from([0xff, 0xe9]), Buffer.from('é😀/../x')]);
  t.equal(err.path, 'q"b\\c\nd\x01\udcff\udce9é😀/../x');
  t.same(helperBytes(err.path!), bytes, 'the exact bytes');
  t.equal(err.message, `${err.path}: name contains a '..' component`);
  t.same(helperBytes('plain é 😀'), Buffer.from('plain é 😀'), 'valid UTF-8 (a surrogate pair included) is itself');
});

t.test('errno names: the reverse of os.constants.errno, glibc\'s where there are two', async (t) => {
  t.equal(errnoName(2), 'ENOENT');
  t.equal(errnoName(EXDEV), 'EXDEV');
  t.equal(errnoName(os.constants.errno.EAGAIN), 'EAGAIN');
  t.equal(errnoName(os.constants.errno.EOPNOTSUPP), 'EOPNOTSUPP');
  t.equal(errnoName(99999), undefined);
  const err = helperErrorFrom(1, 'husk-userns: error {"step":"x","errno":99999,"message":"p: x: Unknown error 99999"}');
  t.equal(err.errno, 99999);
  t.equal(err.code, undefined, 'an unknown errno has no name');
});

t.test('plain text (a usage error, an older helper) still gives a sensible error', async (t) => {
  const usage = 'husk-userns: unknown command bogus\nusage: husk-userns [--uidmap C:H:N]... <command> [args]\ncommands:\n  rm <path>...   remove trees\n';
  const err = helperErrorFrom(125, usage, 'removing x');
  t.equal(err.message, 'removing x: unknown command bogus', "its own line, not the usage text's last");
  t.equal(err.step, undefined);
  t.equal(err.errno, undefined);
  t.equal(helperErrorFrom(1, 'husk-userns: a/b: some older reason\n').message, 'a/b: some older reason');
  t.equal(helperErrorFrom(1, 'husk-userns: error {broken json\n').message, 'error {broken json', 'a line that does not parse is shown as text');
});

t.test('a program run by exec: its own last line, its name taken off when given', async (t) => {
  const stderr = "chown: changing ownership of '/v': Operation not permitted\n";
  t.equal(helperErrorFrom(1, stderr, 'chowning', { program: 'chown' }).message, "chowning: changing ownership of '/v': Operation not permitted");
  t.equal(helperErrorFrom(1, stderr, 'mounting').message, "mounting: chown: changing ownership of '/v': Operation not permitted");
  const notFound = helperErrorFrom(127, 'husk-userns: error {"step":"exec","errno":2,"path":"chown","message":"chown: No such file or directory"}\n', 'chowning', { program: 'chown' });
  t.equal(notFound.message, 'chowning: chown: No such file or directory', 'the helper\'s own error is not cut');
  t.equal(notFound.code, 'ENOENT');
});

t.test('nothing on stderr: how it ended', async (t) => {
  t.equal(helperErrorFrom(3, '', 'x').message, 'x: failed (exit 3)');
  t.equal(helperErrorFrom(141, '', 'x').message, 'x: its output was closed before the end (SIGPIPE)');
  t.equal(helperErrorFrom(141, '\n', 'x', { fallback: 'decompression failed (exit 141)' }).message, 'x: decompression failed (exit 141)');
  t.equal(helperErrorFrom(1, 'husk-userns: warning {"step":"archive","errno":0,"path":"s","message":"s: skipped"}\n', 'x').message, 'x: failed (exit 1)', 'a warning is no reason');
});

t.test('spawnSync: a helper that did not start', async (t) => {
  const r = spawnSync('/nonexistent/husk-userns', [], { encoding: 'utf8' });
  const err = helperErrorFromSync(r, 'removing a');
  t.match(err.message, /^removing a: spawnSync \/nonexistent\/husk-userns ENOENT/);
});

t.test('warnings: the JSON lines only', async (t) => {
  const stderr =
    'husk-userns: warning {"step":"archive","errno":0,"path":"run/s\\u000a","message":"run/s\\u000a: a socket cannot be archived, skipped"}\n' +
    'something else\n' +
    'husk-userns: warning {"step":"mknod","errno":1,"path":"dev/x","message":"dev/x: cannot create a device node here (user namespace?), skipped"}\n';
  t.same(warningsIn(stderr), ['run/s\n: a socket cannot be archived, skipped', 'dev/x: cannot create a device node here (user namespace?), skipped']);
  const [, node] = helperWarnings(stderr);
  t.equal(node?.code, 'EPERM');
  t.equal(node?.path, 'dev/x');
});

// The real helper, as built by node-gyp: no namespace (so any user), fed
// hand-made archives.
const helper = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/Release/husk-userns');
const built = fs.existsSync(helper);

t.test('the real husk-userns', { skip: built ? false : `${helper} not built` }, async (t) => {
  const h = (await import('../fixtures/hostile-tars.mjs' as string)) as {
    archive: (...entries: Buffer[]) => Buffer;
    file: (name: string | Buffer, data?: string) => Buffer;
    dotdot: () => Buffer;
    symlinkParent: (target?: string) => Buffer;
  };
  // Not root: no chown to the archive's owners (uid 0).
  const chown = process.getuid?.() === 0 ? [] : ['--ignore-chown-errors'];
  const untar = (dest: string, tar: Buffer) => {
    const raw = spawnSync(helper, ['untar', dest, ...chown], { input: tar });
    const r = { status: raw.status, stdout: raw.stdout.toString('utf8'), stderr: raw.stderr.toString('utf8'), rawStderr: raw.stderr };
    return { r, err: helperErrorFrom(r.status, r.stderr, 'invalid layer') };
  };

  t.test("a '..' entry", async (t) => {
    const { r, err } = untar(tempDir(t), h.dotdot());
    t.equal(r.status, 1);
    t.equal(err.message, "invalid layer: ../escape: name contains a '..' component");
    t.equal(err.step, 'untar', 'no system call failed: the command is the step');
    t.equal(err.errno, undefined);
    t.equal(err.path, '../escape');
    t.match(r.stdout, /^\{"digest":"sha256:[0-9a-f]{64}","size":\d+\}\n$/, 'the digests still come on stdout');
  });

  t.test('a hostile name comes back byte for byte', async (t) => {
    // Quotes, backslash, newline, control characters, a lone 0xff, Latin-1 é
    // (0xe9), an overlong '/', a UTF-8-encoded surrogate, a cut sequence,
    // and valid UTF-8 (é, an emoji) that must stay itself.
    const name = Buffer.concat([
      Buffer.from('q"b\\c\nd\x01\x7f'),
      Buffer.from([0xff, 0xe9, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82]),
      Buffer.from('é😀/../escape'),
    ]);
    const { r, err } = untar(tempDir(t), h.archive(h.file(name, 'x')));
    t.equal(r.status, 1);
    t.equal(err.step, 'untar');
    t.same(helperBytes(err.path ?? ''), name, 'the path: the very bytes of the name');
    t.equal(err.message, `invalid layer: ${err.path}: name contains a '..' component`);
    const line = r.stderr.trim();
    t.equal(line.split('\n').length, 1, 'one line, the newline in the name escaped');
    t.notOk(/[\x00-\x1f\x7f]/.test(line), 'no control character on the wire');
    t.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(r.rawStderr), 'valid UTF-8, whatever the name');
  });

  t.test('a system call that failed: step, errno, code, path', async (t) => {
    const outside = path.join(tempDir(t), 'outside');
    const { err } = untar(tempDir(t), h.symlinkParent(outside));
    t.equal(err.step, 'resolve parent');
    t.equal(err.errno, EXDEV);
    t.equal(err.code, 'EXDEV');
    t.equal(err.path, 'link/escape');
    t.equal(err.message, 'invalid layer: link/escape: path leaves the destination (through a symlink or an absolute symlink)');
    t.notOk(fs.existsSync(outside), 'nothing written outside');

    const missing = path.join(tempDir(t), 'missing');
    const { err: open } = untar(missing, h.dotdot());
    t.equal(open.step, 'open destination');
    t.equal(open.code, 'ENOENT');
    t.equal(open.path, missing);
    t.equal(open.message, `invalid layer: ${missing}: open destination: No such file or directory`);
  });

  t.test('exec of a missing program: 127 and ENOENT', async (t) => {
    const r = spawnSync(helper, ['exec', '/nonexistent/program'], { encoding: 'utf8' });
    t.equal(r.status, 127);
    const err = helperErrorFrom(r.status, r.stderr);
    t.equal(err.step, 'exec');
    t.equal(err.code, 'ENOENT');
    t.equal(err.path, '/nonexistent/program');
    t.equal(err.message, '/nonexistent/program: No such file or directory');
  });

  t.test('a warning: a socket is not archived', async (t) => {
    const dir = tempDir(t);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'sock'), resolve));
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const r = spawnSync(helper, ['archive', '--root-dir', dir, '/sock'], { encoding: 'buffer' });
    t.equal(r.status, 0);
    const stderr = r.stderr.toString('utf8');
    t.same(warningsIn(stderr), ['sock: a socket cannot be archived, skipped']);
    t.match(helperWarnings(stderr)[0], { step: 'archive', path: 'sock', errno: undefined });
  });

  t.test('usage errors stay plain text', async (t) => {
    const r = spawnSync(helper, ['bogus'], { encoding: 'utf8' });
    t.equal(r.status, 125);
    t.match(r.stderr, /^husk-userns: unknown command bogus\nusage:/);
    t.equal(helperErrorFrom(r.status, r.stderr, 'running').message, 'running: unknown command bogus');
  });

  t.test('a write to a closed pipe carries EPIPE', async (t) => {
    // decompress writes to stdout; a reader gone before it writes: EPIPE
    // (SIGPIPE ignored, as a shell's `trap '' PIPE` would leave it).
    const r = spawnSync('sh', ['-c', `trap '' PIPE; head -c 1000000 /dev/zero | (exec "$0" decompress) | true`, helper], { encoding: 'utf8' });
    const err = helperErrorFrom(1, r.stderr);
    if (!err.step) {
      t.comment(`the pipe was not closed in time: ${r.stderr}`);
      return;
    }
    t.equal(err.step, 'write');
    t.equal(err.errno, EPIPE);
    t.equal(err.message, '(stdout): write: Broken pipe');
  });
});
