// Root filesystem drivers: kernel overlayfs inside the user namespace first,
// fuse-overlayfs where the kernel refuses it, a copying vfs driver last. The
// first driver that works is remembered per store.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import type { RootfsPlan } from '../native/binding.js';
import { readJsonIfExists, writeJsonAtomic } from './atomic.js';

export type DriverName = RootfsPlan['driver'];
export const DRIVERS: DriverName[] = ['overlay', 'fuse-overlayfs', 'vfs'];

const FUSE_OVERLAYFS_CANDIDATES = ['/usr/bin/fuse-overlayfs', '/usr/local/bin/fuse-overlayfs'];

export function fuseOverlayfsPath(): string | undefined {
  return FUSE_OVERLAYFS_CANDIDATES.find((p) => fs.existsSync(p));
}

function driverFile(ctx: Context): string {
  return path.join(ctx.paths.dataRoot, 'storage-driver.json');
}

export function chooseDriver(ctx: Context): DriverName {
  const forced = ctx.storageDriver;
  if (forced) {
    if (!DRIVERS.includes(forced as DriverName)) throw new UsageError(`unknown storage driver "${forced}": use one of ${DRIVERS.join(', ')}`);
    return forced as DriverName;
  }
  return readJsonIfExists<{ driver: DriverName }>(driverFile(ctx))?.driver ?? 'overlay';
}

function remember(ctx: Context, driver: DriverName): DriverName {
  writeJsonAtomic(driverFile(ctx), { driver });
  return driver;
}

/** What to try when a driver's mount is refused. */
export const DRIVER_FALLBACKS: Partial<Record<DriverName, (ctx: Context) => DriverName>> = {
  overlay: (ctx) => remember(ctx, fuseOverlayfsPath() ? 'fuse-overlayfs' : 'vfs'),
  'fuse-overlayfs': (ctx) => remember(ctx, 'vfs'),
};

export function rootfsPlan(
  driver: DriverName,
  layerDirsBottomFirst: string[],
  p: { upper: string; work: string; rootfs: string },
  ephemeral = false,
): RootfsPlan {
  return {
    driver,
    lowerDirs: [...layerDirsBottomFirst].reverse(),
    upperDir: p.upper,
    workDir: p.work,
    target: p.rootfs,
    volatile: ephemeral,
    fuseOverlayfs: driver === 'fuse-overlayfs' ? fuseOverlayfsPath() : undefined,
  };
}
