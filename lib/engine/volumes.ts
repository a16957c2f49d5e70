// Volume verbs: create, inspect, list, prune and remove. The store itself,
// and what containers need of it, is lib/runtime/volume-store.ts.
import type { Context } from '../core/context.js';
import { HuskError, NotFoundError, UsageError } from '../core/errors.js';
import { lazyChildProcess } from '../core/lazy.js';
import { usernsHelperPath } from '../native/binding.js';
import { usernsArgs } from '../native/userns-helper.js';
import { findProgram } from '../network/outbound.js';
import { removeUnusedVolume, volumeUsers, VolumeStore, type NewVolume, type VolumeRecord } from '../runtime/volume-store.js';
import { removeContainer } from './remove.js';
import { ContainerStore } from '../runtime/container-store.js';
import { parseLogTime } from './logs.js';
import { recordEvent } from './events.js';

export { checkTmpfsOption, checkVolumeOptions, shownName, volumeNameProblem, VolumeStore, type VolumeRecord } from '../runtime/volume-store.js';

export function createVolume(ctx: Context, v: NewVolume, ignoreExisting = false): VolumeRecord {
  const store = new VolumeStore(ctx);
  return store.locked(() => {
    const existing = v.name !== undefined ? store.read(v.name) : undefined;
    if (existing && ignoreExisting) return existing;
    const made = store.create(v);
    recordEvent(ctx, { type: 'volume', action: 'create', id: made.name, name: made.name });
    return made;
  });
}

export function volumeExists(ctx: Context, name: string): boolean {
  return new VolumeStore(ctx).read(name) !== undefined;
}

/** docker's `volume inspect` object, with podman's fields (Anonymous, MountCount, NeedsCopyUp). */
export function inspectVolume(ctx: Context, name: string): Record<string, unknown> {
  const store = new VolumeStore(ctx);
  return volumeView(store, store.get(name));
}

/** One volume as inspect and `ls --format` show it. */
export function volumeView(store: VolumeStore, v: VolumeRecord, mountCount = 0): Record<string, unknown> {
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: store.paths(v.name).data,
    Name: v.name,
    Options: v.options,
    Scope: 'local',
    Anonymous: v.anonymous,
    MountCount: mountCount,
    NeedsCopyUp: v.needsCopyUp,
  };
}

export interface VolumeFilter {
  /** name=REGEX (podman: a regular expression). */
  name: RegExp[];
  /** label=K[=V]: all must match. */
  label: string[];
  /** label!=K[=V]: none may match. */
  notLabel: string[];
  dangling?: boolean;
  anonymous?: boolean;
  driver: string[];
  /** opt=K[=V] or a bare option value: one must match. */
  opt: string[];
  scope: string[];
  /** Created before this time (ms). */
  until?: number;
  /** after=VOLUME / since=VOLUME: created after that volume. */
  after?: string;
}

const LS_FILTERS = ['name', 'label', 'label!', 'dangling', 'anonymous', 'driver', 'opt', 'scope', 'until', 'after', 'since'];
/** podman's volume prune filters; all=true is prune's --all, which is husk's only behaviour. */
export const PRUNE_FILTERS = ['label', 'label!', 'until', 'anonymous', 'after', 'since', 'all'];

function boolFilter(raw: string, value: string): boolean {
  if (!['true', 'false', '1', '0'].includes(value)) throw new UsageError(`invalid filter "${raw}": give true or false`);
  return value === 'true' || value === '1';
}

/** --filter KEY=VALUE, each key one of `allowed` (ls by default, or PRUNE_FILTERS). */
export function parseVolumeFilters(filters: string[], allowed: string[] = LS_FILTERS, now = Date.now()): VolumeFilter {
  const f: VolumeFilter = { name: [], label: [], notLabel: [], driver: [], opt: [], scope: [] };
  for (const raw of filters) {
    const eq = raw.indexOf('=');
    const key = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? '' : raw.slice(eq + 1);
    if (eq < 0 || value === '' || !allowed.includes(key)) throw new UsageError(`invalid filter "${raw}": expected KEY=VALUE with KEY one of ${allowed.join(', ')}`);
    if (key === 'name') f.name.push(regexp(raw, value));
    else if (key === 'label') f.label.push(value);
    else if (key === 'label!') f.notLabel.push(value);
    else if (key === 'driver') f.driver.push(value);
    else if (key === 'opt') f.opt.push(value);
    else if (key === 'scope') f.scope.push(value);
    else if (key === 'dangling') f.dangling = boolFilter(raw, value);
    else if (key === 'anonymous') f.anonymous = boolFilter(raw, value);
    else if (key === 'until') f.until = parseLogTime(value, 'filter until', now);
    else if (key === 'after' || key === 'since') f.after = value;
    else if (!boolFilter(raw, value)) throw new UsageError(`invalid filter "${raw}": husk's volume prune always considers every unused volume, named or anonymous`);
  }
  return f;
}

function regexp(raw: string, value: string): RegExp {
  try {
    return new RegExp(value);
  } catch {
    throw new UsageError(`invalid filter "${raw}": "${value}" is not a regular expression`);
  }
}

function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq < 0) return want in labels;
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

/** opt=type=tmpfs matches that option; opt=tmpfs any option of that value (podman's rule). */
function optMatches(options: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq < 0) return Object.values(options).includes(want) || want in options;
  return options[want.slice(0, eq)] === want.slice(eq + 1);
}

function volumeMatches(v: VolumeRecord, f: VolumeFilter, users: Map<string, unknown> | undefined, afterTime: number | undefined): boolean {
  return (
    (f.name.length === 0 || f.name.some((re) => re.test(v.name))) &&
    f.label.every((l) => labelMatches(v.labels, l)) &&
    !f.notLabel.some((l) => labelMatches(v.labels, l)) &&
    (f.driver.length === 0 || f.driver.includes(v.driver)) &&
    (f.opt.length === 0 || f.opt.some((o) => optMatches(v.options, o))) &&
    (f.scope.length === 0 || f.scope.includes('local')) &&
    (f.anonymous === undefined || v.anonymous === f.anonymous) &&
    (f.until === undefined || Date.parse(v.createdAt) < f.until) &&
    (afterTime === undefined || Date.parse(v.createdAt) > afterTime) &&
    (users === undefined || f.dangling === undefined || users.has(v.name) !== f.dangling)
  );
}

const NO_FILTER: VolumeFilter = { name: [], label: [], notLabel: [], driver: [], opt: [], scope: [] };

/** Filters of one key are alternatives; different keys must all match, labels all (podman's rule). */
export function listVolumes(ctx: Context, f: VolumeFilter = NO_FILTER): VolumeRecord[] {
  const store = new VolumeStore(ctx);
  const all = store.list();
  const users = f.dangling === undefined ? undefined : volumeUsers(ctx);
  const afterTime = f.after === undefined ? undefined : Date.parse(store.get(f.after).createdAt);
  return all.filter((v) => volumeMatches(v, f, users, afterTime));
}

export interface VolumeReport {
  name: string;
  error?: Error;
}

/** Removes volumes no container uses (all of them, anonymous or named, as podman 4 does); dryRun only names them. */
export function pruneVolumes(ctx: Context, f: VolumeFilter = NO_FILTER, dryRun = false): VolumeReport[] {
  const store = new VolumeStore(ctx);
  return store.locked(() => {
    const users = volumeUsers(ctx);
    const afterTime = f.after === undefined ? undefined : Date.parse(store.get(f.after).createdAt);
    const reports: VolumeReport[] = [];
    for (const v of store.list()) {
      if (users.has(v.name) || !volumeMatches(v, f, undefined, afterTime)) continue;
      try {
        if (!dryRun) store.remove(v.name);
        reports.push({ name: v.name });
      } catch (err) {
        reports.push({ name: v.name, error: err as Error });
      }
    }
    return reports;
  });
}

export interface RemoveVolumeOptions {
  /** -f: the containers using a volume are removed first, and a missing volume is no error (podman's rules). */
  force: boolean;
  /** -t: with -f, running containers get this long to stop before they are killed; without it they are killed at once, as `rm -f` does. */
  timeoutSec?: number;
}

// `volume rm`: a volume in use is refused, or with force its containers go
// first (podman's rule).
/** One report per name, so `volume rm a b c` goes on past a failure. */
export async function removeVolumes(ctx: Context, names: string[], opts: RemoveVolumeOptions): Promise<VolumeReport[]> {
  const reports: VolumeReport[] = [];
  for (const name of names) {
    try {
      new VolumeStore(ctx).get(name);
      if (opts.force) {
        const containers = new ContainerStore(ctx);
        for (const c of volumeUsers(ctx).get(name) ?? []) {
          const view = containers.find(c.id);
          if (view) await removeContainer(ctx, view, true, false, opts.timeoutSec);
        }
      }
      removeUnusedVolume(ctx, name);
      recordEvent(ctx, { type: 'volume', action: 'remove', id: name, name });
      reports.push({ name });
    } catch (err) {
      if (opts.force && err instanceof NotFoundError) continue;
      reports.push({ name, error: err as Error });
    }
  }
  return reports;
}

/** Every volume's name (`volume rm --all`). */
export function allVolumeNames(ctx: Context): string[] {
  return new VolumeStore(ctx).list().map((v) => v.name);
}

/**
 * `volume export` / `volume import`: the volume's content as a tar stream,
 * made or unpacked by tar inside the store's user namespace, so that files
 * of container users keep their owners. `stream` is the fd tar writes to
 * (export) or reads from (import).
 */
export function volumeTar(ctx: Context, name: string, mode: 'export' | 'import', stream: number): void {
  const store = new VolumeStore(ctx);
  const dir = store.paths(store.get(name).name).data;
  const tarArgs = mode === 'export' ? ['-C', dir, '-cf', '-', '.'] : ['-C', dir, '-xf', '-'];
  const tar = findProgram('tar') ?? 'tar';
  const [cmd, ...args] = ctx.userns() ? [usernsHelperPath(), ...usernsArgs(ctx.userns()), '--', 'exec', tar, ...tarArgs] : [tar, ...tarArgs];
  const stdio: Array<'ignore' | 'pipe' | number> = mode === 'export' ? ['ignore', stream, 'pipe'] : [stream, 'ignore', 'pipe'];
  const r = lazyChildProcess().spawnSync(cmd!, args, { stdio, encoding: 'utf8' });
  if (r.error) throw new HuskError(`volume ${mode}: ${r.error.message}`);
  if (r.status !== 0) throw new HuskError(`volume ${mode} of ${name}: tar: ${(r.stderr || `exit ${r.status}`).trim().split('\n').pop()}`);
}

/** `volume mount`: a local volume is a directory already; its path. */
export function volumeMountpoint(ctx: Context, name: string): string {
  const store = new VolumeStore(ctx);
  return store.paths(store.get(name).name).data;
}
