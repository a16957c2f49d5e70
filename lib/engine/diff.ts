// `husk diff`: what a container changed in its root file system, compared
// with its image, as docker and podman print it: A added, C changed, D
// deleted. Read from the overlay upper directory (whiteouts give D, an
// opaque directory deletes what it hides) or, for the vfs driver, by
// comparing the copy with the image's layers entry by entry. Mount points
// the runtime made (/etc/hostname, volumes, ...) are no change.
import { ContainerStore } from '../runtime/container-store.js';
import { listChanges, type Change } from '../native/rootfs-helper.js';
import { changeArgs } from './container-root.js';
import type { Context } from '../core/context.js';

export type { Change };

export async function containerChanges(ctx: Context, nameOrId: string): Promise<Change[]> {
  const view = new ContainerStore(ctx).get(nameOrId);
  const changes = await listChanges(ctx.userns(), changeArgs(ctx, view), `diff ${view.record.name}`);
  // Sorted by path, byte by byte, as docker sorts them.
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
