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

export interface ImageUsage {
  names: string[];
  id: string;
  created: string;
  size: number;
  /** Bytes of layers other images use too. */
  shared: number;
  containers: number;
}

export interface ContainerUsage {
  id: string;
  image: string;
  command: string[];
  localVolumes: number;
  size: number;
  created: string;
  status: string;
  name: string;
}

export interface VolumeUsage {
  name: string;
  /** Containers using it. */
  links: number;
  size: number;
}

/** `system df -v`: each image, container and volume with what it takes. */
export function diskUsageVerbose(ctx: Context): { images: ImageUsage[]; containers: ContainerUsage[]; volumes: VolumeUsage[] } {
  const store = new ImageStore(ctx);
  const imageList = store.listImages();
  const containerList = new ContainerStore(ctx).list();
  const layerUsers = new Map<string, number>();
  for (const i of imageList) for (const l of new Set(i.layers)) layerUsers.set(l, (layerUsers.get(l) ?? 0) + 1);
  const layerSize = (chainId: string) => store.getLayer(chainId)?.size ?? 0;
  const images = imageList.map((i) => ({
    names: i.names,
    id: i.id,
    created: i.created,
    size: i.size,
    shared: [...new Set(i.layers)].filter((l) => (layerUsers.get(l) ?? 0) > 1).reduce((s, l) => s + layerSize(l), 0),
    containers: containerList.filter((c) => c.record.imageId === i.id).length,
  }));
  const containers = containerList.map((c) => ({
    id: c.record.id,
    image: c.record.imageName || c.record.image,
    command: c.record.args,
    localVolumes: (c.record.mounts ?? []).filter((m) => m.type === 'volume').length,
    size: directorySize(path.join(store.root, 'containers', c.record.id, 'upper')),
    created: c.record.created,
    status: c.status,
    name: c.record.name,
  }));
  const users = volumeUsers(ctx);
  const vstore = new VolumeStore(ctx);
  const volumes = listVolumes(ctx).map((v) => ({ name: v.name, links: users.get(v.name)?.length ?? 0, size: directorySize(vstore.paths(v.name).data) }));
  return { images, containers, volumes };
}
