// What the parts of a build share: its options, the state of a stage, and
// the build cache lookups (lib/engine/build.ts drives; build-run.ts and
// build-copy.ts make the RUN and COPY/ADD steps).
import type { Writable } from 'node:stream';
import type { Dockerfile, Stage } from '../build/dockerfile.js';
import type { ConfigState } from '../build/config.js';
import type { StageScope } from '../build/substitute.js';
import type { ImageStore } from '../image/store.js';
import { pullImage } from '../image/pull.js';
import { pushImage } from '../image/push.js';
import { ociManifest } from '../image/store.js';
import type { AccessOptions } from '../image/registry/connect.js';
import type { ImageConfig, ImageRecord, LayerRecord } from '../image/types.js';
import type { Resources } from '../core/oci-spec.js';
import type { Context } from '../core/context.js';
import { HuskError } from '../core/errors.js';
import { formatReference, parseReference } from '../image/reference.js';

export type PullPolicy = 'missing' | 'always' | 'never' | 'newer';

/** --secret: a file's content, or a value (from the environment) that the build writes to a private file. */
export type BuildSecret = { id: string; file: string } | { id: string; value: string };

export interface RunContainerOptions {
  capAdd: string[];
  capDrop: string[];
  resources?: Resources;
  shmSize?: number;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  noHosts: boolean;
}

export interface BuildOptions {
  /** The context directory; undefined: none (a Dockerfile from stdin alone). */
  contextDir?: string;
  /** The Dockerfile's text and the name errors give it; its path when it is a file (for its .dockerignore). */
  dockerfile: { text: string; name: string; path?: string };
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  noCache: boolean;
  pull: PullPolicy;
  /** Seconds since the epoch for every date in the image (--timestamp, SOURCE_DATE_EPOCH). */
  timestamp?: number;
  secrets: BuildSecret[];
  /** --ssh default=SOCKET or ID=SOCKET. */
  ssh: Array<{ id: string; socket: string }>;
  /** --network for every RUN (a RUN's own --network wins). */
  network?: string;
  addHosts: string[];
  /** --ulimit TYPE=SOFT[:HARD] for the RUN containers. */
  ulimits: string[];
  /** --cap-add, --memory, --dns, --no-hosts, ... for the RUN containers. */
  runContainer?: RunContainerOptions;
  /** --env NAME=VALUE set, --unsetenv and --unsetlabel NAMEs removed, in the image made. */
  imageEnv?: string[];
  unsetEnv?: string[];
  unsetLabels?: string[];
  /** --cache-from: repositories to pull a step's image from (tagged with its cache key) when the store lacks it. */
  cacheFrom: string[];
  /** --cache-to: a repository each new step's image is pushed to, tagged with its cache key. */
  cacheTo?: string;
  /** How to reach those registries (--tls-verify, --creds, ...). */
  access: AccessOptions;
  /** --squash: the target stage's new layers as one; 'all': the whole image as one layer. */
  squash?: 'new' | 'all';
  /** podman's --layers: false keeps no intermediate images (and reads no cache). */
  layers: boolean;
  /** Step lines and the RUN steps' output. */
  out: Writable;
  /** -q: RUN output only when a step fails. */
  quiet: boolean;
}

export interface BuildResult {
  image: ImageRecord;
  names: string[];
}

/** What a stage has made so far: its image and config, and the key of the last step. */
export interface StageState {
  /** How many of `layers` the stage's base had (what --squash keeps). */
  baseLayers: number;
  image?: ImageRecord;
  config: ImageConfig;
  layers: LayerRecord[];
  key: string;
  scope: StageScope;
  cfg: ConfigState;
}

/** Everything a step needs to know about the build. */
export interface BuildRun {
  ctx: Context;
  opts: BuildOptions;
  file: Dockerfile;
  images: ImageStore;
  /** The results of the stages built so far, by index. */
  stages: Map<number, StageState>;
  /** IDs of the intermediate images this build made. */
  made: string[];
  /** Scratch space of this build (removed at the end; a dead build's by the next one). */
  tmp: string;
  created: string;
  say(line: string): void;
  /** Printed before the next step's "-->": the COMMIT line of the last step. */
  commitLine?: string;
  /** Says that a step is done: "--> ID" (after the COMMIT line, for the last). */
  done(image: ImageRecord): void;
}

/** The stage named by `ref` (a name or an index), if it is one before `before`. */
export function stageRef(file: Dockerfile, ref: string, before: number): Stage | undefined {
  const lower = ref.toLowerCase();
  const byName = file.stages.find((s) => s.name === lower && s.index < before);
  if (byName) return byName;
  if (/^\d+$/.test(ref) && Number(ref) < before) return file.stages[Number(ref)];
  return undefined;
}

export function missingLayer(image: ImageRecord, chainId: string): never {
  throw new HuskError(`image ${image.names[0] ?? image.id.slice(0, 12)}: layer ${chainId.slice(0, 12)} is missing from the store: pull it again`);
}

/** What a step made: its config (with or without a new layer), for the cache and the history. */
export interface StepResult {
  config: ImageConfig;
  layer: LayerRecord | undefined;
  key: string;
  createdBy: string;
}

/**
 * Looks a step up in the cache before it runs: the image made by the same
 * step from the same parent, in the store or (--cache-from) in a registry
 * under the key as its tag. `--no-cache` and `--layers=false` skip it.
 */
export async function cached(run: BuildRun, key: string): Promise<ImageRecord | undefined> {
  if (run.opts.noCache || !run.opts.layers) return undefined;
  const local = run.images.listImages().find((i) => i.buildKey === key && i.layers.every((c) => run.images.getLayer(c)));
  if (local) return local;
  for (const repo of run.opts.cacheFrom) {
    const name = `${repo}:${key}`;
    try {
      const { image } = await pullImage(run.ctx, name, { ...run.opts.access });
      // Kept as cache (hidden), not under the cache tag.
      run.images.markBuildCache(image.id, key, [formatReference(parseReference(name))]);
      return run.images.getImage(image.id);
    } catch {
      /* not there (or unreachable): the step runs */
    }
  }
  return undefined;
}

/** The state after a step that the cache had. */
export function fromCache(run: BuildRun, state: StageState, hit: ImageRecord, key: string): StageState {
  run.say(`--> Using cache ${hit.id}`);
  run.done(hit);
  const config = run.images.imageConfig(hit);
  const layers = hit.layers.map((c) => run.images.getLayer(c) ?? missingLayer(hit, c));
  return { ...state, image: hit, config: { ...config, config: config.config ?? {} }, layers, key };
}


/** Records a step's image (intermediate: the cache of the next build). */
export async function commitStep(run: BuildRun, state: StageState, made: StepResult): Promise<StageState> {
  const hit = await cached(run, made.key);
  if (hit) return fromCache(run, state, hit, made.key);
  const layers = made.layer ? [...state.layers, made.layer] : state.layers;
  const config: ImageConfig = {
    ...made.config,
    created: run.created,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: [...(made.config.history ?? []), { created: run.created, created_by: made.createdBy, ...(made.layer ? {} : { empty_layer: true }) }],
  };
  const image = addImage(run, config, layers, undefined, { buildKey: made.key, intermediate: true });
  run.made.push(image.id);
  run.done(image);
  if (run.opts.cacheTo) await pushImage(run.ctx, image.id, `${run.opts.cacheTo}:${made.key}`, { ...run.opts.access }).catch((err: Error) => run.say(`[Warning] --cache-to ${run.opts.cacheTo}: ${err.message}`));
  return { ...state, image, config, layers, key: made.key };
}

export function addImage(run: BuildRun, config: ImageConfig, layers: LayerRecord[], name: string | undefined, build: { buildKey?: string; intermediate: boolean }, annotations?: Record<string, string>): ImageRecord {
  // Read again: a --cache-to push may have compressed a layer's blob since.
  const fresh = layers.map((l) => run.images.getLayer(l.chainId) ?? l);
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = ociManifest(configBytes, fresh.map((l) => run.images.layerBlob(l)), annotations);
  return run.images.addImage(configBytes, config, fresh, manifest, name, build);
}

