// `system prune`: stopped containers, pods none of whose containers runs,
// unused networks, dangling (with all: every unused) images and, when asked,
// unused volumes; --filter label/label!/until narrows containers, images,
// networks and volumes, as podman's does.
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { ImageStore } from '../image/store.js';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import { eachContainer, type ItemReport } from './bulk.js';
import { listImages } from './images.js';
import { parseLogTime } from './logs.js';
import { parseNetworkFilters, pruneNetworks, PRUNE_FILTERS } from './networks.js';
import { prunePods } from './pods.js';
import { removeContainer, removeOrphans } from './remove.js';
import { diskUsage } from './system.js';
import { parseVolumeFilters, pruneVolumes } from './volumes.js';

export interface SystemPruneOptions {
  /** -a: every image no container uses, not only dangling ones. */
  all: boolean;
  /** --volumes: unused volumes too. */
  volumes: boolean;
  /** --filter label=, label!=, until= */
  filters: string[];
}

export interface SystemPruneReport {
  containers: ItemReport[];
  pods: ItemReport[];
  volumes: ItemReport[];
  networks: ItemReport[];
  images: ItemReport[];
  /** Bytes the store takes less now. */
  reclaimed: number;
}

interface Narrowing {
  label: string[];
  notLabel: string[];
  until?: number;
}

/** podman's system prune filters: label, label! and until, each checked here once. */
export function parsePruneFilters(filters: string[], now = Date.now()): Narrowing {
  const n: Narrowing = { label: [], notLabel: [] };
  for (const raw of filters) {
    const eq = raw.indexOf('=');
    const key = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? '' : raw.slice(eq + 1);
    if (eq < 0 || value === '' || !PRUNE_FILTERS.includes(key)) throw new UsageError(`invalid filter "${raw}": expected KEY=VALUE with KEY one of ${PRUNE_FILTERS.join(', ')}`);
    if (key === 'label') n.label.push(value);
    else if (key === 'label!') n.notLabel.push(value);
    else n.until = parseLogTime(value, 'filter until', now);
  }
  return n;
}

function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq < 0) return want in labels;
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

function passes(n: Narrowing, labels: Record<string, string>, created: string): boolean {
  return n.label.every((l) => labelMatches(labels, l)) && !n.notLabel.some((l) => labelMatches(labels, l)) && (n.until === undefined || Date.parse(created) < n.until);
}

const storeSize = (ctx: Context) => diskUsage(ctx).reduce((s, r) => s + r.size, 0);

async function pruneStoppedContainers(ctx: Context, n: Narrowing): Promise<ItemReport[]> {
  removeOrphans(ctx);
  const select = (v: ContainerView) => v.status !== 'running' && !v.record.podInfra && passes(n, v.record.labels ?? {}, v.record.created);
  return eachContainer(ctx, { names: [], all: true, select }, (v) => removeContainer(ctx, v, false));
}

/** Dangling images (all: every unused one), again while removing one leaves another unused, as podman's rounds. */
function pruneUnusedImages(ctx: Context, all: boolean, n: Narrowing): ItemReport[] {
  const store = new ImageStore(ctx);
  const reports: ItemReport[] = [];
  const failed = new Set<string>();
  for (let round = 0; round < 50; round++) {
    const used = new Set(new ContainerStore(ctx).list().map((c) => c.record.imageId));
    const victims = listImages(ctx).filter(
      (i) => !used.has(i.id) && !failed.has(i.id) && (all || (i.names.length === 0 && !i.intermediate)) && passes(n, store.imageConfig(i).config?.Labels ?? {}, i.created),
    );
    if (!victims.length) break;
    for (const i of victims) {
      try {
        store.removeImage(i.id);
        reports.push({ name: i.id });
      } catch (err) {
        failed.add(i.id);
        reports.push({ name: i.id, error: err as Error });
      }
    }
  }
  return reports;
}

export async function systemPrune(ctx: Context, opts: SystemPruneOptions): Promise<SystemPruneReport> {
  const n = parsePruneFilters(opts.filters);
  // Checked before anything goes.
  const networkFilter = parseNetworkFilters(opts.filters, PRUNE_FILTERS);
  const volumeFilter = parseVolumeFilters(opts.filters);
  const before = storeSize(ctx);
  // Pods regardless of the filters, as podman's.
  const pods = (await prunePods(ctx)).map((p) => ({ name: p.id }));
  const containers = await pruneStoppedContainers(ctx, n);
  const volumes = opts.volumes ? pruneVolumes(ctx, volumeFilter) : [];
  const networks = pruneNetworks(ctx, networkFilter);
  const images = pruneUnusedImages(ctx, opts.all, n);
  return { containers, pods, volumes, networks, images, reclaimed: Math.max(0, before - storeSize(ctx)) };
}

/** --external: what a husk killed midway left behind (container directories without a record). */
export function pruneExternal(ctx: Context): void {
  removeOrphans(ctx);
}
