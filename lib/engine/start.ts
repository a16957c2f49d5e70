// Starting a created container, and running one in the foreground: attach,
// start, stream, exit code.
import fs from 'node:fs';
import { AttachClient, FRAME_CLEANUP_TAKEN, FRAME_STDIN_EOF } from '../runtime/attach.js';
import { ContainerStore, isAlive, type ContainerView } from '../runtime/container-store.js';
import { native } from '../runtime/native.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import { trace } from '../util/trace.js';
import type { Context } from './context.js';
import { ConflictError, execErrorFrom, HuskError } from './errors.js';
import { removeAfterExit, removeContainer } from './remove.js';

/** How long the init may take to get ready, and to exec once released. */
export const START_TIMEOUT_MS = 30_000;

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
