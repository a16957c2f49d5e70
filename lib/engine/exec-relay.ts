// `husk exec` without a terminal: the process's stdin, stdout and stderr are
// pipes the addon made, and this copies between them and our own streams, as
// podman (conmon) and docker do. Our own fds never reach the process: they
// may be anything (a directory of the host, a read-only file, a file open for
// append, our terminal), and in its hands each is a way out through
// /proc/self/fd: "..", reopening with more rights, reading the terminal after
// exec returned.
import fs from 'node:fs';
import net from 'node:net';
import { Writable } from 'node:stream';

/** Node's ends of the pipes (ExecStarted): stdin only with -i. */
export interface ExecPipes {
  stdin?: number;
  stdout?: number;
  stderr?: number;
}

export interface PipeRelay {
  /**
   * Once the process has exited. All it wrote is in the pipes by then and is
   * copied; but a process it left behind may hold them open for ever, so they
   * are read until empty, not to their end (conmon does the same). Our stdin
   * is read no more: what is typed after exec returned is not for the
   * container.
   */
  finish(): void;
}

/** Relays our `stdin` (when given) into the process's, and its stdout and stderr into `out` and `err`. */
export function relayPipes(pipes: ExecPipes, out: NodeJS.WritableStream, err: NodeJS.WritableStream, stdin?: NodeJS.ReadableStream): PipeRelay {
  const outputs = [copyOut(pipes.stdout, out), copyOut(pipes.stderr, err)];
  const input = pipes.stdin === undefined ? undefined : copyIn(stdin, pipes.stdin);
  return {
    finish() {
      input?.stop();
      for (const o of outputs) o?.drain();
    },
  };
}

/**
 * A stream into an fd of husk's own (a healthcheck's output file), written
 * before write() returns, so the file is whole once the relay finished; what
 * the file cannot take (a full disk) is lost.
 */
export function fdWriter(fd: number): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        for (let rest = chunk; rest.length > 0; ) rest = rest.subarray(fs.writeSync(fd, rest));
      } catch {
        /* the output is best effort */
      }
      done();
    },
  });
}

function copyOut(fd: number | undefined, dest: NodeJS.WritableStream): { drain(): void } | undefined {
  if (fd === undefined) return undefined;
  // A socket over the pipe: read through epoll, not by a thread of the pool
  // that a blocking read would hold.
  const pipe = new net.Socket({ fd, readable: true, writable: false });
  pipe.on('error', () => {
    /* a read error ends the copy */
  });
  pipe.pipe(dest, { end: false });
  // No reader of ours any more (`husk exec ... | head -1`): our end of the
  // pipe closes, and the process's next write fails as if it had written to
  // that reader itself. The listener stays: an error may still come from
  // what was written last.
  dest.on('error', () => pipe.destroy());
  return {
    drain() {
      pipe.unpipe(dest);
      const write = (chunk: Buffer) => dest.write(chunk);
      for (let chunk: Buffer | null; (chunk = pipe.read() as Buffer | null) !== null; ) write(chunk);
      // Destroyed (at its end), its fd is closed, and the number may be another file's by now.
      if (!pipe.destroyed) readUntilEmpty(fd, write);
      pipe.destroy();
    },
  };
}

/** Reads a non-blocking fd (the addon made Node's ends so) until nothing is left or its end. */
function readUntilEmpty(fd: number, sink: (chunk: Buffer) => void): void {
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buf);
    } catch {
      return; // EAGAIN: empty, a writer left behind
    }
    if (n === 0) return;
    sink(Buffer.from(buf.subarray(0, n)));
  }
}

function copyIn(stdin: NodeJS.ReadableStream | undefined, fd: number): { stop(): void } {
  const pipe = new net.Socket({ fd, readable: false, writable: true });
  pipe.on('error', () => {
    /* EPIPE: the process closed its stdin; pipe() stops on its own */
  });
  if (!stdin) {
    pipe.destroy(); // nothing to give it: EOF at once
    return { stop() {} };
  }
  // Our stdin unreadable (a directory): the same as its end.
  const onError = () => pipe.end();
  stdin.on('error', onError);
  stdin.pipe(pipe); // our end of input ends the pipe: the process sees EOF
  return {
    stop() {
      stdin.unpipe(pipe);
      stdin.off('error', onError);
      pipe.destroy();
      stdin.pause();
      (stdin as NodeJS.ReadableStream & { unref?: () => void }).unref?.();
    },
  };
}
