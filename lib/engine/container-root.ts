// How husk-userns reaches a container's root file system (the arguments of
// its stat/archive/extract commands), for each state and storage driver:
//
//   running (created,   /proc/<init pid>/root: the container's own mounts
//   rootful)
//                       (volumes included); the pid is checked against its
//                       start time, so a reused pid is never entered
//   vfs                 rootfs/, a complete copy
//   overlay, fuse-overlayfs
//                       the image's layers and the upper directory, mounted
//                       in the helper's private mount namespace on rootfs/
//                       (empty while the container is not running there);
//                       fuse-overlayfs where the kernel refuses, and for
//                       reading a merged copy as the last resort
import fs from 'node:fs';
import path from 'node:path';
import { ImageStore } from '../image/store.js';
import { ContainerStore, isAlive, type ContainerView } from '../runtime/container-store.js';
import type { Spec } from '../core/oci-spec.js';
import { fuseOverlayfsPath, lowerLinks } from '../storage/driver.js';
import { removeTrees } from '../native/userns-helper.js';
import { randomHex } from '../core/random.js';
import type { Context } from '../core/context.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { withLock } from '../storage/lock.js';
import { cleanDestination } from './mounts.js';

export interface ContainerRoot {
  /** husk-userns arguments naming the root. */
  args: string[];
  /** Removes what was made for it (a scratch directory). */
  cleanup(): void;
  /** The container's own mounts are there (its init's root), its tmpfs mounts too. */
  live?: boolean;
}

export interface RootOptions {
  /** Writes will follow (a stopped container's overlay is mounted read-write). */
  write: boolean;
  /**
   * Read the container's own files, never its mounts (export): a running
   * container is read through its layers like a stopped one.
   */
  filesOnly?: boolean;
}

/**
 * The container's root for writing, held while `fn` runs. A container that
 * is not running has its upper directory mounted by the helper; a start
 * meanwhile would mount it a second time, so the copy and the start take
 * turns on the container's rootfs lock.
 */
export async function withWritableRoot<T>(ctx: Context, view: ContainerView, dest: string, fn: (root: ContainerRoot) => Promise<T>): Promise<T> {
  const store = new ContainerStore(ctx);
  const gone = () => new NotFoundError(`container ${view.record.name} was removed meanwhile`);
  if (!fs.existsSync(store.paths(view.record.id).dir)) throw gone();
  return withLock(store.paths(view.record.id).rootfsLock, async () => {
    // Looked at again under the lock: it may have started, or gone, since.
    const now = store.view(view.record.id);
    if (!now) throw gone();
    const root = containerRoot(ctx, now, { write: true });
    if (!root.live) refuseUnmountedTmpfs(ctx, now, dest);
    try {
      return await fn(root);
    } finally {
      root.cleanup();
    }
  });
}

export function containerRoot(ctx: Context, view: ContainerView, opts: RootOptions): ContainerRoot {
  const p = new ContainerStore(ctx).paths(view.record.id);
  const none = { cleanup: () => {} };
  // A created container's init has not run execve yet and is not dumpable
  // (its fds still point at the host): rootless, its /proc/PID/root is
  // closed to us, and its layers are used as a stopped container's are.
  // (Its own overlay mount has looked up little more than its mount points
  // by then, so what is written to the shared upper directory shows.)
  const live = view.state && isAlive(view.state) && (view.status === 'running' || (view.status === 'created' && !ctx.rootless));
  if (live && !opts.filesOnly) {
    return { args: ['--root-pid', String(view.state!.pid), '--root-pid-start', view.state!.pidStartTime], live: true, ...none };
  }
  // Volumes and bind mounts as the running container would show them (export leaves them out).
  const binds = opts.filesOnly ? [] : bindArgs(ctx, view);
  if (view.record.storageDriver === 'vfs') return { args: ['--root-dir', p.rootfs, ...binds], ...none };
  const images = new ImageStore(ctx);
  const layers = images.layerDirs(images.getImage(view.record.imageId));
  // Short names, as the container's own mount has them: a long list fits a page only so.
  const lowers = view.record.storageDriver === 'overlay' ? lowerLinks(p.lowerLinks, layers) : layers;
  const args = [...lowers.flatMap((l) => ['--lower', l]), '--upper', p.upper, '--mountpoint', p.rootfs, ...binds];
  if (opts.write) args.push('--work', p.work, '--writable');
  if (view.record.storageDriver !== 'fuse-overlayfs') return { args, ...none };
  const fuse = fuseOverlayfsPath();
  if (fuse) args.push('--fuse-overlayfs', fuse, '--prefer-fuse');
  if (opts.write) return { args, ...none };
  // The last resort for reading: a merged copy, made only if nothing mounts.
  const scratch = path.join(p.dir, `.scratch-${process.pid}-${randomHex(4)}`);
  fs.mkdirSync(scratch, { mode: 0o700 });
  args.push('--scratch', scratch);
  return { args, cleanup: () => removeTrees(ctx.userns(), [scratch]) };
}

/**
 * A write into a tmpfs of a container whose mounts are not there (stopped,
 * or created and rootless) would land under the mount point, hidden once it
 * starts: refused, as podman finds no such directory.
 */
function refuseUnmountedTmpfs(ctx: Context, view: ContainerView, dest: string): void {
  const d = cleanDestination(dest);
  const inside = (m: string) => d === m || d.startsWith(m.endsWith('/') ? m : `${m}/`);
  const tmpfs = (containerSpec(ctx, view)?.mounts ?? []).find((m) => m.type === 'tmpfs' && inside(cleanDestination(m.destination)));
  if (tmpfs) {
    throw new UsageError(`${view.record.name}:${d} is on the tmpfs at ${tmpfs.destination}, which exists only while the container runs: start it, then copy`);
  }
}

function containerSpec(ctx: Context, view: ContainerView): Spec | undefined {
  try {
    return JSON.parse(fs.readFileSync(new ContainerStore(ctx).paths(view.record.id).config, 'utf8')) as Spec;
  } catch {
    return undefined;
  }
}

/** --bind/--bind-ro SOURCE DEST for the bind mounts of the container's spec, in mount order; none under /proc, /sys, /dev. */
function bindArgs(ctx: Context, view: ContainerView): string[] {
  const kernel = /^\/(proc|sys|dev)(\/|$)/;
  return (containerSpec(ctx, view)?.mounts ?? [])
    .filter((m) => (m.type === 'bind' || m.options?.some((o) => o === 'bind' || o === 'rbind')) && !kernel.test(path.posix.normalize(m.destination)))
    .flatMap((m) => [m.options?.includes('ro') ? '--bind-ro' : '--bind', m.source, m.destination]);
}

/** The image layers a container was made from, bottom first. */
export function containerLayers(ctx: Context, view: ContainerView): string[] {
  const images = new ImageStore(ctx);
  return images.layerDirs(images.getImage(view.record.imageId));
}

/**
 * Paths the runtime mounts over (/proc, /etc/hosts, volumes, ...): what the
 * upper directory holds there are mount points it made, no change of the
 * container's own.
 */
export function mountPoints(ctx: Context, view: ContainerView): string[] {
  return [...new Set((containerSpec(ctx, view)?.mounts ?? []).map((m) => path.posix.normalize(m.destination)))];
}

/** husk-userns changes/layer-tar arguments: the container's changes against its image. */
export function changeArgs(ctx: Context, view: ContainerView): string[] {
  const p = new ContainerStore(ctx).paths(view.record.id);
  const layers = containerLayers(ctx, view);
  const top = view.record.storageDriver === 'vfs' ? ['--root-dir', p.rootfs, '--full'] : ['--upper', p.upper];
  return [...top, ...layers.flatMap((l) => ['--lower', l]), ...mountPoints(ctx, view).flatMap((m) => ['--exclude', m])];
}

/**
 * husk-userns arguments for reading an image's files (a build's COPY
 * --from, and where a COPY's destination leads): its layers under an empty
 * upper directory, mounted read-only in the helper's own namespace, in
 * `dir` (which the caller makes and removes). No layers: `dir` is the root.
 */
export function imageRootArgs(ctx: Context, layersBottomFirst: string[], dir: string): string[] {
  if (layersBottomFirst.length === 0) {
    fs.mkdirSync(path.join(dir, 'empty'), { recursive: true, mode: 0o755 });
    return ['--root-dir', path.join(dir, 'empty')];
  }
  for (const d of ['upper', 'mnt', 'scratch']) fs.mkdirSync(path.join(dir, d), { recursive: true, mode: 0o700 });
  const args = [...layersBottomFirst.flatMap((l) => ['--lower', l]), '--upper', path.join(dir, 'upper'), '--mountpoint', path.join(dir, 'mnt')];
  const fuse = fuseOverlayfsPath();
  if (fuse) args.push('--fuse-overlayfs', fuse);
  // Where nothing mounts (the vfs driver's machines): a merged copy to read.
  args.push('--scratch', path.join(dir, 'scratch'));
  return args;
}
