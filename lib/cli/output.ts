// Command output, written straight to fd 1. process.stdout is built on first
// use, and building it loads node's stream, net and tty modules: a few
// milliseconds of every `husk ps` or `husk inspect`.
import { writeSync } from 'node:fs';

let viaStream = false;

export function printOut(text: string | Uint8Array): void {
  if (viaStream) {
    process.stdout.write(text);
    return;
  }
  let rest = typeof text === 'string' ? Buffer.from(text) : text;
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(1, rest));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Nobody reads any more (`husk ps | head -1`): the rest is not wanted.
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw err;
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
 * without building them, so that the exit can wait for them to drain.
 */
const built = new Set<NodeJS.WriteStream>();

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
        built.add(stream);
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
