// `husk unshare`: a command in the user namespace of husk's rootless store
// (uid 0 there is the user, subordinate ids mapped as containers see them),
// to look at or clean up files containers own, as `podman unshare`. Each
// call makes a new namespace with the store's mapping: husk keeps no pause
// process, so mounts made inside do not outlive the command.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lazyChildProcess } from '../core/lazy.js';
import type { Context } from '../core/context.js';
import { EXIT_CANNOT_INVOKE, EXIT_NOT_FOUND, ExecError, HuskError } from '../core/errors.js';
import { usernsHelperPath } from '../native/binding.js';
import { usernsArgs } from '../native/userns-helper.js';
import { liveRootlessNetns } from '../network/rootless-netns.js';
import { findProgram } from '../network/outbound.js';

export interface UnshareOptions {
  /** Also join the rootless network namespace of user networks. */
  rootlessNetns: boolean;
}

/** The program as execvp would find it; said here, the helper's own failure would be a JSON line. */
function resolveProgram(name: string): string {
  const candidates = name.includes('/') ? [name] : (process.env.PATH || '/usr/local/bin:/usr/bin:/bin').split(':').map((d) => path.join(d || '.', name));
  for (const c of candidates) {
    if (!fs.existsSync(c)) continue;
    if (fs.statSync(c).isDirectory()) throw new ExecError(`${name}: permission denied: it is a directory`, EXIT_CANNOT_INVOKE);
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return c;
    } catch {
      throw new ExecError(`${name}: permission denied: cannot execute`, EXIT_CANNOT_INVOKE);
    }
  }
  throw new ExecError(`${name}: executable file not found in $PATH: no such file or directory`, EXIT_NOT_FOUND);
}

/** The argv that enters the namespaces and runs `command`. */
function enterArgv(ctx: Context, program: string, args: string[], opts: UnshareOptions): string[] {
  if (opts.rootlessNetns) {
    const ns = liveRootlessNetns(ctx);
    if (!ns) throw new HuskError('there is no rootless network namespace now: husk keeps one only while a container on a user network (husk network create) runs');
    // nsenter makes us uid 0 in the namespace's user namespace, as the namespace's owner may.
    return [findProgram('nsenter') ?? 'nsenter', `--user=${ns.namespaces.userns}`, `--net=${ns.namespaces.netns}`, '--', program, ...args];
  }
  return [usernsHelperPath(), ...usernsArgs(ctx.userns()), '--', 'exec', program, ...args];
}

/** Runs the command with the terminal's stdio; returns its exit code (128+N when a signal ended it). */
export function unshare(ctx: Context, command: string[], opts: UnshareOptions): number {
  if (!ctx.rootless) throw new HuskError('please use unshare with rootless');
  const [name, ...args] = command;
  const program = resolveProgram(name!);
  const [cmd, ...rest] = enterArgv(ctx, program, args, opts);
  const env = { ...process.env, CONTAINERS_GRAPHROOT: ctx.paths.dataRoot, CONTAINERS_RUNROOT: ctx.paths.runRoot };
  const r = lazyChildProcess().spawnSync(cmd!, rest, { stdio: 'inherit', env });
  if (r.error) throw new HuskError(`unshare: ${cmd}: ${r.error.message}`);
  if (r.signal) return 128 + (os.constants.signals[r.signal] ?? 0);
  return r.status ?? 125;
}
