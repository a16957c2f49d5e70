// `husk build`: a Dockerfile and its context into an image, as podman
// builds it. Each stage starts from its base (an image, an earlier stage or
// scratch); each instruction makes an intermediate image (a layer for RUN,
// COPY and ADD, a config change for the rest) that is also the build cache:
// an instruction is skipped when an intermediate image made from the same
// parent by the same instruction (sources' content included) exists
// (lib/build/cache.ts). RUN steps are containers of the native runtime,
// as `run` makes them (lib/engine/build-run.ts); COPY and ADD write a layer
// tar straight from their sources (lib/engine/build-copy.ts).
import fs from 'node:fs';
import path from 'node:path';
import { parseDockerfile, type Dockerfile, type Instruction, type Stage } from '../build/dockerfile.js';
import { ArgScope, platformArgs, substitute, SubstitutionError, type StageScope } from '../build/substitute.js';
import { applyMetadata, type ConfigState } from '../build/config.js';
import { cacheKey } from '../build/cache.js';
import { ImageStore } from '../image/store.js';
import { pullImage, pullMissing } from '../image/pull.js';
import { formatReference, parseReference } from '../image/reference.js';
import { hostPlatform } from '../image/registry/manifest.js';
import type { ImageConfig, ImageRecord, LayerRecord } from '../image/types.js';
import { builderGone, ContainerStore, pidRunning } from '../runtime/container-store.js';
import { mergeLayers, removeTrees } from '../native/userns-helper.js';
import { helperOutput } from '../native/rootfs-helper.js';
import { mkdirPrivate } from '../storage/atomic.js';
import { randomHex } from '../core/random.js';
import type { Context } from '../core/context.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { removeContainer } from './remove.js';
import { DEFAULT_PATH } from '../runtime/spec.js';
import { addImage, commitStep, missingLayer, stageRef, type BuildOptions, type BuildRun, type BuildResult, type StageState } from './build-state.js';
import { runStep } from './build-run.js';
import { copyStep } from './build-copy.js';
import { recordEvent } from './events.js';

export type { BuildOptions, BuildResult, BuildSecret, PullPolicy } from './build-state.js';

export async function buildImage(ctx: Context, opts: BuildOptions): Promise<BuildResult> {
  const file = parseDockerfile(opts.dockerfile.text, opts.dockerfile.name);
  const names = opts.tags.map((t) => formatReference(parseReference(t, 'localhost')));
  const targetIndex = targetStage(file, opts.target);
  const needed = neededStages(file, targetIndex);
  const images = new ImageStore(ctx);
  images.ensureDirs();
  await removeDeadBuilds(ctx);
  const tmp = path.join(ctx.paths.runRoot, 'build', `${process.pid}-${randomHex(6)}`);
  fs.mkdirSync(path.dirname(tmp), { recursive: true, mode: 0o700 });
  mkdirPrivate(tmp);
  const run: BuildRun = {
    ctx,
    opts,
    file,
    images,
    stages: new Map(),
    made: [],
    tmp,
    created: opts.timestamp !== undefined ? new Date(opts.timestamp * 1000).toISOString() : new Date().toISOString(),
    say: (line) => {
      if (!opts.quiet) opts.out.write(`${line}\n`);
    },
    done: (image) => {
      if (run.commitLine !== undefined) run.say(run.commitLine);
      run.commitLine = undefined;
      run.say(`--> ${image.id.slice(0, 12)}`);
    },
  };
  try {
    const args = new ArgScope({ buildArgs: opts.buildArgs, platform: platformArgs(hostPlatform()), escape: file.directives.escape });
    for (const a of file.globalArgs) for (const { name, default: d } of a.args) args.declareGlobal(name, d);
    const order = [...needed].sort((a, b) => a - b);
    for (const [n, index] of order.entries()) {
      // podman numbers the stages when there are several: [1/2] STEP 1/3: ...
      const label = order.length > 1 ? `[${n + 1}/${order.length}] ` : '';
      const commitLine = index === targetIndex ? `COMMIT${opts.tags[0] !== undefined ? ` ${opts.tags[0]}` : ''}` : undefined;
      run.stages.set(index, await buildStage(run, file.stages[index]!, args, label, commitLine));
    }
    let last = run.stages.get(targetIndex)!;
    if (opts.squash) last = await squashed(run, last, opts.squash);
    const image = finishImage(run, last, names);
    if (!opts.layers) dropIntermediates(run, image);
    recordEvent(ctx, { type: 'image', action: 'build', id: image.id, ...(names[0] ? { name: names[0] } : {}) });
    unused(args.usedBuildArgs, opts.buildArgs, run);
    return { image, names };
  } finally {
    removeTrees(ctx.userns(), [tmp]);
  }
}

function targetStage(file: Dockerfile, target: string | undefined): number {
  if (file.stages.length === 0) throw new UsageError('the Dockerfile has no FROM instruction');
  if (target === undefined) return file.stages.length - 1;
  const stage = file.stages.find((s) => s.name === target.toLowerCase());
  if (!stage) throw new UsageError(`--target ${target}: no stage of that name in the Dockerfile`);
  return stage.index;
}

/** The target and every stage it depends on (FROM, COPY --from, RUN --mount from=), as buildkit builds only those. */
function neededStages(file: Dockerfile, target: number): Set<number> {
  const needed = new Set<number>();
  const visit = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    const stage = file.stages[i]!;
    const refs = [stage.from.image];
    for (const instr of stage.instructions) {
      if (instr.kind === 'COPY' && instr.from) refs.push(instr.from);
      if (instr.kind === 'RUN') for (const m of instr.mounts) if (m.options.from) refs.push(m.options.from);
    }
    for (const r of refs) {
      const s = stageRef(file, r, i);
      if (s) visit(s.index);
    }
  };
  visit(target);
  return needed;
}

/** A stage's steps; `commitLine` (the target's) is said before its last step's "-->", as podman does. */
async function buildStage(run: BuildRun, stage: Stage, args: ArgScope, label: string, commitLine: string | undefined): Promise<StageState> {
  const scope = args.stage();
  const total = stage.instructions.length;
  const from = stage.instructions[0]!;
  run.say(`${label}STEP 1/${total}: ${textOf(run, from)}`);
  let state = await baseOf(run, stage, args, scope);
  const triggers = state.config.config.OnBuild ?? [];
  if (triggers.length > 0) {
    state.config = { ...state.config, config: { ...state.config.config, OnBuild: null } };
    for (const t of triggers) state = await step(run, stage, state, onbuildInstruction(run, t));
  }
  for (const [i, instr] of stage.instructions.slice(1).entries()) {
    run.say(`${label}STEP ${i + 2}/${total}: ${textOf(run, instr)}`);
    if (i + 2 === total) run.commitLine = commitLine;
    state = await step(run, stage, state, instr).catch((err: unknown) => {
      throw err instanceof SubstitutionError ? err.at(run.opts.dockerfile.name, instr.line, instr.kind) : err;
    });
  }
  if (total === 1) run.commitLine = commitLine;
  return state;
}

/** The instruction as the Dockerfile has it (continuations joined), for the step lines and history. */
function textOf(run: BuildRun, instr: Instruction): string {
  const lines = run.opts.dockerfile.text.split(/\r?\n/).slice(instr.line - 1, instr.endLine);
  const escape = run.file.directives.escape;
  const parts: string[] = [];
  for (const l of lines) {
    const t = l.replace(/[ \t]+$/, '');
    if (t.trim().startsWith('#') && parts.length > 0) continue;
    if (t.endsWith(escape)) parts.push(t.slice(0, -1).trim());
    else {
      parts.push(t.trim());
      break;
    }
  }
  return parts.join(' ');
}

function onbuildInstruction(run: BuildRun, expression: string): Instruction {
  const parsed = parseDockerfile(`FROM scratch\n${expression}\n`, `ONBUILD ${expression}`);
  const instr = parsed.stages[0]?.instructions[1];
  if (!instr) throw new UsageError(`ONBUILD trigger "${expression}" of the base image is not an instruction`);
  run.say(`ONBUILD ${expression}`);
  return { ...instr, line: 1, endLine: 1 };
}

async function baseOf(run: BuildRun, stage: Stage, args: ArgScope, scope: StageScope): Promise<StageState> {
  const ref = substituteFrom(args, stage.from.image);
  if (!ref) throw new UsageError(`${run.opts.dockerfile.name}:${stage.instructions[0]!.line}: FROM: "${stage.from.image}" names no image once its variables are substituted`);
  const cfg: ConfigState = { cmdSet: false };
  if (stage.from.platform !== undefined) checkPlatform(substituteFrom(args, stage.from.platform));
  const earlier = stageRef(run.file, ref, stage.index);
  if (earlier) {
    const s = run.stages.get(earlier.index)!;
    scope.seedEnv(s.config.config.Env ?? []);
    return { ...s, scope, cfg, config: structuredClone(s.config), baseLayers: s.layers.length };
  }
  if (ref.toLowerCase() === 'scratch') {
    const { os, architecture, variant } = hostPlatform();
    const config: ImageConfig = { architecture, os, ...(variant ? { variant } : {}), config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
    return { config, layers: [], baseLayers: 0, key: cacheKey(['FROM scratch']), scope, cfg };
  }
  const image = await baseImage(run, ref);
  const config = withPath(run.images.imageConfig(image));
  const layers = image.layers.map((c) => run.images.getLayer(c) ?? missingLayer(image, c));
  scope.seedEnv(config.config?.Env ?? []);
  return { image, config: { ...config, config: config.config ?? {} }, layers, baseLayers: layers.length, key: cacheKey(['FROM', image.id]), scope, cfg };
}

/** A base image without PATH gets the default one, as buildkit and podman give it. */
function withPath(config: ImageConfig): ImageConfig {
  const env = config.config?.Env ?? [];
  if (env.some((e) => e.startsWith('PATH='))) return config;
  return { ...config, config: { ...(config.config ?? {}), Env: [`PATH=${DEFAULT_PATH}`, ...env] } };
}

/** FROM sees the global ARGs and the platform args only. */
function substituteFrom(args: ArgScope, text: string): string {
  return substitute(text, args.fromLookup, { escape: args.escape });
}

function checkPlatform(platform: string): void {
  const host = hostPlatform();
  const [os, arch, variant] = platform.split('/');
  if (os !== host.os || (arch !== undefined && arch !== host.architecture) || (variant !== undefined && host.variant !== undefined && variant !== host.variant)) {
    throw new UsageError(`--platform ${platform}: this machine builds for ${host.os}/${host.architecture} only (no emulator for other platforms is set up)`);
  }
}

async function baseImage(run: BuildRun, ref: string): Promise<ImageRecord> {
  const { ctx, images, opts } = run;
  const progress = (line: string) => run.say(line);
  if (opts.pull === 'always' || opts.pull === 'newer') {
    try {
      return (await pullImage(ctx, ref, { progress })).image;
    } catch (err) {
      const local = images.findImage(ref);
      if (opts.pull === 'newer' && local) return local;
      throw err;
    }
  }
  const local = images.findImage(ref);
  if (local) return local;
  if (opts.pull === 'never') throw new NotFoundError(`${ref}: image not known (and --pull=never)`);
  await pullMissing(ctx, ref);
  return images.getImage(ref);
}

/** One instruction on top of `state`: from the cache, or made. */
async function step(run: BuildRun, stage: Stage, state: StageState, instr: Instruction): Promise<StageState> {
  if (instr.kind === 'ARG') {
    for (const { name, default: d } of instr.args) state.scope.declareArg(name, d);
    return state;
  }
  const config = structuredClone(state.config);
  if (applyMetadata(config, instr, state.scope, state.cfg)) {
    const key = cacheKey([state.key, instr.kind, JSON.stringify(config.config), config.author ?? '']);
    return commitStep(run, state, { config, layer: undefined, key, createdBy: `/bin/sh -c #(nop) ${textOf(run, instr)}` });
  }
  if (instr.kind === 'RUN') return runStep(run, stage, state, instr);
  if (instr.kind === 'COPY' || instr.kind === 'ADD') return copyStep(run, stage, state, instr);
  throw new UsageError(`${run.opts.dockerfile.name}:${instr.line}: ${instr.kind}: not allowed here`);
}

/** The target stage's image, with --label and --annotation, under every -t name. */
function finishImage(run: BuildRun, last: StageState, names: string[]): ImageRecord {
  const { opts } = run;
  let config = last.config;
  if (Object.keys(opts.labels).length > 0) {
    config = { ...config, config: { ...config.config, Labels: { ...(config.config.Labels ?? {}), ...opts.labels } } };
  }
  config = withImageEnvAndLabels(config, opts);
  if (last.layers.length === 0 && !last.image) throw new UsageError('the build made an empty image: FROM scratch needs at least one COPY, ADD or RUN');
  const annotations = Object.keys(opts.annotations).length > 0 ? opts.annotations : undefined;
  const changed = config !== last.config || annotations !== undefined || !last.image;
  // The result is an image of its own (shown by `images`), no longer only cache.
  const image = addImage(run, changed ? { ...config, created: run.created } : run.images.imageConfig(last.image!), last.layers, undefined, { intermediate: false }, annotations);
  if (changed || run.commitLine !== undefined) run.done(image);
  for (const name of names) run.images.tag(image.id, name);
  for (const name of names) run.say(`Successfully tagged ${name}`);
  return run.images.getImage(image.id);
}

/** --env, --unsetenv and --unsetlabel: the image's environment and labels changed last, over the Containerfile's. */
function withImageEnvAndLabels(config: ImageConfig, opts: BuildOptions): ImageConfig {
  const set = opts.imageEnv ?? [];
  const unsetEnv = opts.unsetEnv ?? [];
  const unsetLabels = opts.unsetLabels ?? [];
  if (!set.length && !unsetEnv.length && !unsetLabels.length) return config;
  const nameOf = (e: string) => e.split('=', 1)[0]!;
  const dropped = new Set([...unsetEnv, ...set.map(nameOf)]);
  const env = [...(config.config.Env ?? []).filter((e) => !dropped.has(nameOf(e))), ...set];
  const labels = Object.fromEntries(Object.entries(config.config.Labels ?? {}).filter(([k]) => !unsetLabels.includes(k)));
  return { ...config, config: { ...config.config, Env: env, Labels: labels } };
}

/**
 * --squash (the stage's new layers as one) and --squash-all (every layer as
 * one): the image's files merged into a scratch copy, and the layer of what
 * that copy has over the kept layers (deletions as whiteouts). The history
 * keeps its entries; only the last one stands for the new layer.
 */
async function squashed(run: BuildRun, last: StageState, how: 'new' | 'all'): Promise<StageState> {
  const keep = how === 'all' ? [] : last.layers.slice(0, last.baseLayers);
  if (last.layers.length - keep.length <= 1) return last;
  const dirs = (layers: LayerRecord[]) => layers.map((l) => run.images.layerDiffDir(l.chainId));
  const copy = path.join(run.tmp, 'squash');
  fs.mkdirSync(copy, { mode: 0o755 });
  mergeLayers(run.ctx.userns(), copy, dirs(last.layers));
  const mtime = run.opts.timestamp !== undefined ? ['--mtime', String(run.opts.timestamp)] : [];
  const tar = helperOutput({ userns: run.ctx.userns(), args: ['layer-tar', ...mtime, '--root-dir', copy, '--full', ...dirs(keep).flatMap((d) => ['--lower', d])] }, 'squashing the image');
  const layer = await run.images.addLayer(tar, keep[keep.length - 1]);
  const layers = [...keep, layer];
  const history = last.config.history ?? [];
  const lastNew = history.length - 1;
  const keptEntries = how === 'all' ? 0 : history.filter((h) => !h.empty_layer).length - (last.layers.length - keep.length);
  let seen = 0;
  const squashedHistory = history.map((h, i) => {
    if (!h.empty_layer && seen++ < keptEntries) return h;
    return i === lastNew ? { ...h, empty_layer: undefined } : { ...h, empty_layer: true };
  });
  const config: ImageConfig = { ...last.config, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) }, history: squashedHistory };
  return { ...last, image: undefined, layers, config };
}

/** --layers=false: the steps' images are not kept as a cache (their layers stay where the result has them). */
function dropIntermediates(run: BuildRun, result: ImageRecord): void {
  for (const id of run.made) {
    if (id === result.id) continue;
    try {
      run.images.removeImage(id);
    } catch {
      /* a concurrent build's cache, or gone */
    }
  }
}

function unused(used: Set<string>, given: Record<string, string>, run: BuildRun): void {
  const left = Object.keys(given).filter((k) => !used.has(k));
  if (left.length > 0) run.say(`[Warning] one or more build args were not consumed: [${left.join(' ')}]`);
}

/**
 * RUN containers and scratch directories of builds that died (SIGKILL):
 * removed by the next build, so nothing half-made stays.
 */
async function removeDeadBuilds(ctx: Context): Promise<void> {
  const store = new ContainerStore(ctx);
  for (const v of store.list()) {
    const b = v.record.builder;
    if (!b || !builderGone(b)) continue;
    await removeContainer(ctx, v, true).catch(() => {});
  }
  const dir = path.join(ctx.paths.runRoot, 'build');
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return;
  }
  const dead = entries.filter((e) => {
    const pid = Number(e.split('-')[0]);
    return Number.isInteger(pid) && pid > 0 && !pidRunning(pid);
  });
  if (dead.length > 0) removeTrees(ctx.userns(), dead.map((e) => path.join(dir, e)));
}
