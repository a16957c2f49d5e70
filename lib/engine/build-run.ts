// A build's RUN step: a container of the step's parent image, made and run
// as `husk run` makes and runs one (same runtime, same isolation, the
// default network), hidden from ps while it lives. Its changes become the
// step's layer through the code `commit` uses (husk-userns layer-tar).
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import type { Heredoc, Mount, RunInstr, Stage } from '../build/dockerfile.js';
import { commandArgs, shellOf } from '../build/config.js';
import { cacheKey } from '../build/cache.js';
import { ContainerStore, procStartTime, type ContainerView } from '../runtime/container-store.js';
import { parseUlimit } from '../runtime/ulimits.js';
import { helperOutput } from '../native/rootfs-helper.js';
import { parseNetworkConfig } from '../network/mode.js';
import type { ContainerNetworkConfig } from '../core/network.js';
import { fnv1a } from '../core/hash.js';
import { StepFailedError, UsageError } from '../core/errors.js';
import { changeArgs } from './container-root.js';
import { createContainer } from './create.js';
import { runAttached } from './start.js';
import { removeContainer } from './remove.js';
import { cached, commitStep, fromCache, type BuildOptions, type BuildRun, type BuildSecret, type StageState } from './build-state.js';
import { materializeFrom } from './build-copy.js';
import type { MountRequest } from './mounts.js';

/** What the RUN steps take from the build's options. */
type RunSettings = Pick<BuildOptions, 'network' | 'addHosts' | 'ulimits' | 'secrets' | 'ssh' | 'runContainer'>;

/** Where heredoc scripts with a #! line are put for the step: /dev is the container's own tmpfs, so nothing of it lands in the layer. */
const HEREDOC_DIR = '/dev/.husk-heredoc';

export async function runStep(run: BuildRun, stage: Stage, state: StageState, instr: RunInstr): Promise<StageState> {
  const settings = run.opts;
  const config = state.config.config;
  const command = commandOf(run, instr, shellOf(config));
  const env = Object.entries(state.scope.runEnvironment()).map(([k, v]) => `${k}=${v}`);
  const network = instr.network ?? settings.network;
  const mounts = await Promise.all(instr.mounts.map((m) => runMount(run, stage, instr, m, settings, config.WorkingDir || '/')));
  mounts.push(...command.mounts);
  const key = cacheKey([state.key, 'RUN', JSON.stringify(command.args), JSON.stringify(env), JSON.stringify(instr.mounts), network ?? '', instr.security ?? '']);
  const hit = await cached(run, key);
  if (hit) return fromCache(run, state, hit, key);
  if (!state.image) throw new UsageError(`${where(run, instr)}: the stage has no files yet (FROM scratch): there is nothing to run`);

  const view = await createContainer(run.ctx, {
    image: state.image.id,
    command: command.args,
    entrypoint: '',
    env: [...env, ...mounts.flatMap((m) => m.env)],
    workdir: config.WorkingDir || '/',
    user: config.User || undefined,
    capAdd: settings.runContainer?.capAdd ?? [],
    capDrop: settings.runContainer?.capDrop ?? [],
    resources: settings.runContainer?.resources,
    shmSize: settings.runContainer?.shmSize,
    privileged: instr.security === 'insecure',
    readOnly: false,
    security: { seccomp: 'default', noNewPrivileges: false },
    keepId: false,
    network: networkFor(run, network, settings),
    tty: false,
    interactive: false,
    autoRemove: false,
    health: null,
    mounts: mounts.flatMap((m) => m.request),
    attach: true,
    startNow: true,
    rlimits: settings.ulimits.map(parseUlimit),
    builder: { pid: process.pid, pidStartTime: procStartTime(process.pid) ?? '' },
  });
  try {
    await runContainer(run, instr, view);
    const tar = helperOutput(
      { userns: run.ctx.userns(), args: ['layer-tar', ...(run.opts.timestamp !== undefined ? ['--mtime', String(run.opts.timestamp)] : []), ...changeArgs(run.ctx, view)] },
      `RUN at line ${instr.line}`,
    );
    const layer = await run.images.addLayer(tar, state.layers[state.layers.length - 1]);
    return commitStep(run, state, { config: structuredClone(state.config), layer, key, createdBy: createdBy(command.args) });
  } finally {
    await removeContainer(run.ctx, new ContainerStore(run.ctx).view(view.record.id) ?? view, true).catch(() => {});
  }
}

function where(run: BuildRun, instr: RunInstr): string {
  return `${run.opts.dockerfile.name}:${instr.line}: RUN`;
}

/** Runs the container to its end, its output streamed (or kept for a failure under -q). */
async function runContainer(run: BuildRun, instr: RunInstr, view: ContainerView): Promise<void> {
  const kept: Buffer[] = [];
  const sink: Writable = run.opts.quiet ? new PassThrough().on('data', (d: Buffer) => kept.push(d)) : run.opts.out;
  const end = await runAttached(run.ctx, view, { stdout: sink, stderr: sink }, { sigProxy: true });
  const code = 'exitCode' in end ? end.exitCode : 1;
  if (code === 0) return;
  if (run.opts.quiet) for (const chunk of kept) process.stderr.write(chunk);
  throw new StepFailedError(`building at STEP "RUN ${textForError(instr)}" (${run.opts.dockerfile.name}:${instr.line}): the command exited with status ${code}`, code);
}

function textForError(instr: RunInstr): string {
  return instr.command.form === 'exec' ? JSON.stringify(instr.command.args) : instr.command.text;
}

function createdBy(args: string[]): string {
  return args.join(' ');
}

interface RunCommand {
  args: string[];
  mounts: StepMount[];
}

/**
 * The argv of a RUN, heredocs as buildkit runs them: `RUN <<EOF` alone runs
 * the document (through the shell, or as a file when it starts with #!);
 * otherwise the documents follow the command line, for the shell to read.
 */
function commandOf(run: BuildRun, instr: RunInstr, shell: string[]): RunCommand {
  if (instr.heredocs.length === 0) return { args: commandArgs(instr.command, shell), mounts: [] };
  const text = instr.command.form === 'shell' ? instr.command.text : '';
  const only = instr.heredocs.length === 1 && /^<<-?(["']?)[A-Za-z0-9_.-]+\1$/.test(text.trim()) ? instr.heredocs[0] : undefined;
  if (only && !only.content.startsWith('#!')) return { args: [...shell, only.content], mounts: [] };
  if (only) {
    const file = path.join(run.tmp, `heredoc-${instr.line}-${fnv1a(only.content)}`);
    fs.writeFileSync(file, only.content, { mode: 0o755 });
    const target = `${HEREDOC_DIR}/${fnv1a(only.content)}`;
    return { args: [target], mounts: [{ request: [bindMount(file, target, false)], env: [] }] };
  }
  return { args: [...shell, appendHeredocs(text, instr.heredocs)], mounts: [] };
}

function appendHeredocs(text: string, docs: Heredoc[]): string {
  let out = text;
  for (const d of docs) out += `\n${d.content}${d.name}`;
  return out;
}

function networkFor(run: BuildRun, mode: string | undefined, settings: RunSettings): ContainerNetworkConfig {
  const network = mode === undefined || mode === 'default' ? [] : [mode];
  return parseNetworkConfig({
    network,
    networkAlias: [],
    rootless: run.ctx.rootless,
    publish: [],
    publishAll: false,
    expose: [],
    addHost: settings.addHosts,
    noHosts: settings.runContainer?.noHosts ?? false,
    dns: settings.runContainer?.dns ?? [],
    dnsSearch: settings.runContainer?.dnsSearch ?? [],
    dnsOptions: settings.runContainer?.dnsOptions ?? [],
  });
}

/** A RUN --mount as the container's mounts, and the environment it sets (ssh). */
interface StepMount {
  request: MountRequest[];
  env: string[];
}

function bindMount(source: string, destination: string, rw: boolean): MountRequest {
  return { type: 'bind', source, destination, rw, options: ['rbind'] };
}

async function runMount(run: BuildRun, stage: Stage, instr: RunInstr, m: Mount, settings: RunSettings, workdir: string): Promise<StepMount> {
  const o = m.options;
  const fail = (what: string): never => {
    throw new UsageError(`${where(run, instr)}: --mount=type=${m.type}: ${what}`);
  };
  const given = o.target ?? o.dst ?? o.destination;
  const target = given === undefined ? undefined : path.posix.resolve(workdir, given);
  const rw = o.rw === 'true' || o.readwrite === 'true';
  const ro = o.ro === 'true' || o.readonly === 'true';
  switch (m.type) {
    case 'cache': {
      if (!target) fail('target= is required');
      const dir = path.join(run.ctx.paths.dataRoot, 'build-cache', 'mounts', fnv1a(o.id ?? target!));
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      if (o.mode) fs.chmodSync(dir, parseInt(o.mode, 8));
      return { request: [bindMount(dir, target!, !ro)], env: [] };
    }
    case 'tmpfs': {
      if (!target) fail('target= is required');
      const size = o.size ? [`size=${o.size}`] : [];
      return { request: [{ type: 'tmpfs', source: 'tmpfs', destination: target!, rw: true, options: size }], env: [] };
    }
    case 'bind': {
      if (!target) fail('target= is required');
      const source = o.source ?? o.src ?? '.';
      const host = o.from !== undefined ? await materializeFrom(run, stage, o.from, source, instr.line) : await contextPath(run, source, fail);
      // A writable bind's writes are thrown away, as buildkit's are: the container writes a copy.
      return { request: [bindMount(rw ? await copyOf(run, host) : host, target!, rw)], env: [] };
    }
    case 'secret': {
      const id = o.id ?? (target ? path.posix.basename(target) : undefined);
      if (!id) fail('id= or target= is required');
      const secret = settings.secrets.find((s) => s.id === id);
      if (!secret) {
        if (o.required === 'true') fail(`secret ${id} is required: give it with --secret id=${id},src=FILE`);
        return { request: [], env: [] };
      }
      return { request: [bindMount(secretFile(run, secret), target ?? `/run/secrets/${id}`, false)], env: [] };
    }
    case 'ssh': {
      const id = o.id ?? 'default';
      const agent = settings.ssh.find((s) => s.id === id);
      if (!agent) {
        if (o.required === 'true' || o.required === undefined) fail(`ssh agent ${id} is not given: use --ssh ${id}[=SOCKET]`);
        return { request: [], env: [] };
      }
      const dest = target ?? `/run/buildkit/ssh_agent.${settings.ssh.indexOf(agent)}`;
      return { request: [bindMount(agent.socket, dest, false)], env: [`SSH_AUTH_SOCK=${dest}`] };
    }
  }
}

/** A secret given as a value goes to a file only its RUN steps see (mode 0400, as buildkit mounts them). */
function secretFile(run: BuildRun, secret: BuildSecret): string {
  if ('file' in secret) return secret.file;
  const file = path.join(run.tmp, `secret-${fnv1a(secret.id)}`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, secret.value, { mode: 0o400 });
  return file;
}

async function contextPath(run: BuildRun, source: string, fail: (what: string) => never): Promise<string> {
  const root = run.opts.contextDir;
  if (!root) return fail('there is no build context to bind from');
  const full = path.resolve(root, source.replace(/^\/+/, ''));
  const rel = path.relative(root, full);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return fail(`source ${source} is outside the build context`);
  try {
    // Symlinks resolved as the context's own, never leading out of it.
    const real = fs.realpathSync(full);
    const realRoot = fs.realpathSync(root);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return fail(`source ${source} leads outside the build context`);
    return real;
  } catch {
    return fail(`source ${source}: no such file or directory in the build context`);
  }
}

async function copyOf(run: BuildRun, host: string): Promise<string> {
  const dest = path.join(run.tmp, `rw-${fnv1a(host)}-${Date.now()}`);
  fs.cpSync(host, dest, { recursive: true, verbatimSymlinks: true });
  return dest;
}
