// Runs the native husk-userns helper: tar extraction and tree removal inside
// the user namespace that rootless containers use, so file owners in layers
// are the mapped ids (uid 0 in an image = the user, uid N = a subordinate id).
import type { ChildProcess } from 'node:child_process';
import { lazyChildProcess } from '../util/lazy.js';
import fs from 'node:fs';
import type { UserNamespace } from '../engine/context.js';
import { HuskError } from '../engine/errors.js';
import { usernsHelperPath } from '../runtime/native.js';

export function usernsArgs(userns: UserNamespace | undefined): string[] {
  if (!userns) return [];
  const args: string[] = [];
  for (const m of userns.uidMappings) args.push('--uidmap', `${m.containerID}:${m.hostID}:${m.size}`);
  for (const m of userns.gidMappings) args.push('--gidmap', `${m.containerID}:${m.hostID}:${m.size}`);
  if (userns.helpers) args.push('--helpers');
  return args;
}

/** Starts `husk-userns untar DEST`; the caller writes the tar stream to its stdin. */
export function spawnUntar(userns: UserNamespace | undefined, dest: string): ChildProcess {
  const args = [...usernsArgs(userns), '--', 'untar', dest];
  if (userns && !userns.helpers) args.push('--ignore-chown-errors');
  return lazyChildProcess().spawn(usernsHelperPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The copying driver: a complete root filesystem in `dest` from layers given bottom first. */
export function mergeLayers(userns: UserNamespace | undefined, dest: string, layerDirsBottomFirst: string[]): void {
  const r = lazyChildProcess().spawnSync(usernsHelperPath, [...usernsArgs(userns), '--', 'merge', dest, ...layerDirsBottomFirst], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new HuskError(`copying the image into the container (vfs driver): ${(r.stderr || r.error?.message || 'failed').trim().split('\n').pop()}`);
  }
}

/**
 * Removes trees. Tries plainly first: most of what a rootless user removes
 * is its own; only trees with subordinate owners need the namespace.
 */
export function removeTrees(userns: UserNamespace | undefined, paths: string[]): void {
  const left = paths.filter((p) => {
    try {
      fs.rmSync(p, { recursive: true, force: true });
      return false;
    } catch {
      return true;
    }
  });
  if (left.length === 0) return;
  const r = lazyChildProcess().spawnSync(usernsHelperPath, [...usernsArgs(userns), '--', 'rm', ...left], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new HuskError(`removing ${left.join(', ')}: ${(r.stderr || r.error?.message || 'failed').trim()}`);
  }
}
