// The open files a container's process gets from husk's caller, at fds 3
// and up: `run --preserve-fds N` / `exec --preserve-fds N`, or systemd's
// socket activation, where a unit's sockets arrive as LISTEN_FDS fds from 3
// on and the container's server takes them over (podman does the same).
import fs from 'node:fs';
import { UsageError } from '../core/errors.js';

export interface PassedFds {
  /** fds 3 .. 2+count go to the process as they are. */
  count: number;
  /** LISTEN_* for the process (LISTEN_PID is its own pid, 1), when activated. */
  env: string[];
}

export function passedFds(preserveFds: number | undefined, env: NodeJS.ProcessEnv = process.env, pid = process.pid): PassedFds {
  if (preserveFds !== undefined && (!Number.isInteger(preserveFds) || preserveFds < 0)) {
    throw new UsageError(`invalid --preserve-fds "${preserveFds}": give a number of file descriptors (0 or more)`);
  }
  const activation = socketActivation(env, pid);
  const count = preserveFds || activation?.fds || 0;
  for (let fd = 3; fd < 3 + count; fd++) {
    try {
      fs.fstatSync(fd);
    } catch {
      const from = preserveFds ? `--preserve-fds ${count}` : `LISTEN_FDS=${count}`;
      throw new UsageError(`file descriptor ${fd} is not open: ${from} passes 3 to ${2 + count} on, each must be open`);
    }
  }
  return { count, env: activation?.env ?? [] };
}

/**
 * systemd's variables, when they are meant for this very process: sd_listen_fds
 * checks LISTEN_PID, as a child that inherited them has other fds at 3.
 */
function socketActivation(env: NodeJS.ProcessEnv, pid: number): { fds: number; env: string[] } | undefined {
  if (env.LISTEN_FDS === undefined || env.LISTEN_PID !== String(pid)) return undefined;
  const fds = Number(env.LISTEN_FDS);
  if (!/^\d+$/.test(env.LISTEN_FDS) || fds > 1024) throw new UsageError(`invalid LISTEN_FDS "${env.LISTEN_FDS}" in the environment: a number of file descriptors`);
  const names = env.LISTEN_FDNAMES === undefined ? [] : [`LISTEN_FDNAMES=${env.LISTEN_FDNAMES}`];
  return { fds, env: ['LISTEN_PID=1', `LISTEN_FDS=${fds}`, ...names] };
}
