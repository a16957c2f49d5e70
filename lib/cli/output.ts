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
