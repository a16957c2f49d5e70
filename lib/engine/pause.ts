// pause and unpause: every process of the container frozen or thawed
// through its cgroup's freezer (cgroup v1 freezer.state, v2 cgroup.freeze).
import { setFrozen } from '../runtime/cgroup-limits.js';
import type { ContainerView } from '../runtime/container-store.js';
import type { Context } from '../core/context.js';
import { ConflictError, HuskError } from '../core/errors.js';
import { eachContainer, type ItemReport, type Selection } from './bulk.js';
import { containerEvent } from './events.js';

export function pauseContainers(ctx: Context, sel: Selection): Promise<ItemReport[]> {
  return eachContainer(ctx, { ...sel, select: (v) => v.status === 'running' && !v.paused }, (v) => freeze(ctx, v, true));
}

export function unpauseContainers(ctx: Context, sel: Selection): Promise<ItemReport[]> {
  return eachContainer(ctx, { ...sel, select: (v) => v.paused === true }, (v) => freeze(ctx, v, false));
}

/** Freezes (pause) or thaws (unpause) one container. */
export function freeze(ctx: Context, view: ContainerView, frozen: boolean): void {
  const name = view.record.name;
  if (view.status !== 'running') throw new ConflictError(`container ${name} is not running`);
  if (frozen && view.paused) throw new ConflictError(`container ${name} is already paused`);
  if (!frozen && !view.paused) throw new ConflictError(`container ${name} is not paused`);
  if (!view.record.freezer) {
    throw new HuskError(`container ${name} cannot be paused: it has no cgroup of its own (rootless, containers get one only in a delegated cgroup v2 subtree: see husk info)`);
  }
  setFrozen(view.record.freezer, frozen);
  containerEvent(ctx, view.record, frozen ? 'pause' : 'unpause');
}

/** Refuses what a frozen container cannot do (exec, attach): it would hang. */
export function refuseIfPaused(view: ContainerView, what: string): void {
  if (view.paused) throw new ConflictError(`container ${view.record.name} is paused: unpause it to ${what}`);
}
