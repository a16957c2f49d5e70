// Removing containers. The monitor's cleanup after an exit is cleanup.ts.
import fs from 'node:fs';
import path from 'node:path';
import { AttachClient, FRAME_CLEANUP_TAKEN } from '../runtime/attach.js';
import { removeContainerCgroup } from '../runtime/container-cgroup.js';
import { markStoppedByUser, parseSignal, thawForSignal } from './stop.js';
import { containerEvent } from './events.js';
import type { Spec } from '../core/oci-spec.js';
import { ContainerStore, isAlive, pidRunning, type ContainerView } from '../runtime/container-store.js';
import { removeTrees } from '../native/userns-helper.js';
import type { Context } from '../core/context.js';
import { ConflictError, UsageError } from '../core/errors.js';
import { stopContainer } from './stop.js';
import { eachContainer, type ItemReport, type Selection } from './bulk.js';
import { removeAnonymousVolumes } from '../runtime/volume-store.js';
import { withLock } from '../storage/lock.js';
import { leaveNetworks, networkConfigOf } from './container-network.js';
import { NetworkStore } from '../network/store.js';

/**
 * Removes a container whose exit we saw. The monitor, told that we clean up,
 * only unlinks its socket and exits: no need to wait for it.
 */
export function removeAfterExit(ctx: Context, view: ContainerView): void {
  removeContainerFiles(ctx, new ContainerStore(ctx), view.record.id);
  removeAnonymousVolumes(ctx, view.record);
}

/**
 * Polls until `pid` is gone (or a zombie). Asynchronous on purpose: the
 * event loop must run meanwhile, or our own attach connection (closed just
 * before) would stay open, and the monitor waits for its clients.
 */
async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pidRunning(pid)) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

export interface RemoveReport extends ItemReport {
  id: string;
}

/**
 * Container directories without a record: a create killed between its
 * mkdir and the record's rename, or an rm killed after it unlinked the
 * record. Both happen under the store lock, so under the lock such a
 * directory belongs to no husk that is still at work. Taken away by rm and
 * container prune, with the network store's temp files of killed writes.
 */
export function removeOrphans(ctx: Context): void {
  new NetworkStore(ctx).tidy();
  const store = new ContainerStore(ctx);
  const orphans = store.locked(() => {
    const dirs = store.ids().filter((id) => !fs.existsSync(store.paths(id).record)).map((id) => store.paths(id).dir);
    let runs: string[] = [];
    try {
      runs = fs.readdirSync(store.runDir).filter((id) => /^[a-f0-9]{64}$/.test(id) && !fs.existsSync(store.paths(id).record)).map((id) => store.paths(id).run);
    } catch {
      /* no runroot yet */
    }
    return [...dirs, ...runs];
  });
  if (orphans.length === 0) return;
  for (const dir of orphans) openUp(path.join(dir, 'work', 'work'));
  removeTrees(ctx.userns(), orphans);
}

/** Removes containers one by one; a failure is reported, not thrown, so the rest go on. */
export interface RemoveOptions {
  /** -f: a running container is removed too. */
  force: boolean;
  /** --depend: the containers that use one's namespaces (--network container:X) go first. */
  depend?: boolean;
  /** -v: its anonymous volumes go too. */
  volumes?: boolean;
  /** -t (podman's): a running container is stopped first, SIGKILL after this many seconds; without it -f kills at once, as docker does. */
  stopTimeoutSec?: number;
}

/** `container prune`: every container that is not running that matches (--filter). */
export async function pruneContainers(ctx: Context, matches: (v: ContainerView) => boolean = () => true): Promise<ItemReport[]> {
  removeOrphans(ctx);
  return eachContainer(ctx, { names: [], all: true, select: (v) => v.status !== 'running' && !v.record.builder && matches(v) }, (v) => removeContainer(ctx, v, false));
}

/** rm of a running or paused container without -f (podman's exit code 2). */
export class ContainerRunningError extends ConflictError {}

export async function removeContainers(ctx: Context, sel: Selection, opts: RemoveOptions): Promise<RemoveReport[]> {
  if (sel.all && sel.names.length) throw new UsageError('--all and container names cannot be used together');
  if (!sel.all && !sel.names.length) throw new UsageError('give at least one container name or ID, or --all');
  const store = new ContainerStore(ctx);
  const given = sel.all ? store.list().map((v) => v.record.id) : sel.names;
  const names = opts.depend ? withDependents(store, given) : given;
  const reports: RemoveReport[] = [];
  removeOrphans(ctx);
  for (const name of names) {
    try {
      let view = store.get(name);
      if (view.record.podInfra) throw new ConflictError(`container ${view.record.name} is the infra container of a pod: remove the pod (husk pod rm)`);
      if (opts.force && opts.stopTimeoutSec !== undefined && view.status === 'running') {
        await stopContainer(ctx, view, opts.stopTimeoutSec);
        // A --rm container is gone once stopped; another is removed as an exited one.
        const after = store.view(view.record.id);
        if (!after) {
          reports.push({ id: view.record.id, name });
          continue;
        }
        view = after;
      }
      await removeContainer(ctx, view, opts.force, opts.volumes);
      reports.push({ id: view.record.id, name });
    } catch (err) {
      reports.push({ id: name, name, error: err as Error });
    }
  }
  return reports;
}

/** The names given, each preceded by the IDs of the containers that join its network namespace, theirs first. */
function withDependents(store: ContainerStore, names: string[]): string[] {
  const all = store.list();
  const dependents = (id: string): string[] =>
    all
      .filter((v) => {
        const mode = networkConfigOf(v.record).mode;
        return mode.kind === 'container' && store.find(mode.container)?.record.id === id;
      })
      .flatMap((v) => [...dependents(v.record.id), v.record.id]);
  const seen = new Set<string>();
  return names
    .flatMap((name) => {
      const id = store.find(name)?.record.id;
      return [...(id ? dependents(id) : []), name];
    })
    .filter((n) => !seen.has(n) && seen.add(n));
}

/**
 * `volumes` (rm -v): its anonymous volumes go too, as they do for every --rm
 * container. `stopTimeoutSec` (compose down): a running container gets its
 * stop signal first and SIGKILL only after that long; either way its
 * monitor is told to start no cleanup process, which this removal does.
 */
export async function removeContainer(ctx: Context, view: ContainerView, force: boolean, volumes = false, stopTimeoutSec?: number): Promise<void> {
  const store = new ContainerStore(ctx);
  // A created container's init is alive too, waiting for its start: removed without -f, as docker does.
  const alive = view.status === 'running' && view.state && isAlive(view.state);
  if (alive && !force) {
    throw new ContainerRunningError(`cannot remove container ${view.record.id} as it is ${view.paused ? 'paused' : view.status} - running or paused containers cannot be removed without force: container state improper`);
  }
  if (alive && view.state) {
    // Tell the monitor we remove the container ourselves, so it starts no cleanup process.
    const client = await AttachClient.connect(store.paths(view.record.id).attach, {
      stdout: () => {}, stderr: () => {}, exit: () => {}, closed: () => {},
    }).catch(() => undefined);
    client?.send(FRAME_CLEANUP_TAKEN);
    client?.close(); // the monitor waits for open clients before it exits
    if (stopTimeoutSec !== undefined) await stopGracefully(ctx, view, stopTimeoutSec);
    await killAndWait(view.state.pid, view.state.monitorPid, view);
  } else if (view.state && isAlive(view.state)) {
    // Created (or a run killed before its start): the monitor waits on an init that waits on us.
    await killAndWait(view.state.pid, view.state.monitorPid);
  } else if (!view.state) {
    // A create killed after the fork but before it wrote the state: find the monitor by its --id.
    for (const monitor of monitorsOf(view.record.id)) await killAndWait(childrenOf(monitor), monitor);
  }
  await removeUnlessRestarted(ctx, view, force);
  if (volumes || view.record.autoRemove) removeAnonymousVolumes(ctx, view.record);
}

/**
 * The files go under the container's rootfs lock, which a restart holds
 * while it makes a new init: an exited container whose restart policy
 * started it again since we looked has that init killed first (-f), and a
 * restart after us finds no record. Without it the files went from under a
 * new init, left waiting forever, and its failed mount once moved the store
 * to another driver.
 */
async function removeUnlessRestarted(ctx: Context, view: ContainerView, force: boolean): Promise<void> {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  try {
    await withLock(p.rootfsLock, async () => {
      const now = store.view(view.record.id);
      if (now?.state && isAlive(now.state) && now.state.pid !== view.state?.pid) {
        if (!force) throw new ConflictError(`cannot remove container ${view.record.id}: its restart policy started it again; use -f`);
        await killAndWait(now.state.pid, now.state.monitorPid);
      }
      removeContainerFiles(ctx, store, view.record.id);
    });
  } catch (err) {
    if (fs.existsSync(p.dir)) throw err; // else another rm was quicker
  }
}

/** The container's stop signal, and up to `timeoutSec` for its monitor to see it exit. */
async function stopGracefully(ctx: Context, view: ContainerView, timeoutSec: number): Promise<void> {
  markStoppedByUser(ctx, view, true);
  try {
    process.kill(view.state!.pid, parseSignal(view.record.stopSignal ?? 'SIGTERM'));
  } catch {
    return; // gone already
  }
  thawForSignal(view);
  await waitForExit(view.state!.monitorPid, timeoutSec * 1000);
  containerEvent(ctx, view.record, 'stop');
}

async function killAndWait(init: number | number[], monitor: number, view?: ContainerView): Promise<void> {
  for (const pid of ([] as number[]).concat(init)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* exited meanwhile */
    }
  }
  if (view) thawForSignal(view);
  await waitForExit(monitor, 10_000);
}

/** husk-monitor processes whose argv says --id ID (only ever ours: /proc shows every user's, kill() refuses theirs). */
function monitorsOf(id: string): number[] {
  const needle = `\0--id\0${id}\0`;
  return fs.readdirSync('/proc').filter((f) => /^\d+$/.test(f)).flatMap((f) => {
    try {
      return fs.readFileSync(`/proc/${f}/cmdline`, 'latin1').includes(needle) ? [Number(f)] : [];
    } catch {
      return [];
    }
  });
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function removeContainerFiles(ctx: Context, store: ContainerStore, id: string): void {
  const p = store.paths(id);
  const record = store.find(id)?.record;
  const cgroupsPath = cgroupsPathIn(p.config);
  if (record) leaveNetworks(ctx, record);
  store.locked(() => {
    // The record goes first: a half-removed container is then invisible, never listed broken.
    fs.rmSync(p.record, { force: true });
    // overlayfs leaves work/work (and work/work/incompat/volatile) mode 000;
    // they are ours, so a chmod spares a trip into the user namespace.
    openUp(path.join(p.work, 'work'));
    removeTrees(ctx.userns(), [p.dir, p.run]);
  });
  if (cgroupsPath) removeContainerCgroup(ctx, cgroupsPath);
  if (record?.cidFile) removeIdFile(record.cidFile, id);
  if (record && !record.builder) containerEvent(ctx, record, 'remove');
}

/** --cidfile's file goes with its container (as podman's), unless it names another one by now. */
export function removeIdFile(file: string, id: string): void {
  try {
    if (fs.readFileSync(file, 'utf8').trim() === id) fs.rmSync(file, { force: true });
  } catch {
    /* gone already, or not ours to read */
  }
}

/** Where the container's cgroup is, as its spec says (read before the bundle goes). */
function cgroupsPathIn(config: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(config, 'utf8')) as Spec).linux.cgroupsPath;
  } catch {
    return undefined;
  }
}

function openUp(dir: string): void {
  try {
    fs.chmodSync(dir, 0o700);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) openUp(path.join(dir, e.name));
  } catch {
    /* not there, or not ours: husk-userns removes it */
  }
}
