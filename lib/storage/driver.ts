// Root filesystem drivers: kernel overlayfs inside the user namespace first,
// fuse-overlayfs where the kernel refuses it, a copying vfs driver last.
//
// A store's driver is decided once, by a probe, and recorded: as podman
// decides when it opens a store, never by whichever container first saw a
// mount fail. A container's mount can fail for reasons of its own (its
// directory removed under it, no memory for a moment); taken for a refusal,
// that once moved a whole store to fuse-overlayfs for good.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { randomHex } from '../core/random.js';
import type { RootfsPlan } from '../native/binding.js';
import { probeOverlay, removeTrees, type OverlayProbe } from '../native/userns-helper.js';
import { mkdirPrivate, readJsonIfExists, writeJsonAtomic } from './atomic.js';
import { withLockSync } from './lock.js';

export type DriverName = RootfsPlan['driver'];
export const DRIVERS: DriverName[] = ['overlay', 'fuse-overlayfs', 'vfs'];

/** Lower layers the kernel stacks at most (OVL_MAX_STACK); an image of more needs another driver. */
export const OVERLAY_MAX_LOWERS = 500;

/**
 * Errnos of the probe's mount that mean the kernel will not mount overlayfs
 * for containers of this store (options or file system not supported, not
 * allowed in a user namespace, no overlayfs at all). Any other errno is a
 * moment's trouble and decides nothing.
 */
const REFUSALS = new Set(['EINVAL', 'EPERM', 'ENODEV', 'EOPNOTSUPP']);

const FUSE_OVERLAYFS_CANDIDATES = ['/usr/bin/fuse-overlayfs', '/usr/local/bin/fuse-overlayfs'];

export function fuseOverlayfsPath(): string | undefined {
  return FUSE_OVERLAYFS_CANDIDATES.find((p) => fs.existsSync(p));
}

/** The store's record of its driver and of what the probe found. */
interface DriverRecord {
  driver: DriverName;
  probe: string;
}

function driverFile(ctx: Context): string {
  return path.join(ctx.paths.dataRoot, 'storage-driver.json');
}

/**
 * The driver for a new container: --storage-driver (or HUSK_STORAGE_DRIVER)
 * if given, else the store's. An image with more layers than overlayfs
 * stacks gets the next driver, as a refusal would give it.
 */
export function chooseDriver(ctx: Context, layerCount = 0): DriverName {
  const forced = ctx.storageDriver;
  if (forced) {
    if (!DRIVERS.includes(forced as DriverName)) throw new UsageError(`unknown storage driver "${forced}": use one of ${DRIVERS.join(', ')}`);
    return forced as DriverName;
  }
  const driver = storeDriver(ctx);
  return driver === 'overlay' && layerCount > OVERLAY_MAX_LOWERS ? driverWithoutKernelOverlay() : driver;
}

/** The store's driver: recorded, or decided now by the probe (`check`, a seam for tests). */
export function storeDriver(ctx: Context, check: (ctx: Context) => OverlayCheck = checkKernelOverlay): DriverName {
  const recorded = readRecord(ctx);
  if (recorded) return recorded.driver;
  mkdirPrivate(ctx.paths.dataRoot);
  // Parallel first commands of a store: one probes, the others read its record.
  return withLockSync(path.join(ctx.paths.dataRoot, 'storage-driver.lock'), () => {
    const now = readRecord(ctx);
    if (now) return now.driver;
    const found = check(ctx);
    // Not known (the probe could not run, or its mount met a passing
    // error): overlay for now, and the next command probes again.
    if (found.verdict === 'unknown') return 'overlay';
    const record: DriverRecord = {
      driver: found.verdict === 'yes' ? 'overlay' : driverWithoutKernelOverlay(),
      probe: found.verdict === 'yes' ? 'kernel overlayfs mounts' : `kernel overlayfs refused: ${found.detail}`,
    };
    writeJsonAtomic(driverFile(ctx), record);
    return record.driver;
  });
}

/**
 * A record without the probe's finding was written by a husk that switched
 * drivers at the first failed mount: not a decision to keep.
 */
function readRecord(ctx: Context): DriverRecord | undefined {
  const r = readJsonIfExists<Partial<DriverRecord>>(driverFile(ctx));
  return r?.probe && r.driver && DRIVERS.includes(r.driver) ? (r as DriverRecord) : undefined;
}

function driverWithoutKernelOverlay(): DriverName {
  return fuseOverlayfsPath() ? 'fuse-overlayfs' : 'vfs';
}

export interface OverlayCheck {
  /** yes: it mounts; no: the kernel refuses; unknown: the probe could not tell. */
  verdict: 'yes' | 'no' | 'unknown';
  detail: string;
}

/** What the probe's mount says: a refusal, or a moment's trouble that decides nothing. */
export function verdictOf(probe: OverlayProbe): OverlayCheck {
  if (probe.mounted) return { verdict: 'yes', detail: 'mounted' };
  return { verdict: REFUSALS.has(probe.errno ?? '') ? 'no' : 'unknown', detail: `${probe.errno} (${probe.error})` };
}

/**
 * Mounts a tiny overlay the way containers get theirs: inside the user
 * namespace, with userxattr, on the file system that holds the store.
 */
export function checkKernelOverlay(ctx: Context): OverlayCheck {
  let dir: string | undefined;
  try {
    mkdirPrivate(ctx.paths.dataRoot);
    dir = fs.mkdtempSync(path.join(ctx.paths.dataRoot, 'ovl-check-'));
    return verdictOf(probeOverlay(ctx.userns(), dir));
  } catch (err) {
    return { verdict: 'unknown', detail: (err as Error).message };
  } finally {
    if (dir) {
      try {
        removeTrees(ctx.userns(), [dir]);
      } catch {
        /* best effort */
      }
    }
  }
}

/**
 * Short names for a container's lower layers: `<dir>/<n>` links to its n-th
 * layer, bottom first. mount(2) copies one page of options, which some 45
 * layer paths fill; relative to the container's directory (the addon and
 * husk-userns chdir there when the list is long), `l/7` takes 4 bytes where a
 * path takes 90, room for every layer the kernel stacks. podman's short
 * links (`l/` of its store) do the same; these go with their container.
 */
export function lowerLinks(dir: string, layerDirsBottomFirst: string[]): string[] {
  mkdirPrivate(dir);
  return layerDirsBottomFirst.map((target, i) => {
    const link = path.join(dir, String(i));
    if (readLink(link) !== target) {
      // Made aside and renamed over: a start and a cp of the container may both get here.
      const tmp = `${link}.tmp-${process.pid}-${randomHex(4)}`;
      fs.symlinkSync(target, tmp);
      fs.renameSync(tmp, link);
    }
    return link;
  });
}

function readLink(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
}

export function rootfsPlan(
  driver: DriverName,
  lowerDirsBottomFirst: string[],
  p: { upper: string; work: string; rootfs: string },
  ephemeral = false,
): RootfsPlan {
  return {
    driver,
    lowerDirs: [...lowerDirsBottomFirst].reverse(),
    upperDir: p.upper,
    workDir: p.work,
    target: p.rootfs,
    volatile: ephemeral,
    fuseOverlayfs: driver === 'fuse-overlayfs' ? fuseOverlayfsPath() : undefined,
  };
}
