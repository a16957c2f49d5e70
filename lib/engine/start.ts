// Starting a created container, and running one in the foreground: attach,
// start, stream, exit code.
import fs from 'node:fs';
import { AttachClient, FRAME_CLEANUP_TAKEN, FRAME_STDIN_EOF } from '../runtime/attach.js';
import { ContainerStore, isAlive, type ContainerView } from '../runtime/container-store.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import { proxySignals } from '../core/signals.js';
import { trace } from '../core/trace.js';
import type { Context } from '../core/context.js';
import { ConflictError, execErrorFrom, HuskError, UsageError } from '../core/errors.js';
import { removeAfterExit, removeContainer } from './remove.js';
import { START_TIMEOUT_MS } from './create.js';
import { startWithNetwork } from './container-network.js';
import { refuseIfPaused } from './pause.js';
import { containerEvent } from './events.js';
import { notifyStarted } from './sdnotify.js';

/** Releases the container's init: from here on, its own program runs. */
export function startContainer(ctx: Context, view: ContainerView): void {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  if (!view.state || view.status !== 'created' || !isAlive(view.state)) {
    throw new ConflictError(`container ${view.record.name} cannot be started: it is ${view.status}`);
  }
  const state = view.state;
  startWithNetwork(ctx, view, () => {
    try {
      trace('start: releasing init');
      // Said before the release: a short-lived container's monitor records its "die" at once.
      if (!view.record.builder) containerEvent(ctx, view.record, 'start');
      ctx.native().startContainer(p.execFifo, state.pid, START_TIMEOUT_MS);
      trace('start: exec done');
    } catch (err) {
      throw execErrorFrom(err);
    } finally {
      fs.rmSync(p.execFifo, { force: true });
    }
  });
  if (!view.state.startedAt) {
    view.state.startedAt = new Date().toISOString();
    writeJsonAtomic(p.state, view.state, 0o600, false);
  }
  view.status = 'running';
  notifyStarted(ctx, view);
}

export interface AttachIO {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Terminal size to pass on, and a way to hear about changes. */
  terminalSize?: () => { rows: number; cols: number } | undefined;
  onResize?: (fn: () => void) => void;
  /**
   * Calls `end` when our output lost its reader (`husk run ... | head -1`);
   * returns the way to stop. The session then ends as a detach would, or as
   * the exit if that came first (run --rm still removes its container).
   */
  onOutputGone?: (end: () => void) => () => void;
}

export interface SessionOptions {
  sigProxy: boolean;
  /** The key sequence that detaches a terminal session (ctrl-p,ctrl-q by default); empty: none. */
  detachKeys?: Buffer;
  /** Forward stdin (when the container keeps it open). */
  stdin?: boolean;
}

/** What a foreground session ended with: the container's exit code, or a detach. */
export type SessionEnd = { exitCode: number } | { detached: true };

/**
 * Runs a created container in the foreground: attach, start, stream, and
 * return its exit code. With autoRemove the container is removed here, not
 * by the monitor's cleanup (which the monitor is told to skip; a detach
 * hands it back).
 */
export async function runAttached(ctx: Context, view: ContainerView, io: AttachIO, opts: SessionOptions): Promise<SessionEnd> {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  const session = new Session(view, io, opts);
  const client =
    view.attachFd !== undefined
      ? AttachClient.fromFd(view.attachFd, session.handlers)
      : await AttachClient.connect(p.attach, session.handlers).catch(async (err: Error) => {
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
    if (view.record.autoRemove) {
      // A start that failed before the exec (its network, say) leaves the init waiting: kill it too.
      if (view.state && isAlive(view.state)) await removeContainer(ctx, view, true);
      else removeAfterExit(ctx, view);
    }
    throw err;
  }
  const end = await session.run(client);
  trace('attach: exit received');
  if ('detached' in end) return end;
  if (view.record.autoRemove) removeAfterExit(ctx, view);
  trace('run: removed');
  return end;
}

/** `attach`: the session of a running container, until it exits or the user detaches. */
export async function attachContainer(ctx: Context, view: ContainerView, io: AttachIO, opts: SessionOptions): Promise<SessionEnd> {
  if (view.status !== 'running' || !view.state || !isAlive(view.state)) {
    throw new ConflictError(`can only attach to running containers: ${view.record.name} is ${view.status}`);
  }
  refuseIfPaused(view, 'attach to it');
  const session = new Session(view, io, opts);
  const client = await AttachClient.connect(new ContainerStore(ctx).paths(view.record.id).attach, session.handlers).catch((err: Error) => {
    throw new HuskError(`attaching to container ${view.record.name}: ${err.message}`);
  });
  return session.run(client);
}

/** One foreground session: output to our streams, stdin and terminal size to the container. */
class Session {
  private exitCode?: number;
  private detached = false;
  private client?: AttachClient;
  private closedResolve!: () => void;
  private readonly closed = new Promise<void>((r) => (this.closedResolve = r));
  readonly handlers;

  constructor(
    private readonly view: ContainerView,
    private readonly io: AttachIO,
    private readonly opts: SessionOptions,
  ) {
    this.handlers = {
      stdout: (d: Buffer) => io.stdout.write(d),
      stderr: (d: Buffer) => io.stderr.write(d),
      exit: (code: number) => {
        this.exitCode = code;
        this.client?.close();
      },
      closed: () => this.closedResolve(),
    };
  }

  async run(client: AttachClient): Promise<SessionEnd> {
    this.client = client;
    // Wired after the start, while the container already runs: nothing is
    // lost (stdin waits in its pipe, the terminal size was set at create).
    const restore = this.wireStdin(client);
    if (this.view.record.tty) {
      const resize = () => {
        const s = this.io.terminalSize?.();
        if (s) client.resize(s.rows, s.cols);
      };
      resize(); // a terminal other than the one at create time (start -a, attach)
      this.io.onResize?.(resize);
    }
    const unproxy = this.opts.sigProxy && !this.view.record.tty && this.view.state ? proxySignals(this.view.state.pid) : () => {};
    const unwatch = this.io.onOutputGone?.(() => this.leave()) ?? (() => {});
    await this.closed;
    unwatch();
    restore();
    unproxy();
    if (this.detached) return { detached: true };
    if (this.exitCode === undefined) {
      throw new HuskError(`lost the connection to container ${this.view.record.name} before it exited`);
    }
    return { exitCode: this.exitCode };
  }

  /** Ends the session as a detach does; after the exit it is the exit. */
  private leave(): void {
    if (this.exitCode === undefined) this.detached = true;
    this.client?.close();
  }

  private wireStdin(client: AttachClient): () => void {
    // As docker: stdin is forwarded only with -i; -t alone gives a terminal for output.
    if (!this.view.record.openStdin || this.opts.stdin === false) return () => {};
    const stdin = this.io.stdin;
    if (!stdin) return () => {};
    const raw = this.view.record.tty && stdin.isTTY && stdin.setRawMode;
    if (raw) stdin.setRawMode!(true);
    // The detach keys are looked for in what a terminal types.
    const keys = this.view.record.tty && this.opts.detachKeys?.length ? new DetachKeys(this.opts.detachKeys) : undefined;
    const onData = (d: Buffer) => {
      if (!keys) return client.sendStdin(d);
      const { pass, detach } = keys.feed(d);
      if (pass.length) client.sendStdin(pass);
      if (detach) this.leave();
    };
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
}

/** Finds the detach sequence in typed input; bytes that may start it are held back until they do or do not. */
export class DetachKeys {
  private held: number[] = [];

  constructor(private readonly seq: Buffer) {}

  feed(chunk: Buffer): { pass: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      this.held.push(b);
      if (this.held.length === this.seq.length && this.held.every((x, i) => x === this.seq[i])) return { pass: Buffer.from(out), detach: true };
      // Keep the longest tail of what is held that is still a start of the sequence.
      while (this.held.length && !this.held.every((x, i) => x === this.seq[i])) out.push(this.held.shift()!);
    }
    return { pass: Buffer.from(out), detach: false };
  }
}

const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** "ctrl-p,ctrl-q" (docker's default, when not given), "ctrl-a,d", ...: the bytes typed. "" detaches never. */
export function parseDetachKeys(text: string = DEFAULT_DETACH_KEYS): Buffer {
  if (text === '') return Buffer.alloc(0);
  return Buffer.from(
    text.split(',').map((k) => {
      const ctrl = /^ctrl-([a-z@[\\\]^_])$/i.exec(k);
      if (ctrl) return ctrl[1]!.toUpperCase().charCodeAt(0) & 0x1f;
      if (k.length === 1) return k.charCodeAt(0);
      throw new UsageError(`invalid detach keys "${text}": use keys such as ctrl-p,ctrl-q, a letter, or ctrl- with a-z, @, [, \\, ], ^ or _`);
    }),
  );
}

