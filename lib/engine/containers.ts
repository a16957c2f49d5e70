// What container commands do: create, start, run, attach, remove, clean up,
// logs. The CLI calls these and prints; nothing here prints.
import fs from 'node:fs';
import path from 'node:path';
import { ImageStore } from '../image/store.js';
import { AttachClient, FRAME_CLEANUP_TAKEN, FRAME_STDIN_EOF } from '../runtime/attach.js';
import {
  ContainerStore, isAlive, procStartTime,
  type ContainerRecord, type ContainerState, type ContainerView,
} from '../runtime/container-store.js';
import { monitorPath, native, packageRoot } from '../runtime/native.js';
import { buildSpec, type SecurityOptions } from '../runtime/spec.js';
import { ensureOwnedDir, mkdirPrivate, writeJsonAtomic } from '../storage/atomic.js';
import { chooseDriver, rootfsPlan, DRIVER_FALLBACKS } from '../storage/driver.js';
import { mergeLayers, removeTrees } from '../storage/userns-helper.js';
import type { Context } from './context.js';
import { ConflictError, execErrorFrom, HuskError, UsageError } from './errors.js';
import { generateName, NAME_PATTERN } from './names.js';
import { randomHex } from '../util/random.js';
import { trace } from '../util/trace.js';
import { NativeError } from '../runtime/native.js';

export interface CreateOptions {
  image: string;
  command: string[];
  name?: string;
  entrypoint?: string;
  env: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  readOnly: boolean;
  security: SecurityOptions;
  keepId: boolean;
  network: 'private' | 'none' | 'host';
  tty: boolean;
  consoleSize?: { rows: number; cols: number };
  interactive: boolean;
  autoRemove: boolean;
  /** The caller attaches right away (foreground run): hand it a connected client. */
  attach?: boolean;
  /** The caller starts it at once (run): the state gets its start time now, written once. */
  startNow?: boolean;
}

const START_TIMEOUT_MS = 30_000;

export async function createContainer(ctx: Context, opts: CreateOptions): Promise<ContainerView> {
  trace('create: start');
  const images = new ImageStore(ctx);
  const image = images.getImage(opts.image);
  const imageConfig = images.imageConfig(image).config ?? {};
  const layerDirs = images.layerDirs(image);
  const store = new ContainerStore(ctx);
  if (opts.keepId && !ctx.rootless) throw new UsageError('--userns=keep-id is only supported when husk runs rootless');
  if (opts.name !== undefined && !NAME_PATTERN.test(opts.name)) {
    throw new UsageError(`invalid container name "${opts.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }

  const id = randomHex(32);
  const p = store.paths(id);
  const hostname = opts.hostname ?? id.slice(0, 12);
  const spec = buildSpec({
    image: imageConfig,
    layerDirsTopFirst: [...layerDirs].reverse(),
    command: opts.command,
    entrypoint: opts.entrypoint,
    env: opts.env,
    workdir: opts.workdir,
    user: opts.user,
    hostname,
    capAdd: opts.capAdd,
    capDrop: opts.capDrop,
    privileged: opts.privileged,
    readOnly: opts.readOnly,
    security: opts.security,
    network: opts.network,
    tty: opts.tty,
    consoleSize: opts.consoleSize,
    userns: ctx.userns(),
    keepId: opts.keepId ? { uid: ctx.uid, gid: ctx.gid } : undefined,
    rootfs: p.rootfs,
    etcFiles: { hosts: p.hosts, hostname: p.hostname, resolvConf: p.resolvConf },
  });

  trace('create: spec built');
  const driver = chooseDriver(ctx);
  const record: ContainerRecord = {
    id,
    name: '',
    image: opts.image,
    imageId: image.id,
    imageName: image.names[0] ?? image.id,
    args: spec.process.args,
    created: new Date().toISOString(),
    autoRemove: opts.autoRemove,
    tty: opts.tty,
    openStdin: opts.interactive,
    hostname,
    network: opts.network,
    storageDriver: driver,
    rootless: ctx.rootless,
  };
  // The record claims the name; everything after it is undone on failure.
  store.locked(() => {
    const taken = store.names();
    if (opts.name !== undefined && taken.has(opts.name)) {
      throw new ConflictError(`the container name "${opts.name}" is already in use: remove that container or choose another name`);
    }
    record.name = opts.name ?? generateName(taken);
    mkdirPrivate(p.dir);
    // A container removed when it exits needs no record that survives a crash.
    writeJsonAtomic(p.record, record, 0o600, !record.autoRemove);
  });
  trace('create: record written');
  try {
    writeEtcFiles(p, hostname, opts.network);
    for (const d of [p.upper, p.work, p.rootfs]) fs.mkdirSync(d, { mode: 0o755 });
    makeWorkdir(spec.process.cwd, layerDirs, p.upper);
    writeJsonAtomic(p.config, spec, 0o600, false);
    ensureOwnedDir(ctx.paths.runRoot, ctx.uid);
    mkdirPrivate(p.run);
    // Writable by whichever user the container runs as: the init reopens it after
    // dropping to that user; the directory (0700) keeps everyone else out.
    native().mkfifo(p.execFifo, 0o622);
    fs.chmodSync(p.execFifo, 0o622); // mkfifo honours the umask
    trace('create: files written');
    const result = spawnWithFallback(ctx, record, spec, p, layerDirs, opts.attach ?? false);
    trace('create: init ready');
    const state: ContainerState = {
      pid: result.pid,
      pidStartTime: procStartTime(result.pid) ?? '',
      monitorPid: result.monitorPid,
      startedAt: opts.startNow ? new Date().toISOString() : undefined,
    };
    writeJsonAtomic(p.state, state, 0o600, false);
    return { record, state, status: 'created', attachFd: result.attachFd };
  } catch (err) {
    removeContainerFiles(ctx, store, id);
    throw err;
  }
}

type Paths = ReturnType<ContainerStore['paths']>;

function spawnWithFallback(ctx: Context, record: ContainerRecord, spec: ReturnType<typeof buildSpec>, p: Paths, layerDirs: string[], attach: boolean) {
  for (;;) {
    try {
      if (record.storageDriver === 'vfs') mergeLayers(ctx.userns(), p.rootfs, layerDirs);
      const opts = {
        spec,
        bundle: p.dir,
        rootfs: rootfsPlan(record.storageDriver, layerDirs, p, record.autoRemove),
        usernsHelpers: ctx.userns()?.helpers ?? false,
        execFifo: p.execFifo,
        monitorArgv: monitorArgv(ctx, record, p),
        openStdin: record.openStdin,
        attach,
        seccompCache: spec.linux.seccomp && path.join(ctx.paths.runRoot, `seccomp-${fnv1a(JSON.stringify(spec.linux.seccomp))}.bpf`),
        timeoutMs: START_TIMEOUT_MS,
      };
      return native().createContainer(opts);
    } catch (err) {
      // A kernel that refuses overlay in a user namespace: try the next driver, once per store.
      const next = DRIVER_FALLBACKS[record.storageDriver];
      if (!(err instanceof NativeError) || !err.step?.startsWith('mount overlay') || !next || ctx.storageDriver) throw err;
      record.storageDriver = next(ctx);
      writeJsonAtomic(p.record, record);
    }
  }
}

/** Two 32-bit FNV-1a hashes with different seeds: a cache key without loading node:crypto. */
function fnv1a(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193 + 2);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

function monitorArgv(ctx: Context, record: ContainerRecord, p: Paths): string[] {
  const cleanup = [process.execPath, path.join(packageRoot, 'bin', 'husk'), '--root', ctx.paths.dataRoot, '--runroot', ctx.paths.runRoot, 'container', 'cleanup', record.id];
  const argv = [monitorPath, '--id', record.id, '--log', p.log, '--attach', p.attach, '--exit', p.exit];
  if (record.tty) argv.push('--tty');
  if (record.openStdin) argv.push('--stdin');
  for (const a of cleanup) argv.push('--cleanup-arg', a);
  return argv;
}

function writeEtcFiles(p: Paths, hostname: string, network: string): void {
  const hosts = network === 'host' ? readOr('/etc/hosts', '') : '';
  fs.writeFileSync(p.hosts, `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n${hosts}`, { mode: 0o644 });
  fs.writeFileSync(p.hostname, `${hostname}\n`, { mode: 0o644 });
  // Loopback resolvers of the host are unreachable from a private network namespace.
  const resolv = readOr('/etc/resolv.conf', '')
    .split('\n')
    .filter((l) => network === 'host' || !/^\s*nameserver\s+(127\.|::1)/.test(l))
    .join('\n');
  fs.writeFileSync(p.resolvConf, resolv, { mode: 0o644 });
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** docker creates a missing working directory; the upper layer is where it can. */
function makeWorkdir(cwd: string, layerDirs: string[], upper: string): void {
  if (cwd === '/' || layerDirs.some((d) => fs.existsSync(path.join(d, cwd)))) return;
  fs.mkdirSync(path.join(upper, cwd), { recursive: true, mode: 0o755 });
}

/** Releases the container's init: from here on, its own program runs. */
export function startContainer(ctx: Context, view: ContainerView): void {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  if (!view.state || view.status !== 'created' || !isAlive(view.state)) {
    throw new ConflictError(`container ${view.record.name} cannot be started: it is ${view.status}`);
  }
  try {
    trace('start: releasing init');
    native().startContainer(p.execFifo, view.state.pid, START_TIMEOUT_MS);
    trace('start: exec done');
  } catch (err) {
    throw execErrorFrom(err);
  } finally {
    fs.rmSync(p.execFifo, { force: true });
  }
  if (!view.state.startedAt) {
    view.state.startedAt = new Date().toISOString();
    writeJsonAtomic(p.state, view.state, 0o600, false);
  }
  view.status = 'running';
}

export interface AttachIO {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Terminal size to pass on, and a way to hear about changes. */
  terminalSize?: () => { rows: number; cols: number } | undefined;
  onResize?: (fn: () => void) => void;
}

/**
 * Runs a created container in the foreground: attach, start, stream, and
 * return its exit code. With autoRemove the container is removed here, not
 * by the monitor's cleanup (which the monitor is told to skip).
 */
export async function runAttached(ctx: Context, view: ContainerView, io: AttachIO, sigProxy: boolean): Promise<number> {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  let exitCode: number | undefined;
  let closedResolve!: () => void;
  const closed = new Promise<void>((r) => (closedResolve = r));
  const handlers = {
    stdout: (d: Buffer) => io.stdout.write(d),
    stderr: (d: Buffer) => io.stderr.write(d),
    exit: (code: number) => {
      exitCode = code;
      client.close();
    },
    closed: () => closedResolve(),
  };
  const client =
    view.attachFd !== undefined
      ? AttachClient.fromFd(view.attachFd, handlers)
      : await AttachClient.connect(p.attach, handlers).catch(async (err: Error) => {
          // Never started: nothing of the user's ran, so --rm takes it away again.
          if (view.record.autoRemove) await removeContainer(ctx, view, true);
          throw new HuskError(`attaching to container ${view.record.name}: ${err.message}`);
        });
  trace('attach: connected');
  // Said now, before the start: the monitor then skips its exit file and
  // its cleanup process, since we remove the container ourselves.
  if (view.record.autoRemove) client.send(FRAME_CLEANUP_TAKEN);
  try {
    startContainer(ctx, view);
  } catch (err) {
    client.close();
    if (view.record.autoRemove) removeAfterExit(ctx, view);
    throw err;
  }
  // Wired after the start, while the container already runs: nothing is lost
  // (stdin waits in its pipe, the terminal size was set at create), and this
  // work no longer delays the container.
  const restore = wireStdin(client, view, io);
  if (view.record.tty) {
    const resize = () => {
      const s = io.terminalSize?.();
      if (s) client.resize(s.rows, s.cols);
    };
    resize(); // a terminal other than the one at create time (start -a)
    io.onResize?.(resize);
  }
  const unproxy = sigProxy && !view.record.tty ? proxySignals(view) : () => {};
  await closed;
  trace('attach: exit received');
  restore();
  unproxy();
  if (exitCode === undefined) {
    // The monitor went away without telling us; the exit file may still say.
    const after = store.view(view.record.id);
    if (after?.exit) exitCode = after.exit.exitCode;
    else throw new HuskError(`lost the connection to container ${view.record.name} before it exited`);
  }
  if (view.record.autoRemove) removeAfterExit(ctx, view);
  trace('run: removed');
  return exitCode;
}

function wireStdin(client: AttachClient, view: ContainerView, io: AttachIO): () => void {
  // As docker: stdin is forwarded only with -i; -t alone gives a terminal for output.
  if (!view.record.openStdin) return () => {};
  const stdin = io.stdin;
  if (!stdin) return () => {};
  const raw = view.record.tty && stdin.isTTY && stdin.setRawMode;
  if (raw) stdin.setRawMode!(true);
  const onData = (d: Buffer) => client.sendStdin(d);
  const onEnd = () => client.send(FRAME_STDIN_EOF);
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  return () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    if (raw) stdin.setRawMode!(false);
    stdin.pause();
    (stdin as NodeJS.ReadableStream & { unref?: () => void }).unref?.();
  };
}

const PROXIED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

function proxySignals(view: ContainerView): () => void {
  const handler = (sig: NodeJS.Signals) => {
    try {
      if (view.state) process.kill(view.state.pid, sig);
    } catch {
      /* already gone */
    }
  };
  for (const s of PROXIED_SIGNALS) process.on(s, handler);
  return () => {
    for (const s of PROXIED_SIGNALS) process.off(s, handler);
  };
}

/**
 * Removes a container whose exit we saw. The monitor, told that we clean up,
 * only unlinks its socket and exits: no need to wait for it.
 */
function removeAfterExit(ctx: Context, view: ContainerView): void {
  removeContainerFiles(ctx, new ContainerStore(ctx), view.record.id);
}

function waitForExit(pid: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    // Zombies still answer kill(0): they are done.
    try {
      if (/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))) return true;
    } catch {
      return true;
    }
    Atomics.wait(sleeper, 0, 0, 2);
  }
  return false;
}

export interface RemoveReport {
  id: string;
  /** The name or ID as the user gave it. */
  name: string;
  error?: Error;
}

/** Removes containers one by one; a failure is reported, not thrown, so the rest go on. */
export async function removeContainers(ctx: Context, names: string[], force: boolean): Promise<RemoveReport[]> {
  const store = new ContainerStore(ctx);
  const reports: RemoveReport[] = [];
  for (const name of names) {
    try {
      const view = store.get(name);
      await removeContainer(ctx, view, force);
      reports.push({ id: view.record.id, name });
    } catch (err) {
      reports.push({ id: name, name, error: err as Error });
    }
  }
  return reports;
}

export async function removeContainer(ctx: Context, view: ContainerView, force: boolean): Promise<void> {
  const store = new ContainerStore(ctx);
  const alive = view.state && isAlive(view.state);
  if (alive && !force) {
    throw new ConflictError(`cannot remove container ${view.record.id} as it is ${view.status}: stop it first or use -f`);
  }
  if (alive && view.state) {
    // Tell the monitor we remove the container ourselves, so it starts no cleanup process.
    const client = await AttachClient.connect(store.paths(view.record.id).attach, {
      stdout: () => {}, stderr: () => {}, exit: () => {}, closed: () => {},
    }).catch(() => undefined);
    client?.send(FRAME_CLEANUP_TAKEN);
    client?.close(); // the monitor waits for open clients before it exits
    try {
      process.kill(view.state.pid, 'SIGKILL');
    } catch {
      /* exited meanwhile */
    }
    waitForExit(view.state.monitorPid, 10_000);
  } else if (view.state && !view.state.startedAt) {
    // Created, never started: the monitor waits on an init that waits on us.
    try {
      process.kill(view.state.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    waitForExit(view.state.monitorPid, 10_000);
  }
  removeContainerFiles(ctx, store, view.record.id);
}

function removeContainerFiles(ctx: Context, store: ContainerStore, id: string): void {
  const p = store.paths(id);
  store.locked(() => {
    // The record goes first: a half-removed container is then invisible, never listed broken.
    fs.rmSync(p.record, { force: true });
    // overlayfs leaves work/work (and work/work/incompat/volatile) mode 000;
    // they are ours, so a chmod spares a trip into the user namespace.
    openUp(path.join(p.work, 'work'));
    removeTrees(ctx.userns(), [p.dir, p.run]);
  });
}

function openUp(dir: string): void {
  try {
    fs.chmodSync(dir, 0o700);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) openUp(path.join(dir, e.name));
  } catch {
    /* not there, or not ours: husk-userns removes it */
  }
}

/** Run by the monitor after the container exited (`husk container cleanup`). */
export function cleanupContainer(ctx: Context, id: string): void {
  const store = new ContainerStore(ctx);
  const view = store.find(id);
  if (!view || view.status === 'running') return;
  if (view.record.autoRemove) {
    removeContainerFiles(ctx, store, view.record.id);
    return;
  }
  fs.rmSync(store.paths(view.record.id).run, { recursive: true, force: true });
}

export interface LogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Reads the k8s-file log: "<time> <stream> <F|P> <text>"; P records continue the line. */
export function readLogs(ctx: Context, view: ContainerView): LogRecord[] {
  const file = new ContainerStore(ctx).paths(view.record.id).log;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: LogRecord[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/.exec(line);
    if (!m) continue;
    out.push({ time: m[1]!, stream: m[2] as 'stdout' | 'stderr', text: m[3] === 'F' ? `${m[4]}\n` : m[4]! });
  }
  return out;
}

export function listContainers(ctx: Context, all: boolean): ContainerView[] {
  const views = new ContainerStore(ctx).list();
  return all ? views : views.filter((v) => v.status === 'running');
}

export function getContainer(ctx: Context, nameOrId: string): ContainerView {
  return new ContainerStore(ctx).get(nameOrId);
}
