// Running iproute2 and nftables in a network namespace: the host's (root),
// a container's, or the rootless network namespace's. nsenter joins the
// user namespace first, which its owner (this user) may do; inside it the
// process has the capabilities the commands need.
import { lazyChildProcess } from '../core/lazy.js';
import { HuskError } from '../core/errors.js';
import { findProgram } from './outbound.js';

/** Namespace files to enter; none: the current ones. */
export interface NsTarget {
  userns?: string;
  netns?: string;
}

export const hostNamespaces: NsTarget = {};

/** Namespaces of a process, by pid, as /proc names them. */
export function namespacesOf(pid: number, withUser: boolean): NsTarget {
  return { netns: `/proc/${pid}/ns/net`, ...(withUser ? { userns: `/proc/${pid}/ns/user` } : {}) };
}

/**
 * The programs by absolute path: found where findProgram() looks (sbin
 * included), not only on a PATH without sbin (a user's), where nsenter
 * would not find nft.
 */
function argvIn(target: NsTarget, argv: string[]): string[] {
  const [prog, ...rest] = argv;
  argv = [findProgram(prog!) ?? prog!, ...rest];
  if (!target.userns && !target.netns) return argv;
  const enter = [findProgram('nsenter') ?? 'nsenter'];
  if (target.userns) enter.push(`--user=${target.userns}`, '--preserve-credentials');
  if (target.netns) enter.push(`--net=${target.netns}`);
  return [...enter, '--', ...argv];
}

/** Runs argv in `target`; a failure becomes one line naming what was done. */
export function runIn(target: NsTarget, argv: string[], what: string, input?: string): string {
  const [cmd, ...args] = argvIn(target, argv);
  const r = lazyChildProcess().spawnSync(cmd!, args, { input, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new HuskError(`${what}: ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const detail = (r.stderr || r.stdout).trim().split('\n').filter(Boolean).pop() ?? `exit ${r.status}`;
    throw new HuskError(`${what}: ${detail}`);
  }
  return r.stdout;
}

/** Several `ip` commands in one process (`ip -batch`). */
export function ipBatch(target: NsTarget, lines: string[], what: string): void {
  if (lines.length) runIn(target, ['ip', '-batch', '-'], what, lines.join('\n') + '\n');
}

/** Whether an interface exists in `target`. */
export function linkExists(target: NsTarget, name: string): boolean {
  const [cmd, ...args] = argvIn(target, ['ip', 'link', 'show', 'dev', name]);
  return lazyChildProcess().spawnSync(cmd!, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;
}
