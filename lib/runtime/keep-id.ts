// --userns=keep-id's copy of the image: its files owned as the container
// sees them. The user's own ID is the container's root in husk's usual
// mapping, and keep-id moves it to the user's UID: without this the image's
// root files would appear as the user's (podman shifts its copy the same way).
import { lazyChildProcess } from '../core/lazy.js';
import type { UserNamespace } from '../core/context.js';
import { usernsHelperPath } from '../native/binding.js';
import { helperErrorFromSync } from '../native/helper-errors.js';
import { usernsArgs } from '../native/userns-helper.js';

/**
 * The owner, in the usual mapping, that shows as container ID `id` under
 * keep-id's mapping of `own` (spec.ts keepIdMappings): below `own` one up,
 * `own` itself the user (0 in the usual mapping), above it unchanged.
 */
export function shiftedId(id: number, own: number): number {
  if (id < own) return id + 1;
  return id === own ? 0 : id;
}

// Walks the tree inside the user namespace (as its root) and chowns each
// entry, symlinks included, from what it is to what keep-id must see.
const WALK = `
const fs = require('fs'), path = require('path');
const [dir, ownUid, ownGid] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const shift = (id, own) => (id < own ? id + 1 : id === own ? 0 : id);
const walk = (p) => {
  const st = fs.lstatSync(p);
  fs.lchownSync(p, shift(st.uid, ownUid), shift(st.gid, ownGid));
  if (st.isSymbolicLink()) return;
  // lchown drops set-id bits: put the mode back.
  if (!st.isDirectory()) { if (st.mode & 0o6000) fs.chmodSync(p, st.mode & 0o7777); return; }
  if (st.mode & 0o6000) fs.chmodSync(p, st.mode & 0o7777);
  for (const e of fs.readdirSync(p)) walk(path.join(p, e));
};
walk(dir);
`;

export function shiftForKeepId(userns: UserNamespace | undefined, rootfs: string, own: { uid: number; gid: number }): void {
  const args = [...usernsArgs(userns), '--', 'exec', process.execPath, '-e', WALK, rootfs, String(own.uid), String(own.gid)];
  const r = lazyChildProcess().spawnSync(usernsHelperPath(), args, { encoding: 'utf8' });
  if (r.status !== 0) throw helperErrorFromSync(r, 'giving the image\'s files their owners for --userns=keep-id', { program: 'node' });
}
