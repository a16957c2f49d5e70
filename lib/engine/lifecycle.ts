// The verbs of a container's life after create: start (again), stop, kill,
// restart, wait, rename; and the restart policies, applied when a container
// exits (by `husk container cleanup`, which its monitor runs) — no daemon.
import fs from 'node:fs';
import path from 'node:path';
import { ContainerStore, isAlive, pidRunning, type ContainerView, type Status } from '../runtime/container-store.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import type { Context } from './context.js';
import { respawnContainer } from './create.js';
import { ConflictError, HuskError, UsageError } from './errors.js';
import { NAME_PATTERN } from './names.js';
import { startContainer } from './start.js';
import { readHealth } from './health.js';

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

const running = (v: ContainerView) => v.status === 'running' && !!v.state && isAlive(v.state);

/** Sends a signal to the container's init (pid 1 inside). */
export function killContainer(view: ContainerView, signal: number): void {
  if (!running(view)) throw new ConflictError(`can only kill running containers: ${view.record.name} is ${view.status}`);
  try {
    process.kill(view.state!.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw new HuskError(`killing container ${view.record.name}: ${(err as Error).message}`);
  }
}

/** Marks a container as stopped by its user: no restart policy brings it back until it is started again. */
function markStoppedByUser(ctx: Context, view: ContainerView, stopped: boolean): void {
  const file = stoppedMarker(ctx, view);
  try {
    if (stopped) fs.writeFileSync(file, '');
    else fs.rmSync(file, { force: true });
  } catch {
    /* a --rm container removed meanwhile: nothing to mark */
  }
}

const stoppedMarker = (ctx: Context, view: ContainerView) => path.join(new ContainerStore(ctx).paths(view.record.id).dir, 'stopped-by-user');

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
  if (!(await waitUntilExited(ctx, view, timeout * 1000))) {
    try {
      process.kill(view.state!.pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
    if (!(await waitUntilExited(ctx, view, 10_000))) throw new HuskError(`container ${view.record.name} did not exit after SIGKILL`);
  }
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
