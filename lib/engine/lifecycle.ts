// The verbs of a container's life after create: start (again), restart,
// wait, rename. Signals and stop are in stop.ts; the restart policy, applied
// when a container exits, in cleanup.ts.
import fs from 'node:fs';
import { ContainerStore, isAlive, type ContainerView, type Status } from '../runtime/container-store.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import { PodStore } from '../runtime/pod-store.js';
import type { Context } from '../core/context.js';
import { ConflictError, HuskError, UsageError } from '../core/errors.js';
import { respawnContainer } from './create.js';
import { NAME_PATTERN } from './names.js';
import { startContainer } from './start.js';
import { readHealth } from './health.js';
import { notifyWhenHealthy } from './sdnotify.js';
import { markStoppedByUser, running, sleep, stopContainer } from './stop.js';

import { eachContainer, type ItemReport, type Selection } from './bulk.js';
import { filterContainers, parseContainerFilters } from './containers.js';

export { killContainer, killContainers, parseSignal, stopContainer, stopContainers } from './stop.js';

/**
 * Starts a container: releases the init of a created one, or makes a new
 * init for one that exited. A running container is left as it is.
 */
export function startAny(ctx: Context, view: ContainerView): ContainerView {
  if (running(view)) return view;
  startPodInfra(ctx, view);
  markStoppedByUser(ctx, view, false);
  let v = view;
  if (view.status !== 'created' || !view.state || !isAlive(view.state)) v = respawnContainer(ctx, view, 0);
  startContainer(ctx, v);
  return v;
}

/** A pod's member joins its infra's namespaces: the infra runs first, as podman starts it. */
function startPodInfra(ctx: Context, view: ContainerView): void {
  if (!view.record.pod || view.record.podInfra) return;
  const infraId = new PodStore(ctx).find(view.record.pod)?.infraId;
  const infra = infraId ? new ContainerStore(ctx).view(infraId) : undefined;
  if (infra && !running(infra)) startAny(ctx, infra);
}

/**
 * `start` without -a: each named container, or --all of those not running.
 * --filter picks among the named ones too, and alone means --all, as podman's.
 */
export function startContainers(ctx: Context, sel: Selection, filters: string[] = []): Promise<ItemReport[]> {
  const matches = startFilter(ctx, filters);
  const store = new ContainerStore(ctx);
  const all = sel.all || (filters.length > 0 && sel.names.length === 0);
  // A name that finds nothing stays, to be reported as missing.
  const names = sel.names.filter((n) => {
    const v = store.find(n);
    return !v || matches(v);
  });
  if (filters.length && !all && names.length === 0) return Promise.resolve([]);
  // --sdnotify=healthy: the start (a unit's ExecStart) ends once it said READY=1.
  return eachContainer(ctx, { names, all, select: (v) => v.status !== 'running' && matches(v) }, (v) => notifyWhenHealthy(ctx, startAny(ctx, v)));
}

const RESTART_POLICIES = ['no', 'on-failure', 'always', 'unless-stopped'];

/** `start --filter`: restart-policy=, and every filter of ps (status=, name=, label=, ...). */
function startFilter(ctx: Context, filters: string[]): (v: ContainerView) => boolean {
  const policies = filters.filter((f) => f.startsWith('restart-policy=')).map((f) => f.slice('restart-policy='.length));
  for (const p of policies) if (!RESTART_POLICIES.includes(p)) throw new UsageError(`invalid filter "restart-policy=${p}": use ${RESTART_POLICIES.join(', ')}`);
  const others = parseContainerFilters(filters.filter((f) => !f.startsWith('restart-policy=')));
  return (v) => (policies.length === 0 || policies.includes(v.record.restartPolicy?.name ?? 'no')) && filterContainers(ctx, [v], others).length === 1;
}

/**
 * `init` (podman's): husk's create leaves every container initialized (its
 * init made, waiting for the start), and a start makes a new one for a
 * container that ran: there is nothing to do but find them, as podman's
 * init of a running or exited container does nothing either.
 */
export function initContainers(ctx: Context, sel: Selection): Promise<ItemReport[]> {
  return eachContainer(ctx, { ...sel, select: (v) => v.status === 'created' }, () => {});
}

/** start -a of a container that exited: a new init, left created for runAttached to start. */
export function startableForAttach(ctx: Context, view: ContainerView): ContainerView {
  if (view.status === 'created') return view;
  if (view.status === 'running') throw new UsageError(`container ${view.record.name} is already running: use husk attach`);
  return respawnContainer(ctx, view, 0);
}

export function restartContainers(ctx: Context, sel: Selection, timeoutSec?: number): Promise<ItemReport[]> {
  return eachContainer(ctx, sel, (v) => restartContainer(ctx, v, timeoutSec));
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
  const recordDue = Date.now() + EXIT_RECORD_GRACE_MS;
  for (;;) {
    const now = store.view(view.record.id);
    if (!now) {
      if (wanted.includes('removing') || wanted.includes('stopped') || wanted.includes('exited')) return view.exit?.exitCode ?? -1;
      throw new HuskError(`container ${view.record.name} was removed while waiting`);
    }
    // Reaped, its exit not written yet: the monitor, still there, writes it next (slowly under an OOM's memory pressure).
    if (now.status === 'stopped' && monitorAlive(now) && Date.now() < recordDue) {
      await sleep(Math.min(intervalMs, 50));
      continue;
    }
    // A created container never ran: podman reports 0 for it.
    if (meets(now.status, wanted)) return now.exit?.exitCode ?? (now.status === 'created' ? 0 : -1);
    const health = readHealth(ctx, now)?.Status;
    if (health && now.status === 'running' && wanted.includes(health as WaitCondition)) return -1;
    view = now;
    await sleep(intervalMs);
  }
}

/** How long wait gives a live monitor to write the exit of a reaped container. */
const EXIT_RECORD_GRACE_MS = 10_000;

function monitorAlive(view: ContainerView): boolean {
  return Boolean(view.state?.monitorPid) && fs.existsSync(`/proc/${view.state!.monitorPid}`);
}

function meets(status: Status, wanted: WaitCondition[]): boolean {
  if (wanted.includes(status as WaitCondition)) return true;
  // Not running is what stopped and exited mean to wait, a created container too (podman's wait returns for it at once).
  return status !== 'running' && (wanted.includes('stopped') || wanted.includes('exited'));
}
