// The rootless network namespace: one user + network namespace per user
// that holds the bridges of user networks, so that rootless containers on
// one network reach each other (as podman's rootless netns). No daemon keeps
// it: `husk-net hold` holds it while some container it watches lives, and
// leaves with the last one. Containers on user networks are made in its user
// namespace (the same id mapping as every container), so the namespace's
// owner can plug their veths in.
//
// Races: a husk that found the holder keeps holder.lock shared until the
// holder watches its container; the holder exits only when it can take that
// lock exclusively with nothing left to watch.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import { HuskError } from '../core/errors.js';
import { pidRunning, procStartTime } from '../runtime/container-store.js';
import { mkdirPrivate, writeJsonAtomic } from '../storage/atomic.js';
import { withLockSync } from '../storage/lock.js';
import { netHelperPath } from '../native/binding.js';
import { namespacesOf, runIn, type NsTarget } from './nsexec.js';
import { outboundCandidates, pastaArgv, slirpArgv } from './outbound.js';

export interface RootlessNetns {
  pid: number;
  namespaces: NsTarget;
}

interface HolderRecord {
  pid: number;
  startTime: string;
}

const READY_TIMEOUT_MS = 20_000;

function paths(ctx: Context) {
  const dir = path.join(ctx.paths.runRoot, 'netns');
  return { dir, record: path.join(dir, 'holder.json'), socket: path.join(dir, 'holder.sock'), lock: path.join(dir, 'holder.lock'), setup: path.join(dir, 'setup.lock'), log: path.join(dir, 'holder.log') };
}

/**
 * The holder, if one serves now. It unlinks its socket (then exits) only
 * while it holds holder.lock exclusively: under our shared lock, a socket
 * that exists belongs to a holder that stays. Its pid alone is not enough:
 * an exiting holder lingers as a zombie with the same start time.
 */
function liveHolder(p: ReturnType<typeof paths>): HolderRecord | undefined {
  try {
    const rec = JSON.parse(fs.readFileSync(p.record, 'utf8')) as HolderRecord;
    return fs.existsSync(p.socket) && pidRunning(rec.pid) && procStartTime(rec.pid) === rec.startTime ? rec : undefined;
  } catch {
    return undefined;
  }
}

let current: RootlessNetns | undefined;

/** The holder this process found or started (inside joinRootlessNetns). */
export function rootlessNetns(ctx: Context): RootlessNetns {
  if (current) return current;
  const rec = liveHolder(paths(ctx));
  if (!rec) throw new HuskError('the rootless network namespace is gone: start the container again');
  return (current = { pid: rec.pid, namespaces: namespacesOf(rec.pid, true) });
}

/** The rootless network namespace, if a holder keeps one now. */
export function liveRootlessNetns(ctx: Context): RootlessNetns | undefined {
  const rec = liveHolder(paths(ctx));
  return rec && { pid: rec.pid, namespaces: namespacesOf(rec.pid, true) };
}

/**
 * Runs `spawn` (which makes the container's init in the holder's user
 * namespace) with the holder kept alive, then has the holder watch the init.
 */
export function joinRootlessNetns<T extends { pid: number }>(ctx: Context, spawn: (ns: RootlessNetns) => T): T {
  const p = paths(ctx);
  mkdirPrivate(p.dir);
  return withLockSync(p.lock, () => {
    const ns = withLockSync(p.setup, () => ensureHolder(ctx));
    current = ns;
    const result = spawn(ns);
    const answer = ctx.native().unixRequest(p.socket, `watch ${result.pid}`, READY_TIMEOUT_MS);
    if (answer !== 'ok') throw new HuskError(`the rootless network namespace refused the container: ${answer}`);
    return result;
  }, false);
}

function ensureHolder(ctx: Context): RootlessNetns {
  const p = paths(ctx);
  const live = liveHolder(p);
  if (live) return { pid: live.pid, namespaces: namespacesOf(live.pid, true) };
  const userns = ctx.userns();
  const args = [netHelperPath(), 'hold', '--socket', p.socket, '--lock', p.lock, '--ready-fd', '3'];
  if (userns) {
    args.push('--uidmap', userns.uidMappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}`).join(' '));
    args.push('--gidmap', userns.gidMappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}`).join(' '));
    if (userns.helpers) args.push('--newuidmap');
  }
  // The holder puts its own pid in place of {pid}: the program joins its namespaces.
  const outbound = outboundCandidates()[0]!;
  if (outbound.kind === 'slirp4netns') args.push('--outbound-fd-arg', '--outbound', '--', ...slirpArgv(outbound.program, '{pid}', [], true));
  else args.push('--outbound', '--', ...pastaArgv(outbound.program, '{pid}', [], path.join(p.dir, 'pasta.pid')));
  const { pid, fd } = ctx.native().spawnHelper(args, { stderrPath: p.log });
  let line: string;
  try {
    line = ctx.native().readLine(fd, READY_TIMEOUT_MS);
  } finally {
    fs.closeSync(fd);
  }
  if (!line.startsWith('ok')) throw new HuskError(`cannot make the rootless network namespace: ${line.replace(/^error\s*/, '') || `see ${p.log}`}`);
  const startTime = procStartTime(pid);
  if (!startTime) throw new HuskError(`the rootless network namespace's holder exited at once: see ${p.log}`);
  writeJsonAtomic(p.record, { pid, startTime } satisfies HolderRecord, 0o600, false);
  const ns = { pid, namespaces: namespacesOf(pid, true) };
  // Routing between its bridges and out through pasta or slirp4netns.
  runIn(ns.namespaces, ['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'], 'turning on forwarding in the rootless network namespace');
  return ns;
}
