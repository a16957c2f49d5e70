// Looking at containers: finding and filtering them. Creating, starting and
// removing them live in create.ts, start.ts and remove.ts; logs in logs.ts.
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import { directorySize } from '../storage/du.js';
import type { Context } from '../core/context.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { ImageStore } from '../image/store.js';

export interface ContainerFilter {
  key: 'status' | 'name' | 'id' | 'label' | 'ancestor' | 'exited' | 'volume' | 'before' | 'since';
  value: string;
}

const FILTER_KEYS: ContainerFilter['key'][] = ['status', 'name', 'id', 'label', 'ancestor', 'exited', 'volume', 'before', 'since'];
const STATUSES = ['created', 'running', 'exited', 'stopped', 'paused', 'restarting', 'removing', 'dead'];

export function parseContainerFilters(raw: string[]): ContainerFilter[] {
  return raw.map((f) => {
    const eq = f.indexOf('=');
    const key = f.slice(0, eq) as ContainerFilter['key'];
    const value = f.slice(eq + 1);
    if (eq < 1 || !FILTER_KEYS.includes(key)) throw new UsageError(`invalid filter "${f}": use ${FILTER_KEYS.map((k) => `${k}=`).join(', ')}`);
    if (key === 'status' && !STATUSES.includes(value)) throw new UsageError(`invalid filter "${f}": status is one of ${STATUSES.join(', ')}`);
    if (key === 'exited' && !/^\d+$/.test(value)) throw new UsageError(`invalid filter "${f}": exited takes an exit code`);
    if (key === 'name') {
      try {
        new RegExp(value);
      } catch {
        throw new UsageError(`invalid filter "${f}": not a valid regular expression`);
      }
    }
    return { key, value };
  });
}

/**
 * docker's ps filters: the same key given twice matches either value, keys
 * together must all match. Status and exit filters look at every container.
 */
export function filterContainers(ctx: Context, views: ContainerView[], filters: ContainerFilter[]): ContainerView[] {
  const store = new ContainerStore(ctx);
  const images = new ImageStore(ctx);
  const byKey = new Map<string, string[]>();
  for (const f of filters) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f.value]);
  const created = (which: string) => store.get(which).record.created;
  const test: Record<ContainerFilter['key'], (v: ContainerView, value: string) => boolean> = {
    // Paused is its own status to a filter, as docker's: not running.
    status: (v, value) => (value === 'paused' ? v.paused === true : v.status === value && !(value === 'running' && v.paused)),
    name: (v, value) => new RegExp(value).test(v.record.name),
    id: (v, value) => v.record.id.startsWith(value),
    label: (v, value) => {
      const [k, want] = value.includes('=') ? [value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)] : [value, undefined];
      const labels = v.record.labels ?? {};
      return k in labels && (want === undefined || labels[k] === want);
    },
    ancestor: (v, value) => {
      if (v.record.imageId.startsWith(value.replace(/^sha256:/, '')) || v.record.image === value || v.record.imageName === value) return true;
      return images.findImage(value)?.id === v.record.imageId;
    },
    exited: (v, value) => v.status === 'exited' && v.exit?.exitCode === Number(value),
    volume: (v, value) => (v.record.mounts ?? []).some((m) => (m.type === 'volume' && m.source === value) || m.destination === value),
    before: (v, value) => v.record.created < created(value),
    since: (v, value) => v.record.created > created(value),
  };
  return views.filter((v) => [...byKey].every(([key, values]) => values.some((value) => test[key as ContainerFilter['key']](v, value))));
}


export type { ContainerView, ContainerRecord, HealthConfig, RestartPolicy } from '../runtime/container-store.js';

/** A container by name, ID or unique ID prefix; NotFoundError when there is none. */
export function getContainer(ctx: Context, nameOrId: string): ContainerView {
  return new ContainerStore(ctx).get(nameOrId);
}

export function findContainer(ctx: Context, nameOrId: string): ContainerView | undefined {
  return new ContainerStore(ctx).find(nameOrId);
}

/** Every container, newest first. */
export function listContainers(ctx: Context): ContainerView[] {
  return new ContainerStore(ctx).list();
}

/** The most recently created container (podman's --latest); builds' containers are not users'. */
export function latestContainer(ctx: Context): ContainerView {
  const latest = listContainers(ctx).find((v) => !v.record.builder);
  if (!latest) throw new NotFoundError('no such container: --latest found no container');
  return latest;
}

export interface PsQuery {
  all: boolean;
  filters: ContainerFilter[];
  latest?: boolean;
  /** The N last created (-n); -1 or undefined: no limit. */
  last?: number;
  /** --external: also the containers of builds in progress (podman shows buildah's so). */
  external?: boolean;
}

/** What `ps` shows: running containers, or all of them, filtered; newest first. */
export function queryContainers(ctx: Context, q: PsQuery): ContainerView[] {
  // A filter on status or exit code, -l and -n look at every container, as docker's do.
  const everything = q.all || q.latest || (q.last ?? -1) >= 0 || q.filters.some((f) => f.key === 'status' || f.key === 'exited');
  let views = listContainers(ctx);
  if (!q.external) views = views.filter((v) => !v.record.builder);
  if (!everything) views = views.filter((v) => v.status === 'running');
  views = filterContainers(ctx, views, q.filters);
  if (q.latest) return views.slice(0, 1);
  if ((q.last ?? -1) >= 0) return views.slice(0, q.last);
  return views;
}

/** Bytes in the writable layer (what ps --size shows). */
export function containerSize(ctx: Context, v: ContainerView): number {
  const p = new ContainerStore(ctx).paths(v.record.id);
  return directorySize(v.record.storageDriver === 'vfs' ? p.rootfs : p.upper);
}
