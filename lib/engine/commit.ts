// `husk commit`: a new image from a container: the base image's layers plus
// one layer of the container's changes (a tar of its upper directory, the
// overlay whiteouts written as .wh.NAME and .wh..wh..opq), recorded through
// ImageStore.addLayer like any pulled layer (digests computed, extracted by
// the same code), and a config that is the base image's with the settings
// the container ran with (as podman commit keeps them), the --change
// instructions, and one more history entry.
import fs from 'node:fs';
import { applyChange } from '../image/change.js';
import { formatReference, parseReference } from '../image/reference.js';
import { dockerManifest, ImageStore, ociManifest } from '../image/store.js';
import type { ImageConfig, ImageRecord, ImageRuntimeConfig, LayerRecord } from '../image/types.js';
import { ContainerStore, isAlive, type ContainerView } from '../runtime/container-store.js';
import type { Spec } from '../core/oci-spec.js';
import { DEFAULT_PATH, mergeEnv } from '../runtime/spec.js';
import { resolveUser } from '../runtime/user.js';
import { helperOutput } from '../native/rootfs-helper.js';
import { changeArgs } from './container-root.js';
import type { Context } from '../core/context.js';
import { HuskError } from '../core/errors.js';
import { INIT_IN_CONTAINER } from './create.js';
import { setFrozen } from '../runtime/cgroup-limits.js';

export interface CommitOptions {
  container: string;
  /** IMAGE[:TAG] for the new image; without it, the image has no name. */
  name?: string;
  /** --change: Dockerfile instructions applied to the config. */
  changes: string[];
  message?: string;
  author?: string;
  /** Stop the container's processes (SIGSTOP) while its changes are read. */
  pause: boolean;
  /** The container's -v/--mount destinations become the image's VOLUMEs (podman's --include-volumes). */
  includeVolumes?: boolean;
  /** The manifest type: OCI (the default) or docker's v2s2 (podman's --format docker). */
  format?: 'oci' | 'docker';
  /** Image config fields (a JSON object as an image config's "config") merged in before the changes (podman's --config). */
  config?: ImageRuntimeConfig;
}

type HistoryEntry = NonNullable<ImageConfig['history']>[number] & { author?: string };

export async function commitContainer(ctx: Context, opts: CommitOptions): Promise<ImageRecord> {
  const name = opts.name ? formatReference(parseReference(opts.name, 'localhost')) : undefined;
  // Bad --change instructions are refused before any work.
  for (const c of opts.changes) applyChange({}, c);
  const view = new ContainerStore(ctx).get(opts.container);
  const images = new ImageStore(ctx);
  const base = images.getImage(view.record.imageId);
  const baseConfig = images.imageConfig(base);
  const baseLayers = base.layers.map((c) => {
    const l = images.getLayer(c);
    if (!l) throw new HuskError(`image ${base.names[0] ?? base.id.slice(0, 12)}: layer ${c.slice(0, 12)} is missing from the store`);
    return l;
  });

  const paused = opts.pause ? pauseContainer(view) : undefined;
  let layer: LayerRecord;
  try {
    const tar = helperOutput({ userns: ctx.userns(), args: ['layer-tar', ...changeArgs(ctx, view)] }, `committing ${view.record.name}`);
    layer = await images.addLayer(tar, baseLayers[baseLayers.length - 1]);
  } finally {
    paused?.resume();
  }

  const now = new Date().toISOString();
  const runConfig: ImageRuntimeConfig = { ...(baseConfig.config ?? {}), ...runSettings(ctx, view, baseConfig.config ?? {}, images.layerDirs(base)) };
  if (opts.includeVolumes) runConfig.Volumes = { ...(runConfig.Volumes ?? {}), ...mountedVolumes(view) };
  if (opts.config) Object.assign(runConfig, opts.config);
  for (const c of opts.changes) applyChange(runConfig, c);
  const history: HistoryEntry = { created: now, created_by: commandOf(ctx, view).join(' ') };
  if (opts.message) history.comment = opts.message;
  if (opts.author) history.author = opts.author;
  const config: ImageConfig = {
    ...baseConfig,
    created: now,
    config: runConfig,
    rootfs: { type: 'layers', diff_ids: [...(baseConfig.rootfs?.diff_ids ?? []), layer.diffId] },
    history: [...(baseConfig.history ?? []), history],
  };
  if (opts.author) config.author = opts.author;
  const configBytes = Buffer.from(JSON.stringify(config));
  const layers = [...baseLayers, layer];
  const manifest = (opts.format === 'docker' ? dockerManifest : ociManifest)(configBytes, layers.map((l) => images.layerBlob(l)));
  return images.addImage(configBytes, config, layers, manifest, name);
}

/** The destinations of the volumes and binds given with -v or --mount (not tmpfs). */
function mountedVolumes(view: ContainerView): Record<string, object> {
  const volumes: Record<string, object> = {};
  for (const m of view.record.mounts ?? []) if (m.type !== 'tmpfs') volumes[m.destination] = {};
  return volumes;
}

function containerSpec(ctx: Context, view: ContainerView): Spec {
  return JSON.parse(fs.readFileSync(new ContainerStore(ctx).paths(view.record.id).config, 'utf8')) as Spec;
}

/** The container's command, without --init's wrapper. */
function commandOf(ctx: Context, view: ContainerView): string[] {
  const args = containerSpec(ctx, view).process.args ?? [];
  return args[0] === INIT_IN_CONTAINER && args[1] === '--' ? args.slice(2) : args;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const keyOf = (e: string) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);

/**
 * What the container ran with where it differs from the image: command,
 * environment, working directory, user, labels, stop signal. Variables the
 * runtime adds to every container (HOSTNAME, container, TERM, HOME, a
 * default PATH) are left out unless the image had them.
 */
function runSettings(ctx: Context, view: ContainerView, image: ImageRuntimeConfig, layersBottomFirst: string[]): ImageRuntimeConfig {
  const spec = containerSpec(ctx, view);
  const out: ImageRuntimeConfig = {};
  const args = commandOf(ctx, view);
  const ep = image.Entrypoint ?? [];
  if (!same(args, [...ep, ...(image.Cmd ?? [])])) {
    if (ep.length > 0 && same(args.slice(0, ep.length), ep)) out.Cmd = args.slice(ep.length);
    else if (ep.length > 0) {
      // --entrypoint replaced the image's: it is one word, as docker takes it.
      out.Entrypoint = args.slice(0, 1);
      out.Cmd = args.slice(1);
    } else out.Cmd = args;
  }

  const imageEnv = image.Env ?? [];
  const imageKeys = new Set(imageEnv.map(keyOf));
  const added = (spec.process.env ?? []).filter((e) => {
    const k = keyOf(e);
    if (imageEnv.includes(e)) return false;
    if (imageKeys.has(k)) return true;
    if (['HOSTNAME', 'container', 'HOME'].includes(k)) return false;
    if (k === 'TERM' && spec.process.terminal) return false;
    return !(k === 'PATH' && e === `PATH=${DEFAULT_PATH}`);
  });
  if (added.length > 0) out.Env = mergeEnv(imageEnv, added);

  const cwd = spec.process.cwd || '/';
  if (cwd !== (image.WorkingDir || '/')) out.WorkingDir = cwd;

  const { uid, gid } = spec.process.user;
  let imageUser = { uid: 0, gid: 0 };
  try {
    if (image.User) imageUser = resolveUser(image.User, [...layersBottomFirst].reverse());
  } catch {
    imageUser = { uid: -1, gid: -1 };
  }
  if (uid !== imageUser.uid || gid !== imageUser.gid) out.User = `${uid}:${gid}`;

  if (view.record.labels && Object.keys(view.record.labels).length > 0) out.Labels = { ...(image.Labels ?? {}), ...view.record.labels };
  if (view.record.stopSignal && view.record.stopSignal !== image.StopSignal) out.StopSignal = view.record.stopSignal;
  return out;
}

/**
 * --pause: the cgroup freezer, as pause does; a container without a cgroup
 * (rootless where none is delegated) has every process of its pid
 * namespace stopped with SIGSTOP instead, and SIGCONT after the layer is read. Processes started meanwhile
 * are caught by scanning again until none is new. (fuse-overlayfs, which
 * serves the container's root, runs outside its pid namespace: not stopped.)
 */
function pauseContainer(view: ContainerView): { resume(): void } | undefined {
  if (view.status !== 'running' || !view.state || !isAlive(view.state)) return undefined;
  // Its cgroup's freezer where it has one (what `pause` does); one the user paused stays so.
  const freezer = view.record.freezer;
  if (freezer && view.paused) return { resume: () => {} };
  if (freezer) {
    setFrozen(freezer, true);
    return { resume: () => setFrozen(freezer, false) };
  }
  const ns = pidNamespace(view.state.pid);
  if (!ns) return undefined;
  const stopped = new Set<number>();
  for (let round = 0; round < 10; round++) {
    let fresh = 0;
    for (const pid of processesIn(ns)) {
      if (stopped.has(pid)) continue;
      try {
        process.kill(pid, 'SIGSTOP');
        stopped.add(pid);
        fresh++;
      } catch {
        /* gone */
      }
    }
    if (fresh === 0) break;
  }
  return {
    resume: () => {
      for (const pid of stopped) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          /* gone */
        }
      }
    },
  };
}

function pidNamespace(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

function processesIn(ns: string): number[] {
  const pids: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pidNamespace(pid) === ns) pids.push(pid);
  }
  return pids;
}
