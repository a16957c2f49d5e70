// `system reset`: every container (running ones killed), pod, network,
// image and volume of this store gone, then its two directories (--root,
// --runroot) themselves; configuration (containers.conf, auth) stays, as
// podman's reset leaves it.
import path from 'node:path';
import type { Context } from '../core/context.js';
import { HuskError } from '../core/errors.js';
import { DEFAULT_NETWORK } from '../core/network.js';
import { removeTrees } from '../native/userns-helper.js';
import { ContainerStore } from '../runtime/container-store.js';
import { listNetworks, removeNetworks } from './networks.js';
import { listPods, removePod } from './pods.js';
import { removeContainer } from './remove.js';

/** The directories reset removes: the store's, never a parent of anything else. */
export function resetTargets(ctx: Context): string[] {
  const dirs = [ctx.paths.dataRoot, ctx.paths.runRoot].map((d) => path.resolve(d));
  if (dirs.some((d) => d === path.parse(d).root)) throw new HuskError(`refusing to reset a store at ${dirs.join(' and ')}: a file system root`);
  return dirs;
}

/** What failed on the way is reported; the directories go anyway (what reset is for). */
export async function systemReset(ctx: Context): Promise<Error[]> {
  const targets = resetTargets(ctx);
  const problems: Error[] = [];
  const attempt = async (fn: () => unknown) => {
    try {
      await fn();
    } catch (err) {
      problems.push(err as Error);
    }
  };
  for (const pod of listPods(ctx)) await attempt(() => removePod(ctx, pod, true));
  const containers = new ContainerStore(ctx);
  for (const v of containers.list()) await attempt(() => removeContainer(ctx, v, true, true));
  // Bridges and firewall rules live outside the store: removed by name first.
  const networks = listNetworks(ctx).map((n) => n.name).filter((n) => n !== DEFAULT_NETWORK);
  for (const r of await removeNetworks(ctx, networks, { force: true })) if (r.error) problems.push(r.error);
  await attempt(() => removeTrees(ctx.userns(), targets));
  return problems;
}
