// What image commands do: list, tag, untag, remove, inspect, history.
import fs from 'node:fs';
import path from 'node:path';
import { formatReference, parseReference, repoAndTag } from '../image/reference.js';
import { removeTrees } from '../native/userns-helper.js';
import { ImageStore } from '../image/store.js';
import type { ImageRecord } from '../image/types.js';
import { ContainerStore } from '../runtime/container-store.js';
import type { Context } from '../core/context.js';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.js';
import { removeContainer } from './remove.js';
import { recordEvent } from './events.js';

export { repoAndTag } from '../image/reference.js';
export type { ImageRecord };

/** An image a container uses, and no -f. */
export class ImageInUseError extends ConflictError {}

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
  if (missing.length) throw new NotFoundError(`${missing[0]}: tag not known`);
  store.untag(image.id, wanted);
  for (const n of wanted) recordEvent(ctx, { type: 'image', action: 'untag', id: image.id, name: n });
}

/** The stored name the user's (possibly short, possibly digested) name stands for. */
function nameOf(image: ImageRecord, given: string): string {
  const full = storedName(given);
  if (image.names.includes(full)) return full;
  const at = given.indexOf('@');
  if (at >= 0) {
    // A name with a digest: the image's name of that repository with that digest.
    const [repo, digest] = [given.slice(0, at), given.slice(at + 1)];
    const whole = repoAndTag(storedName(repo))[0];
    return image.names.find((n) => n.endsWith(`@${digest}`) && (repoAndTag(n)[0] === whole || repoAndTag(n)[0].endsWith(`/${repo}`))) ?? full;
  }
  return image.names.find((n) => n.endsWith(`/${given.includes(':') ? given : `${given}:latest`}`)) ?? full;
}

/** Names with a tag: a name with only a digest (a pull by digest) is not one a user gave. */
export function taggedNames(image: ImageRecord): string[] {
  return image.names.filter((n) => !n.includes('@'));
}

export interface RemoveImageReport {
  given: string;
  untagged: string[];
  deleted?: string;
  error?: Error;
}

export interface RemoveImagesOptions {
  /** Also remove the containers that use them. */
  force: boolean;
  /** A name that names no image is no error (podman's --ignore). */
  ignore?: boolean;
}

/**
 * docker's rmi: a name of an image that has other names only loses that
 * name; otherwise the image goes, refused while a container uses it unless
 * forced (then those containers go first, as podman does). A name with a
 * digest counts as another name only while the image has no tag: so a
 * digest-pulled image goes by its last tag or by its digested name.
 */
export async function removeImages(ctx: Context, names: string[], opts: RemoveImagesOptions): Promise<RemoveImageReport[]> {
  const store = new ImageStore(ctx);
  const reports: RemoveImageReport[] = [];
  for (const given of names) {
    try {
      const image = store.findImage(given);
      if (!image) {
        if (!opts.ignore) reports.push({ given, untagged: [], error: new NotFoundError(`${given}: image not known`) });
        continue;
      }
      const byName = !image.id.startsWith(given.replace(/^sha256:/, ''));
      const name = byName ? nameOf(image, given) : undefined;
      const others = taggedNames(image).filter((n) => n !== name);
      if (name && image.names.includes(name) && others.length > 0) {
        store.untag(image.id, [name]);
        recordEvent(ctx, { type: 'image', action: 'untag', id: image.id, name });
        reports.push({ given, untagged: [name] });
        continue;
      }
      reports.push(await removeOne(ctx, store, image, opts.force, given));
    } catch (err) {
      reports.push({ given, untagged: [], error: err as Error });
    }
  }
  return reports;
}

/** rmi -a: every image (the build cache too, as podman's -a takes intermediate images). */
export async function removeAllImages(ctx: Context, force: boolean): Promise<RemoveImageReport[]> {
  const store = new ImageStore(ctx);
  const reports: RemoveImageReport[] = [];
  for (const image of listImages(ctx)) {
    try {
      reports.push(await removeOne(ctx, store, image, force, image.id));
    } catch (err) {
      reports.push({ given: image.id, untagged: [], error: err as Error });
    }
  }
  return reports;
}

async function removeOne(ctx: Context, store: ImageStore, image: ImageRecord, force: boolean, given: string): Promise<RemoveImageReport> {
  const users = new ContainerStore(ctx).list().filter((c) => c.record.imageId === image.id);
  if (users.length && !force) {
    throw new ImageInUseError(`image used by ${users[0]!.record.id}: image is in use by a container: consider listing external containers and force-removing image`);
  }
  for (const c of users) await removeContainer(ctx, c, true);
  store.removeImage(image.id);
  recordEvent(ctx, { type: 'image', action: 'remove', id: image.id, ...(image.names[0] ? { name: image.names[0] } : {}) });
  return { given, untagged: image.names, deleted: image.id };
}

/** rmi's exit status as podman's: 2 when an image is in use, else 1 when one was not found, else 125. */
export function rmiExitCode(errors: Error[]): number {
  if (errors.length === 0) return 0;
  if (errors.some((e) => !(e instanceof NotFoundError) && !(e instanceof ImageInUseError))) return 125;
  return errors.some((e) => e instanceof ImageInUseError) ? 2 : 1;
}

/** The repository of each name (a name may carry a tag or a digest), with the manifest's digest. */
export function repoDigests(image: ImageRecord): string[] {
  return [...new Set(image.names.map((n) => `${repoAndTag(n)[0]}@${image.digest}`))];
}

/** What listings show of an image's config. */
export function imageConfigOf(ctx: Context, image: ImageRecord): { Labels: Record<string, string> | null; architecture: string; os: string } {
  const config = new ImageStore(ctx).imageConfig(image);
  return { Labels: config.config?.Labels ?? null, architecture: config.architecture, os: config.os };
}

/**
 * `image inspect`: JSON with docker's and podman's field names; templates
 * also see podman's Go field names (ID: the bare hex, HealthCheck) and
 * Labels as an empty map when the image has none, as Go's nil map reads.
 */
export function inspectImage(ctx: Context, nameOrId: string): Record<string, unknown> {
  const store = new ImageStore(ctx);
  const image = store.getImage(nameOrId);
  const config = store.imageConfig(image);
  const history = config.history ?? [];
  const labels = config.config?.Labels ?? null;
  const json = {
    Id: `sha256:${image.id}`,
    Digest: image.digest,
    RepoTags: image.names,
    RepoDigests: repoDigests(image),
    Parent: '',
    Comment: history[history.length - 1]?.comment ?? '',
    Created: image.created,
    // Entrypoint and Cmd are there when unset (null), as docker shows them: templates can name them.
    Config: { Entrypoint: null, Cmd: null, ...(config.config ?? {}) },
    Version: '',
    Author: config.author ?? '',
    Architecture: config.architecture,
    ...(config.variant ? { Variant: config.variant } : {}),
    Os: config.os,
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Name: 'overlay', Data: { LowerDir: store.layerDirs(image).reverse().join(':') } },
    RootFS: { Type: config.rootfs.type, Layers: config.rootfs.diff_ids },
    Labels: labels,
    Annotations: {},
    ManifestType: store.manifestMediaType(image),
    User: config.config?.User ?? '',
    ...(config.config?.Healthcheck ? { Healthcheck: config.config.Healthcheck } : {}),
    History: history,
    NamesHistory: [...image.names].reverse(),
  };
  const view: Record<string, unknown> = { ...json, Labels: labels ?? {} };
  for (const [k, v] of Object.entries({ ID: image.id, HealthCheck: config.config?.Healthcheck ?? null, toJSON: () => json })) {
    Object.defineProperty(view, k, { value: v, enumerable: false });
  }
  return view;
}

export interface HistoryRow {
  id: string;
  created?: string;
  createdBy: string;
  size: number;
  comment: string;
  /** The image's names, on the top row. */
  tags: string[];
}

/** Topmost first; empty layers have size 0; only the top row carries the image id (and names). */
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
    tags: [] as string[],
  }));
  rows.reverse();
  if (rows[0]) Object.assign(rows[0], { id: image.id, tags: image.names });
  return rows;
}

export interface TreeLayer {
  chainId: string;
  size: number;
  /** Names of the images whose top layer this is. */
  topOf: string[];
}

/**
 * `image tree`: the image's layers, bottom first; with `whatrequires`, its
 * top layer and the layers of the images built on it instead.
 */
export function imageTree(ctx: Context, nameOrId: string, whatrequires: boolean): { image: ImageRecord; layers: TreeLayer[] } {
  const store = new ImageStore(ctx);
  const image = store.getImage(nameOrId);
  const images = store.listImages();
  const layerOf = (chainId: string): TreeLayer => ({
    chainId,
    size: store.getLayer(chainId)?.size ?? 0,
    topOf: images.filter((i) => i.layers[i.layers.length - 1] === chainId).flatMap((i) => i.names),
  });
  if (!whatrequires) return { image, layers: image.layers.map(layerOf) };
  const own = image.layers;
  const children = images.filter((i) => i.layers.length > own.length && own.every((c, n) => i.layers[n] === c));
  const above = [...new Set(children.flatMap((i) => i.layers.slice(own.length)))];
  return { image, layers: [...own.slice(-1), ...above].map(layerOf) };
}

export function imageExists(ctx: Context, nameOrId: string): boolean {
  return new ImageStore(ctx).findImage(nameOrId) !== undefined;
}

export interface ImageFilter {
  dangling?: boolean;
  /** Glob-like patterns matched against names (with or without registry); an image matches any. */
  reference?: string[];
  /** label=K[=V] (all must hold) and label!=K[=V] (none may). */
  labels?: Array<{ key: string; value?: string; not: boolean }>;
  /** Only images created before / after this image. */
  before?: string;
  since?: string;
  /** Only images created until this time (ms since the epoch). */
  until?: number;
  id?: string;
  digest?: string;
  intermediate?: boolean;
  /** Whether a container uses it: true, false, or a container's name or ID. */
  containers?: string;
  /** husk has no read-only image stores and keeps no manifest lists: these match all or nothing. */
  readonly?: boolean;
  manifest?: boolean;
}

const FILTER_KEYS = 'after, before, containers, dangling, digest, id, intermediate, label, label!, manifest, readonly, reference, since or until';

/** --filter key=value, as docker and podman take it. */
export function parseImageFilters(filters: string[]): ImageFilter {
  const f: ImageFilter = {};
  for (const raw of filters) {
    const eq = raw.indexOf('=');
    const key = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? '' : raw.slice(eq + 1);
    const bool = () => {
      if (value !== 'true' && value !== 'false') throw new UsageError(`invalid filter "${raw}": ${key} takes true or false`);
      return value === 'true';
    };
    switch (key) {
      case 'dangling':
      case 'intermediate':
      case 'readonly':
      case 'manifest':
        f[key] = bool();
        break;
      case 'reference':
        (f.reference ??= []).push(value);
        break;
      case 'label':
      case 'label!': {
        const leq = value.indexOf('=');
        const not = key === 'label!';
        (f.labels ??= []).push(leq < 0 ? { key: value, not } : { key: value.slice(0, leq), value: value.slice(leq + 1), not });
        break;
      }
      case 'before':
      case 'since':
        f[key] = value;
        break;
      case 'after':
        f.since = value;
        break;
      case 'until':
        f.until = untilTime(value, raw);
        break;
      case 'id':
        f.id = value.replace(/^sha256:/, '');
        break;
      case 'digest':
      case 'containers':
        f[key] = value;
        break;
      default:
        throw new UsageError(`invalid filter "${raw}": use ${FILTER_KEYS}`);
    }
  }
  return f;
}

/** until=: a Unix timestamp, an RFC 3339 time, or a Go duration back from now (10m, 1h30m). */
function untilTime(value: string, raw: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length && parts.map((p) => p[0]).join('') === value) return Date.now() - parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`invalid filter "${raw}": until takes a timestamp, an RFC 3339 time or a duration such as 10m`);
  return t;
}

function globToRegExp(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.');
  return new RegExp(`(^|/)${re}$`);
}

/** A reference filter as a test of a stored name: a colon after the last slash starts a tag; one before it is a registry's port. */
export function referenceMatcher(pattern: string): (name: string) => boolean {
  const re = globToRegExp(/:[^/]*$/.test(pattern) ? pattern : `${pattern}:*`);
  const digested = pattern.includes('@');
  return (name) => {
    if (digested) return name === storedName(pattern) || name.endsWith(`/${pattern}`);
    const [repo, tag] = repoAndTag(name);
    return re.test(`${repo}:${tag === '<none>' ? '' : tag}`);
  };
}

/** How many containers use each image (by image ID). */
export function containersPerImage(ctx: Context): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of new ContainerStore(ctx).list()) counts.set(c.record.imageId, (counts.get(c.record.imageId) ?? 0) + 1);
  return counts;
}

export function filterImages(ctx: Context, images: ImageRecord[], f: ImageFilter): ImageRecord[] {
  const store = new ImageStore(ctx);
  const before = f.before ? store.getImage(f.before).created : undefined;
  const since = f.since ? store.getImage(f.since).created : undefined;
  const refs = f.reference?.map(referenceMatcher);
  const used = f.containers !== undefined ? containerUsers(ctx, f.containers) : undefined;
  return images.filter((i) => {
    if (f.dangling !== undefined && (i.names.length === 0) !== f.dangling) return false;
    if (f.intermediate !== undefined && !!i.intermediate !== f.intermediate) return false;
    if (f.readonly === true || f.manifest === true) return false;
    if (refs && !refs.some((m) => i.names.some(m))) return false;
    if (before && !(i.created < before)) return false;
    if (since && !(i.created > since)) return false;
    if (f.until !== undefined && !(Date.parse(i.created) <= f.until)) return false;
    if (f.id !== undefined && !i.id.startsWith(f.id)) return false;
    if (f.digest !== undefined && i.digest !== f.digest) return false;
    if (used && !used(i.id)) return false;
    if (f.labels) {
      const labels = store.imageConfig(i).config?.Labels ?? {};
      const has = (l: { key: string; value?: string }) => l.key in labels && (l.value === undefined || labels[l.key] === l.value);
      if (!f.labels.every((l) => has(l) !== l.not)) return false;
    }
    return true;
  });
}

/** containers=true|false|NAME-OR-ID: a test of an image ID. */
function containerUsers(ctx: Context, value: string): (imageId: string) => boolean {
  const all = new ContainerStore(ctx).list();
  if (value === 'true' || value === 'false') {
    const used = new Set(all.map((c) => c.record.imageId));
    return (id) => used.has(id) === (value === 'true');
  }
  const named = all.filter((c) => c.record.name === value || c.record.id.startsWith(value)).map((c) => c.record.imageId);
  return (id) => named.includes(id);
}

/**
 * image prune: images without a name (not the build cache), or with -a every
 * image no container uses; `filters` (podman's --filter) narrow the choice.
 */
export function pruneImages(ctx: Context, all: boolean, filters: string[] = []): RemoveImageReport[] {
  const used = new Set(new ContainerStore(ctx).list().map((c) => c.record.imageId));
  // Intermediate images are the build cache: `builder prune` (or -a) takes them.
  const candidates = listImages(ctx).filter((i) => !used.has(i.id) && (all || (i.names.length === 0 && !i.intermediate)));
  const victims = filters.length ? filterImages(ctx, candidates, parseImageFilters(filters)) : candidates;
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

/** prune --build-cache: the data RUN --mount=type=cache kept between builds. */
export function pruneBuildCacheMounts(ctx: Context): void {
  const dir = path.join(ctx.paths.dataRoot, 'build-cache', 'mounts');
  if (fs.existsSync(dir)) removeTrees(ctx.userns(), [dir]);
}
