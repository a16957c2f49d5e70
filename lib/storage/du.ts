// Bytes of the regular files under a directory (a container's writable
// layer, for ps --size and inspect --size). Parts we cannot read (other
// owners, rootless) count as nothing; symlinks are not followed.
import fs from 'node:fs';
import path from 'node:path';

export function directorySize(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += directorySize(p);
    else if (e.isFile()) {
      try {
        total += fs.lstatSync(p).size;
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return total;
}
