// `volume rm`: a volume in use is refused, or with force its containers go
// first (podman's rule). Apart from volumes.ts, which remove.ts itself needs.
import { ContainerStore } from '../runtime/container-store.js';
import type { Context } from './context.js';
import { removeContainer } from './remove.js';
import { removeUnusedVolume, volumeUsers, VolumeStore, type VolumeReport } from './volumes.js';

/** One report per name, so `volume rm a b c` goes on past a failure. */
export async function removeVolumes(ctx: Context, names: string[], force: boolean): Promise<VolumeReport[]> {
  const reports: VolumeReport[] = [];
  for (const name of names) {
    try {
      new VolumeStore(ctx).get(name);
      if (force) {
        const containers = new ContainerStore(ctx);
        for (const c of volumeUsers(ctx).get(name) ?? []) {
          const view = containers.find(c.id);
          if (view) await removeContainer(ctx, view, true);
        }
      }
      removeUnusedVolume(ctx, name);
      reports.push({ name });
    } catch (err) {
      reports.push({ name, error: err as Error });
    }
  }
  return reports;
}
