// Client side of the monitor's attach socket (addon/monitor/README.md):
// frames of [u8 type][u32 BE length][payload] both ways.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const FRAME_STDIN = 0;
export const FRAME_STDOUT = 1;
export const FRAME_STDERR = 2;
export const FRAME_EXIT = 3;
export const FRAME_RESIZE = 4;
export const FRAME_STDIN_EOF = 5;
export const FRAME_CLEANUP_TAKEN = 6;

export function frame(type: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** sun_path holds 108 bytes: longer paths are reached through an fd of their directory. */
const SUN_PATH_MAX = 107;

function connectOnce(socketPath: string): Promise<net.Socket> {
  let dirFd: number | undefined;
  let target = socketPath;
  if (Buffer.byteLength(socketPath) > SUN_PATH_MAX) {
    dirFd = fs.openSync(path.dirname(socketPath), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    target = `/proc/self/fd/${dirFd}/${path.basename(socketPath)}`;
  }
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.createConnection(target);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  }).finally(() => {
    if (dirFd !== undefined) fs.closeSync(dirFd);
  });
}

export interface AttachHandlers {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  exit(code: number): void;
  /** The monitor closed the connection. */
  closed(): void;
}

export class AttachClient {
  private buffer: Buffer = Buffer.alloc(0);

  private constructor(private readonly socket: net.Socket, private readonly handlers: AttachHandlers) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('close', () => handlers.closed());
    socket.on('error', () => { /* 'close' follows */ });
  }

  /** Wraps a socket the monitor already counts as a client (createContainer's attachFd). */
  static fromFd(fd: number, handlers: AttachHandlers): AttachClient {
    return new AttachClient(new net.Socket({ fd, readable: true, writable: true }), handlers);
  }

  /** Connects, waiting a little for a monitor that is still starting (ENOENT, ECONNREFUSED). */
  static async connect(socketPath: string, handlers: AttachHandlers, timeoutMs = 3000): Promise<AttachClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await connectOnce(socketPath);
        return new AttachClient(socket, handlers);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  }

  private onData(data: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    while (this.buffer.length >= 5) {
      const len = this.buffer.readUInt32BE(1);
      if (this.buffer.length < 5 + len) break;
      const type = this.buffer.readUInt8(0);
      const payload = this.buffer.subarray(5, 5 + len);
      this.buffer = this.buffer.subarray(5 + len);
      if (type === FRAME_STDOUT) this.handlers.stdout(payload);
      else if (type === FRAME_STDERR) this.handlers.stderr(payload);
      else if (type === FRAME_EXIT && payload.length >= 4) this.handlers.exit(payload.readInt32BE(0));
    }
  }

  send(type: number, payload?: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(frame(type, payload));
  }

  sendStdin(data: Uint8Array): void {
    this.send(FRAME_STDIN, data);
  }

  resize(rows: number, cols: number): void {
    const p = Buffer.alloc(4);
    p.writeUInt16BE(rows, 0);
    p.writeUInt16BE(cols, 2);
    this.send(FRAME_RESIZE, p);
  }

  close(): void {
    this.socket.end();
  }
}
