// Signals and stopping: the bottom of a container's lifecycle, which
// remove, start and the restart policy all build on.
import fs from 'node:fs';
import { setFrozen } from '../runtime/cgroup-limits.js';
import { containerEvent } from './events.js';
import path from 'node:path';
import { ContainerStore, isAlive, pidRunning, type ContainerView } from '../runtime/container-store.js';
import type { Context } from '../core/context.js';
import { ConflictError, HuskError, UsageError } from '../core/errors.js';
import { eachContainer, type ItemReport, type Selection } from './bulk.js';

/** Signal names and numbers as kill(1) and docker take them: KILL, SIGKILL, 9. */
const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12,
  PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23,
  XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};

export function parseSignal(text: string): number {
  const t = text.trim().toUpperCase().replace(/^SIG/, '');
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n >= 1 && n <= 64) return n;
  } else if (t in SIGNALS) {
    return SIGNALS[t]!;
  } else {
    const rt = /^RTMIN(?:\+(\d+))?$|^RTMAX(?:-(\d+))?$/.exec(t);
    if (rt) return rt[1] !== undefined || t.startsWith('RTMIN') ? 34 + Number(rt[1] ?? 0) : 64 - Number(rt[2] ?? 0);
  }
  throw new UsageError(`invalid signal: ${text}`);
}

export const running = (v: ContainerView) => v.status === 'running' && !!v.state && isAlive(v.state);

/** Sends a signal to the container's init (pid 1 inside). */
export function killContainer(ctx: Context, view: ContainerView, signal: number): void {
  if (!running(view)) throw new ConflictError(`can only kill running containers: ${view.record.name} is ${view.status}`);
  // Said before the signal: the monitor records the "die" it may cause at once.
  containerEvent(ctx, view.record, 'kill', { attributes: { ...view.record.labels, signal: String(signal) } });
  try {
    process.kill(view.state!.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw new HuskError(`killing container ${view.record.name}: ${(err as Error).message}`);
  }
  thawForSignal(view);
}

/**
 * A paused container's processes take a signal only once thawed (cgroup v1
 * holds even SIGKILL): stop, kill and rm -f thaw it after signalling, as
 * podman does.
 */
export function thawForSignal(view: ContainerView): void {
  if (!view.paused || !view.record.freezer) return;
  try {
    setFrozen(view.record.freezer, false);
  } catch {
    /* gone meanwhile */
  }
}

/** Marks a container as stopped by its user: no restart policy brings it back until it is started again. */
export function markStoppedByUser(ctx: Context, view: ContainerView, stopped: boolean): void {
  const file = stoppedMarker(ctx, view);
  try {
    if (stopped) fs.writeFileSync(file, '');
    else fs.rmSync(file, { force: true });
  } catch {
    /* a --rm container removed meanwhile: nothing to mark */
  }
}

/** A stop is under way: the user's stop marked it, and it still runs (podman's "stopping" state). */
export function stopInProgress(ctx: Context, view: ContainerView): boolean {
  return running(view) && fs.existsSync(stoppedMarker(ctx, view));
}

export const stoppedMarker = (ctx: Context, view: ContainerView) => path.join(new ContainerStore(ctx).paths(view.record.id).dir, 'stopped-by-user');

/**
 * Stops a container: its stop signal (image STOPSIGNAL, --stop-signal, or
 * SIGTERM), then SIGKILL after `timeoutSec`. Returns once the exit is recorded.
 */
export async function stopContainer(ctx: Context, view: ContainerView, timeoutSec?: number): Promise<void> {
  markStoppedByUser(ctx, view, true);
  if (!running(view)) return; // stopping a stopped container is not an error (docker, podman)
  const timeout = timeoutSec ?? view.record.stopTimeout ?? 10;
  const signal = parseSignal(view.record.stopSignal ?? 'SIGTERM');
  try {
    process.kill(view.state!.pid, signal);
  } catch {
    /* gone already */
  }
  thawForSignal(view);
  if (!(await waitUntilExited(ctx, view, timeout * 1000))) {
    try {
      process.kill(view.state!.pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
    if (!(await waitUntilExited(ctx, view, 10_000))) throw new HuskError(`container ${view.record.name} did not exit after SIGKILL`);
  }
  containerEvent(ctx, view.record, 'stop');
  // A --rm container is gone when stop returns, as with podman: its monitor's cleanup removes it.
  if (view.record.autoRemove) await waitUntilRemoved(ctx, view, 10_000);
}

async function waitUntilRemoved(ctx: Context, view: ContainerView, timeoutMs: number): Promise<void> {
  const store = new ContainerStore(ctx);
  const deadline = Date.now() + timeoutMs;
  while (store.view(view.record.id) && Date.now() < deadline) await sleep(20);
}

/**
 * Resolves true once the container no longer runs and its exit is recorded
 * (or its monitor is gone), false after `timeoutMs`.
 */
export async function waitUntilExited(ctx: Context, view: ContainerView, timeoutMs: number): Promise<boolean> {
  const store = new ContainerStore(ctx);
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const now = store.view(view.record.id);
    if (!now || now.status !== 'running' || (now.state && !isAlive(now.state) && (now.exit || !pidRunning(now.state.monitorPid)))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const isRunning = (v: ContainerView) => v.status === 'running';

/** `stop`: each named container, or --all running ones. */
export function stopContainers(ctx: Context, sel: Selection, timeoutSec?: number): Promise<ItemReport[]> {
  return eachContainer(ctx, { ...sel, select: isRunning }, (v) => stopContainer(ctx, v, timeoutSec));
}

/** `kill`: each named container, or --all running ones. */
export function killContainers(ctx: Context, sel: Selection, signal: number): Promise<ItemReport[]> {
  return eachContainer(ctx, { ...sel, select: isRunning }, (v) => killContainer(ctx, v, signal));
}
