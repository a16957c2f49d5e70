// --sdnotify: telling systemd (a Type=notify unit) that the container is up.
// Which process is the service's: husk run exits, the monitor stays, so
// MAINPID names the monitor at every start; READY=1 comes from husk itself
// once the container runs (conmon, podman's name for its monitor), from the
// container through its monitor (container: relayed by husk-monitor, see
// addon/monitor/notify.cc), or once the healthcheck first passes (healthy).
import type { Context } from '../core/context.js';
import { HuskError, UsageError } from '../core/errors.js';
import { ContainerStore, type ContainerView, type SdNotify } from '../runtime/container-store.js';
import { readHealth } from './health.js';
import { sleep } from './stop.js';

export const SDNOTIFY_MODES: SdNotify['mode'][] = ['container', 'conmon', 'healthy', 'ignore'];

/**
 * --sdnotify MODE with the NOTIFY_SOCKET of the command. Without the flag,
 * podman's default: container, which matters only under a NOTIFY_SOCKET.
 */
export function parseSdNotify(mode: string | undefined, notifySocket: string | undefined): SdNotify | undefined {
  if (mode === undefined) return notifySocket ? { mode: 'container', socket: notifySocket } : undefined;
  if (!SDNOTIFY_MODES.includes(mode as SdNotify['mode'])) throw new UsageError(`invalid --sdnotify "${mode}": use ${SDNOTIFY_MODES.join(', ')}`);
  return { mode: mode as SdNotify['mode'], ...(notifySocket ? { socket: notifySocket } : {}) };
}

/** After each start: MAINPID (the monitor), and READY=1 too for conmon. A message that cannot go is a warning, as podman's. */
export function notifyStarted(ctx: Context, view: ContainerView): void {
  const n = view.record.sdNotify;
  if (!n?.socket || n.mode === 'ignore' || !view.state) return;
  send(ctx, n.socket, n.mode === 'conmon' ? `MAINPID=${view.state.monitorPid}\nREADY=1` : `MAINPID=${view.state.monitorPid}`);
}

/**
 * --sdnotify=healthy: waits for the first passing healthcheck (the monitor
 * runs them), then READY=1. A container that stops first is an error: the
 * unit's start fails, as it should.
 */
export async function notifyWhenHealthy(ctx: Context, view: ContainerView, intervalMs = 250): Promise<void> {
  const n = view.record.sdNotify;
  if (n?.mode !== 'healthy' || !n.socket) return;
  const store = new ContainerStore(ctx);
  for (;;) {
    const now = store.view(view.record.id);
    if (!now || now.status !== 'running') throw new HuskError(`container ${view.record.name} stopped before its healthcheck passed: READY=1 was not sent`);
    if (readHealth(ctx, now)?.Status === 'healthy') break;
    await sleep(intervalMs);
  }
  send(ctx, n.socket, 'READY=1');
}

function send(ctx: Context, socket: string, message: string): void {
  try {
    ctx.native().sdNotify(socket, message);
  } catch (err) {
    ctx.ui.progress(`WARNING: notifying systemd at ${socket}: ${(err as Error).message}`);
  }
}
