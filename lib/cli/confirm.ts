// podman's "Are you sure you want to continue? [y/N]": the question on
// stdout, one line read from stdin. End of input is an error, as podman's
// (a script that wants no question passes -f).
import fs from 'node:fs';
import { HuskError } from '../core/errors.js';
import { printOut } from './output.js';

/** One line of stdin, read a byte at a time so nothing after it is taken; undefined at end of input. */
function readLine(): string | undefined {
  const buf = Buffer.alloc(1);
  let line = '';
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, buf, 0, 1, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((err as NodeJS.ErrnoException).code === 'EOF') return line || undefined;
      throw err;
    }
    if (n === 0) return line || undefined;
    const c = buf.toString('latin1');
    if (c === '\n') return line;
    line += c;
  }
}

/** True when the user answered y or yes; false for anything else; end of input throws. */
export function confirm(warning: string): boolean {
  printOut(`${warning}Are you sure you want to continue? [y/N] `);
  const answer = readLine();
  if (answer === undefined) throw new HuskError('EOF');
  return /^y(es)?$/i.test(answer.trim());
}
