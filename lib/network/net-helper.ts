// husk-net forward: the one small process per started container that binds
// its published ports on the host, runs its outbound helper (pasta or
// slirp4netns) and relays connections into the container's namespace. It
// lives exactly as long as the container's init (it watches a pidfd), and
// until husk says "go" it also dies with husk: a start that fails or is
// killed leaves no forwarder behind.
import fs from 'node:fs';
import type { Context } from '../core/context.js';
import type { PortMapping } from '../core/network.js';
import { HuskError } from '../core/errors.js';
import { netHelperPath } from '../native/binding.js';
import type { NsTarget } from './nsexec.js';

export interface ForwardPlan {
  /** The container's init, whose exit ends the helper. */
  initPid: number;
  /** The container's run dir: only shown in its command line, for ps and pgrep. */
  container: string;
  /** Where connections to the container are made from. */
  target: NsTarget;
  /** Each published port with the address it is relayed to in `target`. */
  publish: Array<{ port: PortMapping; targetIp: string }>;
  /** pasta or slirp4netns: argv (absolute program path first); readyFdArg: slirp4netns's --ready-fd. */
  outbound?: { argv: string[]; readyFdArg: boolean };
}

export interface StartedHelper {
  pid: number;
  /** The host port of each published port, as bound (0 asked: the kernel's choice). */
  hostPorts: number[];
  /** The container runs: the helper no longer dies with husk. */
  commit(): void;
  /** The start failed: the helper goes (and its outbound helper with it), committed or not. */
  abandon(): void;
}

/** Long enough for pasta's or slirp4netns's own setup on a loaded machine. */
const READY_TIMEOUT_MS = 20_000;

const hostAddress = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip);

export function forwardArgs(plan: ForwardPlan): string[] {
  const args = [netHelperPath(), 'forward', '--container', plan.container, '--pid', String(plan.initPid), '--ready-fd', '3'];
  if (plan.target.userns) args.push('--userns', plan.target.userns);
  if (plan.target.netns) args.push('--netns', plan.target.netns);
  for (const { port, targetIp } of plan.publish) {
    args.push('--publish', `${port.protocol}:${hostAddress(port.hostIp)}:${port.hostPort}:${hostAddress(targetIp)}:${port.containerPort}`);
  }
  if (plan.outbound) {
    if (plan.outbound.readyFdArg) args.push('--outbound-fd-arg');
    args.push('--outbound', '--', ...plan.outbound.argv);
  }
  return args;
}

export function startNetHelper(ctx: Context, plan: ForwardPlan, logPath: string): StartedHelper {
  const native = ctx.native();
  const { pid, fd } = native.spawnHelper(forwardArgs(plan), { stderrPath: logPath });
  const close = () => {
    try {
      fs.closeSync(fd);
    } catch {
      /* closed already */
    }
  };
  let line: string;
  try {
    line = native.readLine(fd, READY_TIMEOUT_MS);
  } catch (err) {
    close();
    killQuietly(pid);
    throw new HuskError(`setting up the container's network: husk-net did not answer (${(err as Error).message})`);
  }
  if (!line.startsWith('ok')) {
    close();
    const why = line.replace(/^error\s*/, '') || `husk-net exited without an answer (see ${logPath})`;
    throw new HuskError(friendlyHelperError(why));
  }
  const hostPorts = line.split(/\s+/).slice(1).map(Number);
  return {
    pid,
    hostPorts,
    commit: () => {
      try {
        fs.writeSync(fd, 'go\n');
      } catch {
        // EPIPE: the container's program already exited, and husk-net with it.
      }
      close();
    },
    abandon: () => {
      close();
      killQuietly(pid);
    },
  };
}

/** husk-net's "publish tcp 0.0.0.0:8080: Address already in use" as users know it. */
function friendlyHelperError(why: string): string {
  const inUse = /^publish (\w+) (\S+): Address already in use/.exec(why);
  if (inUse) return `cannot publish ${inUse[2]}/${inUse[1]}: the address is already in use on the host`;
  const denied = /^publish (\w+) (\S+):(\d+): Permission denied/.exec(why);
  if (denied) return `cannot publish ${denied[2]}:${denied[3]}/${denied[1]}: ports below net.ipv4.ip_unprivileged_port_start need root`;
  return `setting up the container's network: ${why}`;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/**
 * A husk-net a killed start left behind for this same init (committed, the
 * start never done): it holds the ports, so it goes before a new one starts.
 */
export function killStaleHelper(pid: number | undefined): void {
  if (!pid) return;
  try {
    if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('husk-net\0forward')) return;
  } catch {
    return;
  }
  killQuietly(pid);
}
