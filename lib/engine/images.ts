// What image commands do: list, tag, untag, remove, inspect, history.
import { formatReference, parseReference, repoAndTag } from '../image/reference.js';
import { ImageStore } from '../image/store.js';
import type { ImageRecord } from '../image/types.js';
import { ContainerStore } from '../runtime/container-store.js';
import type { Context } from '../core/context.js';
import { ConflictError, UsageError } from '../core/errors.js';
import { removeContainer } from './remove.js';
import { recordEvent } from './events.js';

export { repoAndTag } from '../image/reference.js';
export type { ImageRecord };

export function listImages(ctx: Context): ImageRecord[] {
  return new ImageStore(ctx).listImages().sort((a, b) => b.created.localeCompare(a.created));
}

/** A name as stored: short names live under localhost/, as podman keeps them. */
export function storedName(name: string): string {
  return formatReference(parseReference(name, 'localhost'));
}

export function tagImage(ctx: Context, source: string, targets: string[]): void {
  const store = new ImageStore(ctx);
  const image = store.getImage(source);
  const names = targets.map(storedName); // all valid before any is applied
  for (const n of names) {
    store.tag(image.id, n);
    recordEvent(ctx, { type: 'image', action: 'tag', id: image.id, name: n });
  }
}

/** Without names: every name of the image. */
export function untagImage(ctx: Context, nameOrId: string, names: string[]): void {
  const store = new ImageStore(ctx);
  const image = store.getImage(nameOrId);
  const wanted = names.length ? names.map((n) => nameOf(image, n)) : image.names;
  const missing = wanted.filter((n) => !image.names.includes(n));
  if (missing.length) throw new ConflictError(`${missing[0]}: the image ${image.id.slice(0, 12)} has no such name`);
  store.untag(image.id, wanted);
  for (const n of wanted) recordEvent(ctx, { type: 'image', action: 'untag', id: image.id, name: n });
}

/** The stored name the user's (possibly short) name stands for. */
function nameOf(image: ImageRecord, given: string): string {
  const full = storedName(given);
  return image.names.includes(full) ? full : image.names.find((n) => n.endsWith(`/${given.includes(':') ? given : `${given}:latest`}`)) ?? full;
}

export interface RemoveImageReport {
  given: string;
  untagged: string[];
  deleted?: string;
  error?: Error;
}

/**
 * docker's rmi: a name of an image that has other names only loses that
 * name; otherwise the image goes, refused while a container uses it unless
 * forced (then those containers go first, as podman does).
 */
export async function removeImages(ctx: Context, names: string[], force: boolean): Promise<RemoveImageReport[]> {
  const store = new ImageStore(ctx);
  const reports: RemoveImageReport[] = [];
  for (const given of names) {
    try {
      const image = store.getImage(given);
      const byName = !image.id.startsWith(given.replace(/^sha256:/, ''));
      if (byName && image.names.length > 1) {
        const name = nameOf(image, given);
        store.untag(image.id, [name]);
        recordEvent(ctx, { type: 'image', action: 'untag', id: image.id, name });
        reports.push({ given, untagged: [name] });
        continue;
      }
      const users = new ContainerStore(ctx).list().filter((c) => c.record.imageId === image.id);
      if (users.length && !force) {
        throw new ConflictError(`image ${image.id.slice(0, 12)} is in use by container ${users[0]!.record.name}: remove it first or use -f`);
      }
      for (const c of users) await removeContainer(ctx, c, true);
      store.removeImage(image.id);
      recordEvent(ctx, { type: 'image', action: 'remove', id: image.id, ...(image.names[0] ? { name: image.names[0] } : {}) });
      reports.push({ given, untagged: image.names, deleted: image.id });
    } catch (err) {
      reports.push({ given, untagged: [], error: err as Error });
    }
  }
  return reports;
}

/** `image inspect`, with the field names docker and podman use. */
export function inspectImage(ctx: Context, nameOrId: string): Record<string, unknown> {
  const store = new ImageStore(ctx);
  const image = store.getImage(nameOrId);
  const config = store.imageConfig(image);
  return {
    Id: `sha256:${image.id}`,
    Digest: image.digest,
    RepoTags: image.names,
    // The repository of each name (a name may carry a tag or a digest), with the manifest's digest.
    RepoDigests: [...new Set(image.names.map((n) => `${repoAndTag(n)[0]}@${image.digest}`))],
    Created: image.created,
    Author: config.author ?? '',
    Architecture: config.architecture,
    Os: config.os,
    // Entrypoint and Cmd are there when unset (null), as docker shows them: templates can name them.
    Config: { Entrypoint: null, Cmd: null, ...(config.config ?? {}) },
    RootFS: { Type: config.rootfs.type, Layers: config.rootfs.diff_ids },
    Size: image.size,
    History: config.history ?? [],
    GraphDriver: { Name: 'overlay', Data: { LowerDir: store.layerDirs(image).reverse().join(':') } },
  };
}

export interface HistoryRow {
  id: string;
  created?: string;
  createdBy: string;
  size: number;
  comment: string;
}

/** Topmost first; empty layers have size 0; only the top row carries the image id. */
export function imageHistory(ctx: Context, nameOrId: string): HistoryRow[] {
  const store = new ImageStore(ctx);
  const image = store.getImage(nameOrId);
  const config = store.imageConfig(image);
  const sizes = image.layers.map((c) => store.getLayer(c)?.size ?? 0);
  let layer = 0;
  const rows = (config.history ?? []).map((h) => ({
    id: '<missing>',
    created: h.created,
    createdBy: h.created_by ?? '',
    size: h.empty_layer ? 0 : sizes[layer++] ?? 0,
    comment: h.comment ?? '',
  }));
  rows.reverse();
  if (rows[0]) rows[0].id = image.id;
  return rows;
}

export function imageExists(ctx: Context, nameOrId: string): boolean {
  return new ImageStore(ctx).findImage(nameOrId) !== undefined;
}

export interface ImageFilter {
  dangling?: boolean;
  /** Glob-like pattern matched against names (with or without registry). */
  reference?: string;
  label?: { key: string; value?: string };
  /** Only images created before / after this image. */
  before?: string;
  since?: string;
}

/** --filter key=value, as docker and podman take it. */
export function parseImageFilters(filters: string[]): ImageFilter {
  const f: ImageFilter = {};
  for (const raw of filters) {
    const eq = raw.indexOf('=');
    const key = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? '' : raw.slice(eq + 1);
    switch (key) {
      case 'dangling':
        if (value !== 'true' && value !== 'false') throw new UsageError(`invalid filter "${raw}": dangling takes true or false`);
        f.dangling = value === 'true';
        break;
      case 'reference':
        f.reference = value;
        break;
      case 'label': {
        const leq = value.indexOf('=');
        f.label = leq < 0 ? { key: value } : { key: value.slice(0, leq), value: value.slice(leq + 1) };
        break;
      }
      case 'before':
      case 'since':
        f[key] = value;
        break;
      default:
        throw new UsageError(`invalid filter "${raw}": use dangling, reference, label, before or since`);
    }
  }
  return f;
}

function globToRegExp(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.');
  return new RegExp(`(^|/)${re}$`);
}

export function filterImages(ctx: Context, images: ImageRecord[], f: ImageFilter): ImageRecord[] {
  const store = new ImageStore(ctx);
  const before = f.before ? store.getImage(f.before).created : undefined;
  const since = f.since ? store.getImage(f.since).created : undefined;
  // A colon after the last slash starts a tag; one before it is a registry's port.
  const ref = f.reference ? globToRegExp(/:[^/]*$/.test(f.reference) ? f.reference : `${f.reference}:*`) : undefined;
  return images.filter((i) => {
    if (f.dangling !== undefined && (i.names.length === 0) !== f.dangling) return false;
    if (ref && !i.names.some((n) => ref.test(n))) return false;
    if (before && !(i.created < before)) return false;
    if (since && !(i.created > since)) return false;
    if (f.label) {
      const labels = store.imageConfig(i).config?.Labels ?? {};
      if (!(f.label.key in labels) || (f.label.value !== undefined && labels[f.label.key] !== f.label.value)) return false;
    }
    return true;
  });
}

/** image prune: images without a name (not the build cache), or with -a every image no container uses. */
export function pruneImages(ctx: Context, all: boolean): RemoveImageReport[] {
  const used = new Set(new ContainerStore(ctx).list().map((c) => c.record.imageId));
  // Intermediate images are the build cache: `builder prune` (or -a) takes them.
  const victims = listImages(ctx).filter((i) => !used.has(i.id) && (all || (i.names.length === 0 && !i.intermediate)));
  const store = new ImageStore(ctx);
  return victims.map((i) => {
    try {
      store.removeImage(i.id);
      return { given: i.id, untagged: i.names, deleted: i.id };
    } catch (err) {
      return { given: i.id, untagged: [], error: err as Error };
    }
  });
}
