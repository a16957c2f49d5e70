// What happens after a container exited, run by its monitor as
// `husk container cleanup ID` (there is no daemon): the restart policy, else
// removal of a --rm container, else the volatile files go.
import fs from 'node:fs';
import { builderGone, ContainerStore, type ContainerView } from '../runtime/container-store.js';
import { removeAnonymousVolumes } from '../runtime/volume-store.js';
import type { Context } from '../core/context.js';
import { respawnContainer } from './create.js';
import { removeContainerFiles } from './remove.js';
import { startContainer } from './start.js';
import { leaveNetworks } from './container-network.js';
import { stoppedMarker } from './stop.js';
import { withLockSync } from '../storage/lock.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import { containerOomKilled } from '../runtime/container-cgroup.js';
import { containerEvent } from './events.js';
import type { Spec } from '../core/oci-spec.js';
import { stopPodIfDone } from './pods.js';

/**
 * Run by the monitor after the container exited (`husk container cleanup`).
 * `monitorPid` is the monitor that ran it: when the container has been
 * started again since (a new init and monitor, as a quick `start -a` makes),
 * the run is no longer this cleanup's to clean up.
 */
export async function cleanupContainer(ctx: Context, id: string, monitorPid?: number): Promise<void> {
  const store = new ContainerStore(ctx);
  const view = store.find(id);
  if (!view || view.status === 'running' || !ranUnder(view, monitorPid)) return;
  const oom = recordOomKill(ctx, store, view);
  // (Its "die" the monitor recorded.)
  if (oom && !view.record.builder) containerEvent(ctx, view.record, 'oom');
  leaveNetworks(ctx, view.record);
  if (applyRestartPolicy(ctx, view)) return;
  await stopPodIfDone(ctx, view);
  // A RUN step of a build that was killed: nobody will take its changes.
  const orphan = view.record.builder !== undefined && builderGone(view.record.builder);
  if (view.record.autoRemove || orphan) {
    removeContainerFiles(ctx, store, view.record.id);
    removeAnonymousVolumes(ctx, view.record);
    return;
  }
  const p = store.paths(view.record.id);
  // Under the lock a new start takes to make its init: its FIFO and attach socket live in p.run.
  withLockSync(p.rootfsLock, () => {
    const now = store.view(view.record.id);
    if (now && ranUnder(now, monitorPid)) fs.rmSync(p.run, { recursive: true, force: true });
  });
}

/** Whether the container's current run is the one `monitorPid` watched (any run when not given). */
function ranUnder(view: ContainerView, monitorPid: number | undefined): boolean {
  return monitorPid === undefined || view.state?.monitorPid === monitorPid;
}

/**
 * The restart policy, applied by the cleanup the monitor runs after an exit:
 * true when the container was started again.
 */
export function applyRestartPolicy(ctx: Context, view: ContainerView): boolean {
  const policy = view.record.restartPolicy;
  if (!policy || policy.name === 'no' || !view.exit) return false;
  if (fs.existsSync(stoppedMarker(ctx, view))) return false;
  const count = view.state?.restartCount ?? 0;
  if (policy.name === 'on-failure') {
    if (view.exit.exitCode === 0) return false;
    if (policy.maxRetries && count >= policy.maxRetries) return false;
  }
  // docker's back-off: 100 ms doubling, at most a minute; reset by a manual start.
  const delay = Math.min(100 * 2 ** count, 60_000);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
  const again = new ContainerStore(ctx).view(view.record.id);
  if (!again || again.status === 'running' || fs.existsSync(stoppedMarker(ctx, again))) return false;
  const v = respawnContainer(ctx, again, count + 1);
  startContainer(ctx, v);
  return true;
}

/** State.OOMKilled: the cgroup's OOM kill count, read before a restart or removal makes the cgroup anew. */
function recordOomKill(ctx: Context, store: ContainerStore, view: ContainerView): boolean {
  const p = store.paths(view.record.id);
  if (!view.exit) return false;
  try {
    const cgroupsPath = (JSON.parse(fs.readFileSync(p.config, 'utf8')) as Spec).linux.cgroupsPath;
    if (!cgroupsPath || !containerOomKilled(ctx, cgroupsPath)) return false;
    writeJsonAtomic(p.exit, { ...view.exit, oomKilled: true }, 0o600, false);
    return true;
  } catch {
    return false; // no spec or cgroup: nothing to tell
  }
}
