// Random ids from the kernel's pool without loading node:crypto.
import fs from 'node:fs';

export function randomBytes(n: number): Buffer {
  const buf = Buffer.alloc(n);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    fs.readSync(fd, buf, 0, n, null);
  } finally {
    fs.closeSync(fd);
  }
  return buf;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A uniform integer in [0, max), max < 2^32. */
export function randomInt(max: number): number {
  const limit = Math.floor(0x1_0000_0000 / max) * max;
  for (;;) {
    const v = randomBytes(4).readUInt32LE(0);
    if (v < limit) return v % max;
  }
}
