// exec's relay between the process's pipes and our streams
// (lib/engine/exec-relay.ts), over FIFOs standing in for the pipes the addon
// makes: Node's ends non-blocking, the process's ends held by the test.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { fdWriter, relayPipes } from '../../lib/engine/exec-relay.js';

const { O_RDONLY, O_WRONLY, O_NONBLOCK } = fs.constants;

/** A pipe: its read and write ends; `node` says which end is husk's (non-blocking, owned by the relay). */
function pipe(t: Test, node: 'read' | 'write'): { read: number; write: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'husk-relay-'));
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const read = fs.openSync(fifo, O_RDONLY | O_NONBLOCK);
  const write = fs.openSync(fifo, O_WRONLY | (node === 'write' ? O_NONBLOCK : 0));
  fs.rmSync(dir, { recursive: true });
  // The process's end is the test's to close; the relay closes its own.
  const theirs = node === 'read' ? write : read;
  t.teardown(() => {
    try {
      fs.closeSync(theirs);
    } catch {
      /* closed by the test */
    }
  });
  return { read, write };
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

/** Everything that arrives on a read end until its end. */
function readAll(fd: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = new net.Socket({ fd, readable: true, writable: false });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

function writeFails(fd: number): boolean {
  try {
    fs.writeSync(fd, 'more\n');
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPIPE';
  }
}

t.test('output: copied as it comes; at finish, the rest in the pipe, not waiting for the end a process left behind holds off', async (t) => {
  const out = pipe(t, 'read');
  const err = pipe(t, 'read');
  const [o, e] = [collector(), collector()];
  const relay = relayPipes({ stdout: out.read, stderr: err.read }, o.stream, e.stream);
  fs.writeSync(out.write, 'one\n');
  t.ok(await until(() => o.text() === 'one\n'), 'copied while the process runs');
  fs.writeSync(out.write, 'two\n');
  fs.writeSync(err.write, 'err\n');
  relay.finish(); // before the loop had a chance to read them
  t.equal(o.text(), 'one\ntwo\n', 'stdout whole');
  t.equal(e.text(), 'err\n', 'stderr whole');
  t.ok(writeFails(out.write), 'what is left behind writes into nothing of ours');
});

t.test('output: pipes that ended before the finish', async (t) => {
  const out = pipe(t, 'read');
  const err = pipe(t, 'read');
  const o = collector();
  const relay = relayPipes({ stdout: out.read, stderr: err.read }, o.stream, collector().stream);
  fs.writeSync(out.write, 'all\n');
  fs.closeSync(out.write);
  fs.closeSync(err.write);
  await until(() => o.text() === 'all\n');
  await new Promise((r) => setTimeout(r, 50)); // the ends seen, the sockets destroyed
  relay.finish();
  t.equal(o.text(), 'all\n');
});

t.test('output: our reader gone, the process\'s next write fails as if it wrote to it itself', async (t) => {
  const out = pipe(t, 'read');
  const gone = new Writable({
    write(_chunk, _encoding, done) {
      done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
  const relay = relayPipes({ stdout: out.read }, gone, collector().stream);
  fs.writeSync(out.write, 'x\n');
  t.ok(await until(() => writeFails(out.write)), 'EPIPE (SIGPIPE, had it not been ignored)');
  relay.finish();
});

t.test('stdin: copied to the process, and its end is the process\'s EOF', async (t) => {
  const input = pipe(t, 'write');
  const stdin = new PassThrough();
  const relay = relayPipes({ stdin: input.write }, collector().stream, collector().stream, stdin);
  const got = readAll(input.read);
  stdin.end('typed\n');
  t.equal(await got, 'typed\n');
  relay.finish();
});

t.test('stdin: read no more once the process exited', async (t) => {
  const input = pipe(t, 'write');
  const stdin = new PassThrough();
  const relay = relayPipes({ stdin: input.write }, collector().stream, collector().stream, stdin);
  const got = readAll(input.read);
  stdin.write('before\n');
  await new Promise((r) => setTimeout(r, 50));
  relay.finish();
  stdin.write('after\n');
  t.equal(await got, 'before\n', 'the process\'s stdin ends');
  t.ok(stdin.isPaused(), 'ours is paused');
});

t.test('stdin: ours unreadable (a directory) is an empty one', async (t) => {
  const input = pipe(t, 'write');
  const stdin = new PassThrough();
  const relay = relayPipes({ stdin: input.write }, collector().stream, collector().stream, stdin);
  const got = readAll(input.read);
  stdin.emit('error', Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' }));
  t.equal(await got, '');
  relay.finish();
});

t.test('stdin: a pipe with nothing to give it ends at once', async (t) => {
  const input = pipe(t, 'write');
  const relay = relayPipes({ stdin: input.write }, collector().stream, collector().stream);
  t.equal(await readAll(input.read), '');
  relay.finish();
});

t.test('fdWriter: in the file when write returns', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'husk-relay-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'out');
  const fd = fs.openSync(file, 'w+');
  t.teardown(() => fs.closeSync(fd));
  const w = fdWriter(fd);
  w.write(Buffer.from('one\n'));
  w.write(Buffer.from('two\n'));
  t.equal(fs.readFileSync(file, 'utf8'), 'one\ntwo\n');
});
