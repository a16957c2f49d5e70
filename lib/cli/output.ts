// Command output, written straight to fd 1. process.stdout is built on first
// use, and building it loads node's stream, net and tty modules: a few
// milliseconds of every `husk ps` or `husk inspect`.
import { openSync, writeSync } from 'node:fs';
import { EXIT_BROKEN_PIPE } from '../core/errors.js';

let viaStream = false;
/** Where husk's own output goes: fd 1, or the file of --out (/dev/null for --noout). */
let outFd = 1;

/** --out FILE, --noout: husk's output (never a container's, which is not written here) goes to that file. */
export function redirectOutput(path: string): void {
  outFd = openSync(path, 'w', 0o644);
}

/**
 * Whoever read husk's output is gone (`husk logs -f CTR | grep -m1 x`,
 * `husk run ... | head -1`): nothing more can be said to anyone, so husk ends
 * at once and quietly, with the status a shell shows for docker and podman,
 * which die of the SIGPIPE (node ignores that signal and gets EPIPE instead).
 */
export function exitForBrokenPipe(): never {
  process.exit(EXIT_BROKEN_PIPE);
}

/**
 * A write's error when the reader closed its end: EPIPE from a pipe; a
 * socket (stdout of a program started by node, say) says ECONNRESET when
 * the reader left unread data behind.
 */
export const isBrokenPipe = (err: unknown) => ['EPIPE', 'ECONNRESET'].includes((err as NodeJS.ErrnoException | undefined)?.code ?? '');

let pipeBroken = false;
let sessionEnd: (() => void) | undefined;

/**
 * While a foreground session runs (run, attach), a broken pipe ends the
 * session instead of husk: `run --rm` that has heard its container exit
 * still has the container to remove. The command then returns, and husk
 * exits as it would have (exitStatus). Returns the way to stop listening.
 */
export function onBrokenPipe(end: () => void): () => void {
  sessionEnd = end;
  return () => {
    if (sessionEnd === end) sessionEnd = undefined;
  };
}

/** The exit status a command that saw its output's reader go ends with, if it did. */
export const exitStatus = (): number | undefined => (pipeBroken ? EXIT_BROKEN_PIPE : undefined);

function brokenPipe(): void {
  pipeBroken = true;
  if (sessionEnd) sessionEnd();
  else exitForBrokenPipe();
}

export function printOut(text: string | Uint8Array): void {
  if (viaStream && outFd === 1) {
    process.stdout.write(text);
    return;
  }
  let rest = typeof text === 'string' ? Buffer.from(text) : text;
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(outFd, rest));
    } catch (err) {
      if (isBrokenPipe(err)) return brokenPipe();
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      // A non-blocking stdout: process.stdout waits for it, and keeps the order from here on.
      viaStream = true;
      process.stdout.write(rest);
      return;
    }
  }
}

/**
 * process.stdout and stderr, once a command built them, queue what a full
 * pipe or socket does not take at once (`husk save | slow-reader`), and
 * process.exit drops that queue. Which of them were built is noted here,
 * without building them, so that the exit can wait for them to drain. Each
 * gets, as it is built, the one handler of a reader gone away: without it a
 * write's EPIPE is an unhandled 'error' event, a crash with a stack trace.
 */
const built = new Set<NodeJS.WriteStream>();

function onStdioError(err: Error): void {
  if (pipeBroken) return; // what a stream that broke says after that: nothing new
  if (isBrokenPipe(err)) return brokenPipe();
  throw err; // anything else is as unexpected as it was without this handler
}

export function noteStdioStreams(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with process as `this`
    const { get, enumerable } = Object.getOwnPropertyDescriptor(process, name) ?? {};
    if (!get) continue;
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable,
      get() {
        const stream = get.call(process) as NodeJS.WriteStream;
        if (!built.has(stream)) {
          built.add(stream);
          stream.on('error', onStdioError);
        }
        return stream;
      },
    });
  }
}

/** Resolves once the streams built have handed everything to the kernel (or failed: a reader gone). */
export async function stdioDrained(): Promise<void> {
  const pending = [...built].filter((s) => s.writableLength > 0 && !s.destroyed);
  await Promise.all(pending.map((s) => new Promise((done) => {
    s.once('drain', done);
    s.once('error', done);
    s.once('close', done);
  })));
}
