// --ulimit TYPE=SOFT[:HARD] (docker's names: nofile, nproc, core, ...) as
// the OCI spec's process.rlimits.
import type { Rlimit } from '../core/oci-spec.js';
import { UsageError } from '../core/errors.js';

const NAMES: Record<string, string> = {
  as: 'RLIMIT_AS', core: 'RLIMIT_CORE', cpu: 'RLIMIT_CPU', data: 'RLIMIT_DATA', fsize: 'RLIMIT_FSIZE',
  locks: 'RLIMIT_LOCKS', memlock: 'RLIMIT_MEMLOCK', msgqueue: 'RLIMIT_MSGQUEUE', nice: 'RLIMIT_NICE',
  nofile: 'RLIMIT_NOFILE', nproc: 'RLIMIT_NPROC', rss: 'RLIMIT_RSS', rtprio: 'RLIMIT_RTPRIO',
  rttime: 'RLIMIT_RTTIME', sigpending: 'RLIMIT_SIGPENDING', stack: 'RLIMIT_STACK',
};

/** "-1" and "unlimited": no limit (the addon reads 2^64 as RLIM_INFINITY). */
const UNLIMITED = 2 ** 64;

export function parseUlimit(spec: string): Rlimit {
  const m = /^([a-z]+)=(-?\d+|unlimited)(?::(-?\d+|unlimited))?$/.exec(spec);
  const type = m ? NAMES[m[1]!] : undefined;
  if (!m || !type) throw new UsageError(`invalid --ulimit "${spec}": give TYPE=SOFT[:HARD], TYPE one of ${Object.keys(NAMES).join(', ')}`);
  const value = (v: string) => (v === 'unlimited' || v === '-1' ? UNLIMITED : Number(v));
  const soft = value(m[2]!);
  const hard = m[3] === undefined ? soft : value(m[3]);
  if (soft < 0 || hard < 0 || soft > hard) throw new UsageError(`invalid --ulimit "${spec}": the soft limit must be at most the hard one`);
  return { type, soft, hard };
}
