// `system df`: what images and containers take on disk, and what could go.
import fs from 'node:fs';
import path from 'node:path';
import { ImageStore } from '../image/store.js';
import { ContainerStore } from '../runtime/container-store.js';
import type { Context } from './context.js';

export interface DiskUsageRow {
  type: 'Images' | 'Containers' | 'Local Volumes';
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

/** Bytes under `dir`, not following symlinks; what cannot be read (other ids' private dirs) counts as nothing. */
export function treeSize(dir: string): number {
  let total = 0;
  const walk = (p: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(p, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = path.join(p, e.name);
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) {
        try {
          total += fs.lstatSync(child).size;
        } catch {
          /* gone meanwhile */
        }
      }
    }
  };
  walk(dir);
  return total;
}

export function diskUsage(ctx: Context): DiskUsageRow[] {
  const store = new ImageStore(ctx);
  const images = store.listImages();
  const containers = new ContainerStore(ctx).list();
  const usedImages = new Set(containers.map((c) => c.record.imageId));
  const layerSize = (chainId: string) => store.getLayer(chainId)?.size ?? 0;
  // Shared layers count once; a layer is reclaimable when no container's image uses it.
  const allLayers = new Set(images.flatMap((i) => i.layers));
  const activeLayers = new Set(images.filter((i) => usedImages.has(i.id)).flatMap((i) => i.layers));
  const sum = (ids: Iterable<string>) => [...ids].reduce((s, c) => s + layerSize(c), 0);
  const upper = containers.map((c) => ({ running: c.status === 'running', size: treeSize(path.join(store.root, 'containers', c.record.id, 'upper')) }));
  return [
    {
      type: 'Images',
      total: images.length,
      active: images.filter((i) => usedImages.has(i.id)).length,
      size: sum(allLayers),
      reclaimable: sum([...allLayers].filter((c) => !activeLayers.has(c))),
    },
    {
      type: 'Containers',
      total: containers.length,
      active: upper.filter((c) => c.running).length,
      size: upper.reduce((s, c) => s + c.size, 0),
      reclaimable: upper.filter((c) => !c.running).reduce((s, c) => s + c.size, 0),
    },
    { type: 'Local Volumes', total: 0, active: 0, size: 0, reclaimable: 0 },
  ];
}
