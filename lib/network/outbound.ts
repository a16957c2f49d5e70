// The programs that give a rootless network namespace its way out: pasta
// (passt), else slirp4netns. Both need /dev/net/tun. Chosen per start, and
// reported by `husk info`.
import fs from 'node:fs';
import path from 'node:path';
import { HuskError } from '../core/errors.js';

export type OutboundKind = 'pasta' | 'slirp4netns';

/** slirp4netns's fixed addresses (its default --cidr 10.0.2.0/24). */
export const SLIRP = { ip: '10.0.2.100', gateway: '10.0.2.2', dns: '10.0.2.3', prefixLen: 24 };

const SEARCH = ['/usr/local/bin', '/usr/bin', '/bin', '/usr/local/sbin', '/usr/sbin', '/sbin'];

/** A program's absolute path, from $PATH and the usual directories. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter((d) => d.startsWith('/')), ...SEARCH];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Why /dev/net/tun cannot be used, or undefined when it can. */
export function tunProblem(): string | undefined {
  try {
    fs.closeSync(fs.openSync('/dev/net/tun', 'r+'));
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return '/dev/net/tun does not exist (load the tun module: modprobe tun)';
    return `/dev/net/tun cannot be opened (${code}): make it mode 0666 (chmod 0666 /dev/net/tun)`;
  }
}

export interface OutboundChoice {
  kind: OutboundKind;
  program: string;
  /** Why this one (for husk info). */
  reason: string;
}

/** What outboundCandidates looks at: the host, unless a test says otherwise. */
export interface HostTools {
  find: (name: string) => string | undefined;
  tunProblem: () => string | undefined;
}

const HOST_TOOLS: HostTools = { find: findProgram, tunProblem };

/** Every usable outbound program, best first; throws one line naming what is missing. */
export function outboundCandidates(wanted?: OutboundKind, host: HostTools = HOST_TOOLS): OutboundChoice[] {
  const tun = host.tunProblem();
  if (tun) throw new HuskError(`the container cannot get a network: ${tun}; or use --network none`);
  const pasta = host.find('pasta');
  const slirp = host.find('slirp4netns');
  const all: OutboundChoice[] = [];
  if (pasta && wanted !== 'slirp4netns') all.push({ kind: 'pasta', program: pasta, reason: 'pasta is installed' });
  if (slirp && wanted !== 'pasta') all.push({ kind: 'slirp4netns', program: slirp, reason: pasta ? 'pasta failed or was not asked for' : 'pasta is not installed' });
  if (all.length === 0) {
    const missing = wanted === 'slirp4netns' ? 'slirp4netns is not installed (Debian: apt-get install slirp4netns)'
      : wanted === 'pasta' ? 'pasta is not installed (Debian: apt-get install passt)'
      : 'neither pasta nor slirp4netns is installed (Debian: apt-get install passt, or slirp4netns)';
    throw new HuskError(`the container cannot get a network: ${missing}; or use --network none`);
  }
  return all;
}

/**
 * pasta, in the foreground, configuring the namespace of `pid` as the
 * host's; it forwards no port itself. Its pid file, written once it is
 * configured, is how husk-net knows it is ready.
 */
export function pastaArgv(program: string, pid: number | '{pid}', options: string[], pidFile: string): string[] {
  return [program, '--config-net', '-f', '-q', '-t', 'none', '-u', 'none', '-T', 'none', '-U', 'none', '-P', pidFile, ...options, String(pid)];
}

/** slirp4netns for the namespace of `pid` (husk-net appends --ready-fd). podman's options, as key=value. */
export function slirpArgv(program: string, pid: number | '{pid}', options: string[], rootless: boolean): string[] {
  const opts = new Map(options.map((o) => [o.split('=')[0]!, o.slice(o.indexOf('=') + 1)]));
  const args = [program, '--configure', `--mtu=${opts.get('mtu') ?? '65520'}`];
  if (opts.get('allow_host_loopback') !== 'true') args.push('--disable-host-loopback');
  if (opts.get('enable_ipv6') === 'true') args.push('--enable-ipv6');
  if (opts.has('cidr')) args.push(`--cidr=${opts.get('cidr')}`);
  if (opts.has('outbound_addr')) args.push(`--outbound-addr=${opts.get('outbound_addr')}`);
  if (opts.has('outbound_addr6')) args.push(`--outbound-addr6=${opts.get('outbound_addr6')}`);
  if (rootless) args.push(`--userns-path=/proc/${pid}/ns/user`);
  args.push('--netns-type=path', `/proc/${pid}/ns/net`, 'tap0');
  return args;
}

/** The host's default IPv4 gateway (pasta maps it to the host), from /proc/net/route. */
export function hostDefaultGateway(): string | undefined {
  try {
    for (const line of fs.readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1] === '00000000' && f[2] && f[2] !== '00000000') {
        const n = parseInt(f[2], 16);
        return [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255].join('.');
      }
    }
  } catch {
    /* no /proc/net/route */
  }
  return undefined;
}
