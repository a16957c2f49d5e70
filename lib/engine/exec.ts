// `husk exec`: a process in a running container, entering each of its
// namespaces and set up as the container's own process (credentials,
// capabilities, no_new_privs, seccomp filter), started directly by the CLI
// through the addon; no monitor in between. Its stdio are pipes (or a
// terminal of the container's) that husk relays, never husk's own fds (see
// exec-relay.ts). Its exit code is the command's.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ImageStore } from '../image/store.js';
import { resolveCapabilities } from '../runtime/capabilities.js';
import { containerCgroupProcs } from '../runtime/container-cgroup.js';
import { refuseIfPaused } from './pause.js';
import { ContainerStore, isAlive, type ContainerView } from '../runtime/container-store.js';
import type { Spec } from '../core/oci-spec.js';
import { mergeEnv } from '../runtime/spec.js';
import { resolveUser } from '../runtime/user.js';
import { fnv1a } from '../core/hash.js';
import { proxySignals } from '../core/signals.js';
import type { Context } from '../core/context.js';
import { ConflictError, execErrorFrom } from '../core/errors.js';
import type { ExecStarted } from '../core/native-api.js';
import { fdWriter, relayPipes } from './exec-relay.js';
import { passedFds } from './passed-fds.js';

export interface ExecOptions {
  command: string[];
  interactive: boolean;
  tty: boolean;
  detach: boolean;
  env: string[];
  user?: string;
  workdir?: string;
  privileged: boolean;
  /**
   * Files of husk's own that stdout and stderr are copied into instead of our
   * streams (a healthcheck's output file); the process itself gets pipes.
   */
  stdio?: [number, number];
  /** Kill the process after this long (a healthcheck's timeout); its exit code is then 124 (as timeout(1)). */
  timeoutMs?: number;
  /** --preserve-fds: fds 3 .. 2+N of ours go to the process. */
  preserveFds?: number;
}

/** The user's streams, which the process's pipes or terminal are relayed to and from (none for a healthcheck). */
export interface ExecIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** /proc/PID/ns/ names of the OCI namespace types; the user namespace must be joined first. */
const NS_FILES: Array<[string, string]> = [['user', 'user'], ['mount', 'mnt'], ['pid', 'pid'], ['network', 'net'], ['ipc', 'ipc'], ['uts', 'uts'], ['cgroup', 'cgroup']];

export async function execInContainer(ctx: Context, view: ContainerView, opts: ExecOptions, io?: ExecIO): Promise<number> {
  if (view.status !== 'running' || !view.state || !isAlive(view.state)) {
    throw new ConflictError(`can only exec into running containers: ${view.record.name} is ${view.status}`);
  }
  refuseIfPaused(view, 'exec into it');
  const p = new ContainerStore(ctx).paths(view.record.id);
  const spec = JSON.parse(fs.readFileSync(p.config, 'utf8')) as Spec;
  const process_ = execProcessSpec(ctx, view, spec, opts);
  const pid = view.state.pid;
  const kinds = new Set((spec.linux.namespaces ?? []).map((n) => n.type));
  // A process already in the container's user namespace (the monitor's healthcheck, rootless on a
  // user network) cannot join it again (EINVAL).
  const joined = NS_FILES.filter(([type, file]) => kinds.has(type as never) && !(type === 'user' && sameNamespace(`/proc/${pid}/ns/${file}`, '/proc/self/ns/user')));
  const namespaces = joined.map(([type, file]) => ({ type, path: `/proc/${pid}/ns/${file}` }));
  const seccomp = spec.linux.seccomp;
  const seccompCache = seccomp && path.join(ctx.paths.runRoot, `seccomp-${fnv1a(JSON.stringify(seccomp))}.bpf`);
  // Into the container's cgroup too: its device rules hold for the process as for the container.
  const cgroupProcs = spec.linux.cgroupsPath ? containerCgroupProcs(ctx, spec.linux.cgroupsPath) : undefined;

  // With a terminal the process gets one of the container's own (its master comes back to us).
  if (process_.terminal && io?.stdout.isTTY) process_.consoleSize = { height: io.stdout.rows, width: io.stdout.columns };
  // Only what --preserve-fds names: a socket activation is the container's, not an exec's.
  const preserveFds = passedFds(opts.preserveFds, {}).count;
  let started: ExecStarted;
  try {
    started = ctx.native().execProcess({ process: process_, seccomp, seccompCache, cgroupProcs, namespaces, stdin: opts.interactive, detach: opts.detach, preserveFds });
  } catch (err) {
    throw execErrorFrom(err);
  }
  if (opts.detach) {
    fs.closeSync(started.syncFd);
    ctx.native().reap(started.pid);
    return 0;
  }
  const master = started.master;
  const stopRelay =
    master === undefined ? relayStdio(started, opts, io) : io ? relayTerminal(ctx, master, io, opts.interactive) : async () => {};
  const unproxy = master !== undefined ? () => {} : proxySignals(started.execPid);
  let timedOut = false;
  const timer =
    opts.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          try {
            process.kill(started.execPid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, opts.timeoutMs)
      : undefined;
  try {
    const records = await readToEnd(started.syncFd);
    ctx.native().reap(started.pid);
    const code = ctx.native().execResult(records);
    return timedOut ? 124 : code;
  } catch (err) {
    throw execErrorFrom(err);
  } finally {
    if (timer) clearTimeout(timer);
    await stopRelay();
    unproxy();
  }
}

function sameNamespace(a: string, b: string): boolean {
  try {
    const [x, y] = [fs.statSync(a), fs.statSync(b)];
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}

/** The process to run: the container's, with the command, and exec's -e, -u, -w and --privileged. */
function execProcessSpec(ctx: Context, view: ContainerView, spec: Spec, opts: ExecOptions): Spec['process'] {
  const base = spec.process;
  let user = base.user;
  let home: string | undefined;
  if (opts.user !== undefined) {
    const images = new ImageStore(ctx);
    const layers = images.layerDirs(images.getImage(view.record.imageId)).reverse();
    const upper = new ContainerStore(ctx).paths(view.record.id).upper;
    const u = resolveUser(opts.user, [upper, ...layers]);
    user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids, umask: base.user.umask };
    home = u.home;
  }
  const bounding = opts.privileged ? resolveCapabilities([], [], true) : base.capabilities?.bounding ?? [];
  // Root gets the container's capabilities, as in the container itself; another user gets what the
  // container's own non-root process got (its --cap-add), or none.
  const caps = user.uid === 0 || opts.privileged ? bounding : base.user.uid !== 0 ? base.capabilities?.effective ?? [] : [];
  return {
    ...base,
    terminal: opts.tty && !opts.detach,
    consoleSize: undefined,
    user,
    args: opts.command,
    env: mergeEnv(base.env, opts.tty ? ['TERM=xterm'] : [], home ? [`HOME=${home}`] : [], opts.env),
    cwd: opts.workdir ?? base.cwd,
    capabilities: {
      bounding,
      effective: caps,
      permitted: caps,
      inheritable: user.uid === 0 ? [] : caps,
      ambient: user.uid === 0 ? [] : caps,
    },
  };
}

/** Without a terminal: the process's pipes to our streams (its output to a healthcheck's file), our stdin to it with -i. */
function relayStdio(pipes: ExecStarted, opts: ExecOptions, io: ExecIO | undefined): () => Promise<void> {
  const [out, err] = opts.stdio
    ? [fdWriter(opts.stdio[0]), fdWriter(opts.stdio[1])]
    : [io?.stdout ?? discard(), io?.stderr ?? discard()];
  const relay = relayPipes(pipes, out, err, opts.interactive ? io?.stdin : undefined);
  return async () => relay.finish();
}

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

function readToEnd(fd: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stream = fs.createReadStream('', { fd, autoClose: true });
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** exec -t: the pty's master to our terminal and back (raw), with its size kept in step. */
function relayTerminal(ctx: Context, master: number, io: ExecIO, interactive: boolean): () => Promise<void> {
  const fromPty = fs.createReadStream('', { fd: master, autoClose: false, highWaterMark: 64 * 1024 });
  const done = new Promise<void>((resolve) => {
    fromPty.on('end', resolve);
    fromPty.on('close', resolve);
    // EIO: every slave fd is closed, the process is gone.
    fromPty.on('error', () => resolve());
  });
  fromPty.on('data', (d) => io.stdout.write(d as Buffer));
  const resize = () => {
    if (io.stdout.isTTY) ctx.native().setWinsize(master, io.stdout.rows, io.stdout.columns);
  };
  resize();
  io.stdout.on('resize', resize);
  const raw = interactive && io.stdin.isTTY;
  const onInput = (d: Buffer) => fs.write(master, d, () => {});
  if (interactive) {
    if (raw) io.stdin.setRawMode(true);
    io.stdin.on('data', onInput);
  }
  return async () => {
    await Promise.race([done, new Promise((r) => setTimeout(r, 200))]);
    fromPty.destroy();
    io.stdout.off('resize', resize);
    if (interactive) {
      io.stdin.off('data', onInput);
      if (raw) io.stdin.setRawMode(false);
      io.stdin.pause();
      (io.stdin as NodeJS.ReadStream & { unref?: () => void }).unref?.();
    }
    try {
      fs.closeSync(master);
    } catch {
      /* closed by the stream */
    }
  };
}
