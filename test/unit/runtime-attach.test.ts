import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import {
  AttachClient, frame, FRAME_CLEANUP_TAKEN, FRAME_EXIT, FRAME_RESIZE, FRAME_STDERR, FRAME_STDIN, FRAME_STDIN_EOF, FRAME_STDOUT,
} from '../../lib/runtime/attach.js';
import { tempDir } from './fixtures/helpers.js';

t.test('frame types match the monitor protocol', async (t) => {
  t.same([FRAME_STDIN, FRAME_STDOUT, FRAME_STDERR, FRAME_EXIT, FRAME_RESIZE, FRAME_STDIN_EOF, FRAME_CLEANUP_TAKEN], [0, 1, 2, 3, 4, 5, 6]);
});

t.test('frame(): [u8 type][u32 BE length][payload]', async (t) => {
  t.same([...frame(FRAME_STDOUT, Buffer.from('hi'))], [1, 0, 0, 0, 2, 0x68, 0x69]);
  t.same([...frame(FRAME_STDIN_EOF)], [5, 0, 0, 0, 0]);
  t.same([...frame(FRAME_STDIN, new Uint8Array([255]))], [0, 0, 0, 0, 1, 255]);
  const big = frame(FRAME_STDERR, Buffer.alloc(0x01020304 & 0xffff, 7));
  t.equal(big.readUInt8(0), 2);
  t.equal(big.readUInt32BE(1), 0x0304);
  t.equal(big.length, 5 + 0x0304);
  t.same([...frame(FRAME_STDOUT, Buffer.alloc(256)).subarray(0, 5)], [1, 0, 0, 1, 0], 'big-endian length');
});

interface Events { stdout: string[]; stderr: string[]; exit: number[]; closed: number }

/** A fake monitor: a unix socket server that gives the test its one connection. */
async function monitor(t: Parameters<typeof tempDir>[0]) {
  const socketPath = path.join(tempDir(t), 'attach.sock');
  let resolveConn: (s: net.Socket) => void;
  const conn = new Promise<net.Socket>((r) => { resolveConn = r; });
  const server = net.createServer((s) => resolveConn(s));
  await new Promise<void>((r) => server.listen(socketPath, r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const events: Events = { stdout: [], stderr: [], exit: [], closed: 0 };
  let onClosed: () => void = () => {};
  const closed = new Promise<void>((r) => { onClosed = r; });
  const client = await AttachClient.connect(socketPath, {
    stdout: (d) => events.stdout.push(d.toString()),
    stderr: (d) => events.stderr.push(d.toString()),
    exit: (c) => events.exit.push(c),
    closed: () => { events.closed++; onClosed(); },
  }, 1000);
  const server_ = await conn;
  return { client, conn: server_, events, closed, socketPath };
}

/** Everything the server receives until the client closes. */
function received(sock: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  sock.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((r) => sock.on('end', () => r(Buffer.concat(chunks))));
}

const tick = () => new Promise((r) => setTimeout(r, 20));

t.test('frames split across chunks are reassembled', async (t) => {
  const { conn, events, closed } = await monitor(t);
  const all = Buffer.concat([
    frame(FRAME_STDOUT, Buffer.from('hello ')),
    frame(FRAME_STDERR, Buffer.from('oops')),
    frame(FRAME_STDOUT, Buffer.from('world')),
    frame(FRAME_STDIN_EOF), // unknown to the client side: ignored
    frame(FRAME_STDOUT, Buffer.alloc(0)),
  ]);
  // Byte by byte for the first frames, then the rest in one go.
  for (let i = 0; i < 15; i++) {
    conn.write(all.subarray(i, i + 1));
    await tick();
  }
  conn.write(all.subarray(15));
  await tick();
  t.same(events.stdout, ['hello ', 'world', '']);
  t.same(events.stderr, ['oops']);
  t.same(events.exit, []);
  conn.end();
  await closed;
  t.equal(events.closed, 1);
});

t.test('the exit frame delivers a signed int32', async (t) => {
  const { conn, events, closed } = await monitor(t);
  const code = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
  const data = Buffer.concat([frame(FRAME_STDOUT, Buffer.from('last')), frame(FRAME_EXIT, code(137)), frame(FRAME_EXIT, code(-1)), frame(FRAME_EXIT, code(0))]);
  conn.write(data.subarray(0, 12));
  await tick();
  conn.end(data.subarray(12));
  await closed;
  t.same(events.stdout, ['last']);
  t.same(events.exit, [137, -1, 0]);
});

t.test('many frames in one chunk', async (t) => {
  const { conn, events, closed } = await monitor(t);
  conn.end(Buffer.concat(Array.from({ length: 50 }, (_, i) => frame(FRAME_STDOUT, Buffer.from(String(i))))));
  await closed;
  t.same(events.stdout, Array.from({ length: 50 }, (_, i) => String(i)));
});

t.test('send, sendStdin and resize encoding', async (t) => {
  const { client, conn, closed } = await monitor(t);
  const got = received(conn);
  client.sendStdin(Buffer.from('ls\n'));
  client.resize(24, 80);
  client.resize(0x1234, 0xabcd);
  client.send(FRAME_STDIN_EOF);
  client.send(FRAME_CLEANUP_TAKEN, Buffer.from([9]));
  client.close();
  const bytes = await got;
  t.same([...bytes], [
    0, 0, 0, 0, 3, 0x6c, 0x73, 0x0a,
    4, 0, 0, 0, 4, 0, 24, 0, 80,
    4, 0, 0, 0, 4, 0x12, 0x34, 0xab, 0xcd,
    5, 0, 0, 0, 0,
    6, 0, 0, 0, 1, 9,
  ]);
  conn.end();
  await closed;
  client.send(FRAME_STDIN, Buffer.from('after close')); // no throw once destroyed
  t.pass('send after close is a no-op');
});

t.test('connect waits for a monitor that is still starting', async (t) => {
  const socketPath = path.join(tempDir(t), 'late.sock');
  const server = net.createServer((s) => s.end(frame(FRAME_STDOUT, Buffer.from('late'))));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  setTimeout(() => server.listen(socketPath), 50);
  const out: string[] = [];
  await new Promise<void>((resolve, reject) => {
    AttachClient.connect(socketPath, { stdout: (d) => out.push(d.toString()), stderr: () => {}, exit: () => {}, closed: resolve }, 2000).catch(reject);
  });
  t.same(out, ['late']);
});

t.test('connect gives up after the timeout with the socket error', async (t) => {
  const socketPath = path.join(tempDir(t), 'never.sock');
  const start = Date.now();
  await t.rejects(AttachClient.connect(socketPath, { stdout() {}, stderr() {}, exit() {}, closed() {} }, 100), { code: 'ENOENT' });
  t.ok(Date.now() - start >= 100, 'waited for the timeout');
  t.ok(Date.now() - start < 1500, 'but not much longer');
});
