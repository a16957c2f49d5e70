// Runs the native husk-userns helper: tar extraction and tree removal inside
// the user namespace that rootless containers use, so file owners in layers
// are the mapped ids (uid 0 in an image = the user, uid N = a subordinate id).
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { lazyChildProcess } from '../core/lazy.js';
import fs from 'node:fs';
import type { UserNamespace } from '../core/context.js';
import { usernsHelperPath } from './binding.js';
import { helperErrorFrom, helperErrorFromSync } from './helper-errors.js';

export function usernsArgs(userns: UserNamespace | undefined): string[] {
  if (!userns) return [];
  const args: string[] = [];
  for (const m of userns.uidMappings) args.push('--uidmap', `${m.containerID}:${m.hostID}:${m.size}`);
  for (const m of userns.gidMappings) args.push('--gidmap', `${m.containerID}:${m.hostID}:${m.size}`);
  if (userns.helpers) args.push('--helpers');
  return args;
}

/**
 * Starts `husk-userns untar DEST`: the caller writes the layer (tar, gzip or
 * zstd) to its stdin; its raw bytes are copied to `blobFd`.
 */
export function spawnUntar(userns: UserNamespace | undefined, dest: string, blobFd: number): ChildProcess {
  const args = [...usernsArgs(userns), '--', 'untar', dest, '--blob-fd', '3'];
  if (userns && !userns.helpers) args.push('--ignore-chown-errors');
  return lazyChildProcess().spawn(usernsHelperPath(), args, { stdio: ['pipe', 'pipe', 'pipe', blobFd] });
}

/** The digests of a layer file (tar, gzip or zstd), computed by the helper without extracting it. */
export async function layerFileDigests(file: string): Promise<{ digest: string; size: number; diffId: string; tarSize: number }> {
  const out = await runHelper(['digest'], file);
  return JSON.parse(out) as { digest: string; size: number; diffId: string; tarSize: number };
}

/** A layer file (tar, gzip or zstd) as a plain tar stream. */
export function decompressedLayer(file: string): Readable {
  const fd = fs.openSync(file, 'r');
  const child = lazyChildProcess().spawn(usernsHelperPath(), ['decompress'], { stdio: [fd, 'pipe', 'pipe'] });
  fs.closeSync(fd);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const out = child.stdout!;
  child.on('close', (code) => {
    if (code !== 0) out.destroy(helperErrorFrom(code, stderr, file, { fallback: `decompression failed (exit ${code})` }));
  });
  return out;
}

function runHelper(args: string[], stdinFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(stdinFile, 'r');
    const child = lazyChildProcess().spawn(usernsHelperPath(), args, { stdio: [fd, 'pipe', 'pipe'] });
    fs.closeSync(fd);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(helperErrorFrom(code, stderr, undefined, { fallback: `husk-userns ${args[0]} failed (exit ${code})` }));
    });
  });
}

/** The copying driver: a complete root filesystem in `dest` from layers given bottom first. */
export function mergeLayers(userns: UserNamespace | undefined, dest: string, layerDirsBottomFirst: string[]): void {
  const r = lazyChildProcess().spawnSync(usernsHelperPath(), [...usernsArgs(userns), '--', 'merge', dest, ...layerDirsBottomFirst], { encoding: 'utf8' });
  if (r.status !== 0) throw helperErrorFromSync(r, 'copying the image into the container (vfs driver)');
}

/** What `husk-userns probe-overlay` found: whether the mount worked, else its errno. */
export interface OverlayProbe {
  mounted: boolean;
  errno?: string;
  error?: string;
}

/** Mounts a tiny overlay in `dir` as a container's root is mounted; throws when it could not try. */
export function probeOverlay(userns: UserNamespace | undefined, dir: string): OverlayProbe {
  const r = lazyChildProcess().spawnSync(usernsHelperPath(), [...usernsArgs(userns), '--', 'probe-overlay', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw helperErrorFromSync(r, 'probing overlayfs');
  }
  return JSON.parse(r.stdout) as OverlayProbe;
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
  const r = lazyChildProcess().spawnSync(usernsHelperPath(), [...usernsArgs(userns), '--', 'rm', ...left], { encoding: 'utf8' });
  if (r.status !== 0) throw helperErrorFromSync(r, `removing ${left.join(', ')}`);
}
