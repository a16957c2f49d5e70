// File locks (flock) shared by every husk process of one user: there is no
// daemon to serialise access, so the store serialises itself.
import fs from 'node:fs';
import { native } from '../native/binding.js';

export function withLockSync<T>(lockFile: string, fn: () => T, exclusive = true): T {
  const fd = fs.openSync(lockFile, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    native().flock(fd, exclusive, true);
    return fn();
  } finally {
    fs.closeSync(fd); // closing drops the lock
  }
}

export async function withLock<T>(lockFile: string, fn: () => Promise<T>, exclusive = true): Promise<T> {
  const fd = fs.openSync(lockFile, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    native().flock(fd, exclusive, true);
    return await fn();
  } finally {
    fs.closeSync(fd);
  }
}
