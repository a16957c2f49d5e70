// `system df`: what images, containers and volumes take on disk, and what could go.
import path from 'node:path';
import { ImageStore } from '../image/store.js';
import { ContainerStore } from '../runtime/container-store.js';
import { directorySize } from '../storage/du.js';
import type { Context } from '../core/context.js';
import { listVolumes } from './volumes.js';
import { volumeUsers, VolumeStore } from '../runtime/volume-store.js';

export interface DiskUsageRow {
  type: 'Images' | 'Containers' | 'Local Volumes';
  total: number;
  active: number;
  size: number;
  reclaimable: number;
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
  const upper = containers.map((c) => ({ running: c.status === 'running', size: directorySize(path.join(store.root, 'containers', c.record.id, 'upper')) }));
  const users = volumeUsers(ctx);
  const volumes = listVolumes(ctx).map((v) => ({ used: users.has(v.name), size: directorySize(new VolumeStore(ctx).paths(v.name).data) }));
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
    {
      type: 'Local Volumes',
      total: volumes.length,
      active: volumes.filter((v) => v.used).length,
      size: volumes.reduce((s, v) => s + v.size, 0),
      reclaimable: volumes.filter((v) => !v.used).reduce((s, v) => s + v.size, 0),
    },
  ];
}
