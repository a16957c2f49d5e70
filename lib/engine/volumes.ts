// Volume verbs: create, inspect, list, prune and remove. The store itself,
// and what containers need of it, is lib/runtime/volume-store.ts.
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { ContainerStore } from '../runtime/container-store.js';
import { removeUnusedVolume, volumeUsers, VolumeStore, type NewVolume, type VolumeRecord } from '../runtime/volume-store.js';
import { removeContainer } from './remove.js';
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

/** docker's `volume inspect` object (with podman's Anonymous). */
export function inspectVolume(ctx: Context, name: string): Record<string, unknown> {
  const store = new VolumeStore(ctx);
  const v = store.get(name);
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: store.paths(v.name).data,
    Name: v.name,
    Options: v.options,
    Scope: 'local',
    Anonymous: v.anonymous,
  };
}

export interface VolumeFilter {
  name: string[];
  label: string[];
  dangling?: boolean;
  driver: string[];
}

export function parseVolumeFilters(filters: string[]): VolumeFilter {
  const f: VolumeFilter = { name: [], label: [], driver: [] };
  for (const raw of filters) {
    const eq = raw.indexOf('=');
    const key = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? '' : raw.slice(eq + 1);
    if (eq < 0 || value === '') throw new UsageError(`invalid filter "${raw}": expected KEY=VALUE with KEY one of name, label, dangling, driver`);
    if (key === 'name') f.name.push(value);
    else if (key === 'label') f.label.push(value);
    else if (key === 'driver') f.driver.push(value);
    else if (key === 'dangling') {
      if (!['true', 'false', '1', '0'].includes(value)) throw new UsageError(`invalid filter "${raw}": dangling takes true or false`);
      f.dangling = value === 'true' || value === '1';
    } else throw new UsageError(`invalid filter "${raw}": use name=, label=, dangling= or driver=`);
  }
  return f;
}

function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq < 0) return want in labels;
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

/** Filters of one key are alternatives; different keys must all match (docker's rule). */
export function listVolumes(ctx: Context, f: VolumeFilter = { name: [], label: [], driver: [] }): VolumeRecord[] {
  const all = new VolumeStore(ctx).list();
  const users = f.dangling === undefined ? undefined : volumeUsers(ctx);
  return all.filter(
    (v) =>
      (f.name.length === 0 || f.name.some((n) => v.name.includes(n))) &&
      f.label.every((l) => labelMatches(v.labels, l)) &&
      (f.driver.length === 0 || f.driver.includes(v.driver)) &&
      (users === undefined || users.has(v.name) !== f.dangling),
  );
}

export interface VolumeReport {
  name: string;
  error?: Error;
}

/** Removes volumes no container uses (all of them, anonymous or named, as podman does). */
export function pruneVolumes(ctx: Context, labels: string[] = []): VolumeReport[] {
  const store = new VolumeStore(ctx);
  return store.locked(() => {
    const users = volumeUsers(ctx);
    const reports: VolumeReport[] = [];
    for (const v of store.list()) {
      if (users.has(v.name) || !labels.every((l) => labelMatches(v.labels, l))) continue;
      try {
        store.remove(v.name);
        reports.push({ name: v.name });
      } catch (err) {
        reports.push({ name: v.name, error: err as Error });
      }
    }
    return reports;
  });
}

// `volume rm`: a volume in use is refused, or with force its containers go
// first (podman's rule).
/** One report per name, so `volume rm a b c` goes on past a failure. */
export async function removeVolumes(ctx: Context, names: string[], force: boolean): Promise<VolumeReport[]> {
  const reports: VolumeReport[] = [];
  for (const name of names) {
    try {
      new VolumeStore(ctx).get(name);
      if (force) {
        const containers = new ContainerStore(ctx);
        for (const c of volumeUsers(ctx).get(name) ?? []) {
          const view = containers.find(c.id);
          if (view) await removeContainer(ctx, view, true);
        }
      }
      removeUnusedVolume(ctx, name);
      recordEvent(ctx, { type: 'volume', action: 'remove', id: name, name });
      reports.push({ name });
    } catch (err) {
      reports.push({ name, error: err as Error });
    }
  }
  return reports;
}
