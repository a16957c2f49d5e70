// The verbs of a container's life after create: start (again), restart,
// wait, rename. Signals and stop are in stop.ts; the restart policy, applied
// when a container exits, in cleanup.ts.
import { ContainerStore, isAlive, type ContainerView, type Status } from '../runtime/container-store.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import type { Context } from '../core/context.js';
import { ConflictError, HuskError, UsageError } from '../core/errors.js';
import { respawnContainer } from './create.js';
import { NAME_PATTERN } from './names.js';
import { startContainer } from './start.js';
import { readHealth } from './health.js';
import { markStoppedByUser, running, sleep, stopContainer } from './stop.js';

export { killContainer, parseSignal, stopContainer } from './stop.js';

/**
 * Starts a container: releases the init of a created one, or makes a new
 * init for one that exited. A running container is left as it is.
 */
export function startAny(ctx: Context, view: ContainerView): ContainerView {
  if (running(view)) return view;
  markStoppedByUser(ctx, view, false);
  let v = view;
  if (view.status !== 'created' || !view.state || !isAlive(view.state)) v = respawnContainer(ctx, view, 0);
  startContainer(ctx, v);
  return v;
}

export async function restartContainer(ctx: Context, view: ContainerView, timeoutSec?: number): Promise<void> {
  await stopContainer(ctx, view, timeoutSec);
  const after = new ContainerStore(ctx).get(view.record.id);
  startAny(ctx, after);
}

export function renameContainer(ctx: Context, view: ContainerView, newName: string): void {
  if (!NAME_PATTERN.test(newName)) throw new UsageError(`invalid container name "${newName}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const store = new ContainerStore(ctx);
  store.locked(() => {
    if (store.names().has(newName)) throw new ConflictError(`the container name "${newName}" is already in use`);
    const p = store.paths(view.record.id);
    const record = store.view(view.record.id)?.record;
    if (!record) throw new ConflictError(`container ${view.record.name} went away`);
    record.name = newName;
    writeJsonAtomic(p.record, record, 0o600, !record.autoRemove);
  });
}

export type WaitCondition = 'stopped' | 'exited' | 'running' | 'created' | 'paused' | 'healthy' | 'unhealthy' | 'removing' | 'configured';

/** `wait`: resolves with the exit code once the container meets one of the conditions (default: not running). */
export async function waitContainer(ctx: Context, view: ContainerView, conditions: WaitCondition[], intervalMs = 250): Promise<number> {
  const store = new ContainerStore(ctx);
  const wanted = conditions.length ? conditions : (['stopped', 'exited'] as WaitCondition[]);
  for (;;) {
    const now = store.view(view.record.id);
    if (!now) {
      if (wanted.includes('removing') || wanted.includes('stopped') || wanted.includes('exited')) return view.exit?.exitCode ?? -1;
      throw new HuskError(`container ${view.record.name} was removed while waiting`);
    }
    if (meets(now.status, wanted)) return now.exit?.exitCode ?? -1;
    const health = readHealth(ctx, now)?.Status;
    if (health && now.status === 'running' && wanted.includes(health as WaitCondition)) return -1;
    view = now;
    await sleep(intervalMs);
  }
}

function meets(status: Status, wanted: WaitCondition[]): boolean {
  if (wanted.includes(status as WaitCondition)) return true;
  return status !== 'running' && status !== 'created' && (wanted.includes('stopped') || wanted.includes('exited'));
}
