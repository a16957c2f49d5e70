// Checks of create options that more than one front end shares: the flags
// of run and create, and the keys of a compose file.
import fs from 'node:fs';
import { UsageError } from '../core/errors.js';
import type { SecurityOptions } from './create.js';
import type { RestartPolicy } from '../runtime/container-store.js';

export function parseSecurityOpts(opts: string[]): SecurityOptions {
  const sec: SecurityOptions = { seccomp: 'default', noNewPrivileges: false };
  for (const o of opts) {
    const [key, value] = o.includes('=') ? [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)] : o.split(':', 2);
    if (key === 'no-new-privileges') {
      if (value !== undefined && value !== 'true' && value !== 'false') throw new UsageError(`invalid --security-opt "${o}": no-new-privileges takes true or false`);
      sec.noNewPrivileges = value !== 'false';
    } else if (key === 'seccomp' && value) {
      if (value === 'unconfined') sec.seccomp = 'unconfined';
      else {
        if (!fs.existsSync(value)) throw new UsageError(`invalid --security-opt "${o}": seccomp profile ${value} does not exist`);
        sec.seccomp = { file: value };
      }
    } else if (key === 'label' || key === 'apparmor' || key === 'mask' || key === 'unmask') {
      // SELinux and AppArmor do not exist on this kind of host; accepted for compatibility.
    } else {
      throw new UsageError(`invalid --security-opt "${o}": use seccomp=unconfined, seccomp=PROFILE.json or no-new-privileges`);
    }
  }
  return sec;
}

/** --restart no | on-failure[:N] | always | unless-stopped, as docker; none with --rm. */
export function parseRestartPolicy(text: string | undefined, autoRemove: boolean): RestartPolicy | undefined {
  if (text === undefined || text === '' || text === 'no') return undefined;
  const m = /^(on-failure|always|unless-stopped)(?::(\d+))?$/.exec(text);
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure')) {
    throw new UsageError(`invalid --restart "${text}": use no, on-failure[:MAX-RETRIES], always or unless-stopped`);
  }
  if (autoRemove) throw new UsageError('--restart and --rm cannot be used together');
  return { name: m[1] as RestartPolicy['name'], maxRetries: m[2] === undefined ? undefined : Number(m[2]) };
}
