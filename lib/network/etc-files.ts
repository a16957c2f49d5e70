// The contents of a container's /etc/hosts and /etc/resolv.conf, as podman
// makes them (containers/common libnetwork/etchosts and resolvconf). Pure:
// the caller reads the host's files and writes the results.
import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';
import type { HostEntry } from './mode.js';

/** The names every container gets for the host, as podman and docker desktop give them. */
export const HOST_GATEWAY_NAMES = ['host.containers.internal', 'host.docker.internal'];

/** Where a container's hostname points when it has no address of its own to show (network none, host). */
export const NO_ADDRESS_HOSTNAME_IP = '127.0.1.1';

export interface HostsParams {
  hostname: string;
  containerName: string;
  shortId: string;
  /** This container's aliases on its networks. */
  aliases: string[];
  /** Its addresses on its networks (IPv4 and IPv6); none for pasta, slirp4netns, none, host. */
  ownAddresses: string[];
  /** With no own address: pasta's copy of the host's address, else 127.0.1.1 is used. */
  pastaAddress?: string;
  /** Other containers on the same networks: their addresses with name, aliases and short id. */
  peers: Array<{ ip: string; names: string[] }>;
  /** --add-host; an IP of "host-gateway" is replaced by hostGateway. */
  addHosts: HostEntry[];
  /** The address where the container reaches the host: host.containers.internal and host.docker.internal. */
  hostGateway?: string;
  /** The host's /etc/hosts, for --network host: its entries follow --add-host's. */
  baseHosts?: string;
}

/**
 * /etc/hosts in podman's order: --add-host entries first, then baseHosts'
 * entries (comments and blank lines dropped), then what husk adds:
 * localhost (127.0.0.1 and ::1), host.containers.internal and
 * host.docker.internal, the container's own addresses with its hostname,
 * name, short id and aliases, and its peers. A name given by --add-host or
 * baseHosts is left out of what husk adds (the user's entries win; a name
 * with no line of its own left is not written), as podman does; unlike
 * podman, husk also lists peers (podman leaves them to its DNS server) and
 * the short id.
 */
export function hostsFile(p: HostsParams): string {
  const user: Array<{ ip: string; names: string[] }> = p.addHosts.map((e) => ({ ip: resolvedHostIp(e, p.hostGateway), names: [e.name] }));
  user.push(...parseHosts(p.baseHosts ?? ''));
  const taken = new Set(user.flatMap((e) => e.names));

  const own = p.ownAddresses.length ? p.ownAddresses : [p.pastaAddress ?? NO_ADDRESS_HOSTNAME_IP];
  const ownNames = unique([p.hostname, p.containerName, p.shortId, ...p.aliases].filter(Boolean));
  const generated = [
    { ip: '127.0.0.1', names: ['localhost'] },
    { ip: '::1', names: ['localhost'] },
    ...(p.hostGateway ? [{ ip: p.hostGateway, names: HOST_GATEWAY_NAMES }] : []),
    ...own.map((ip) => ({ ip, names: ownNames })),
    ...p.peers.map((peer) => ({ ip: peer.ip, names: unique(peer.names) })),
  ];
  const lines = user.map((e) => line(e.ip, e.names));
  for (const e of generated) {
    const free = e.names.filter((n) => !taken.has(n));
    if (free.length) lines.push(line(e.ip, free));
  }
  return lines.join('');
}

/** An --add-host entry's address, host-gateway replaced; an error when the host cannot be reached. */
function resolvedHostIp(e: HostEntry, hostGateway: string | undefined): string {
  if (e.ip !== 'host-gateway') return e.ip;
  if (!hostGateway) throw new UsageError(`--add-host ${e.name}:host-gateway: this network has no address where the container reaches the host`);
  return hostGateway;
}

/** Entries of a hosts file: comments cut, lines of an address without names skipped. */
function parseHosts(text: string): Array<{ ip: string; names: string[] }> {
  return text.split('\n').flatMap((raw) => {
    const hash = raw.indexOf('#');
    const fields = (hash < 0 ? raw : raw.slice(0, hash)).trim().split(/\s+/);
    return fields.length < 2 ? [] : [{ ip: fields[0]!, names: fields.slice(1) }];
  });
}

function line(ip: string, names: string[]): string {
  return `${ip}\t${names.join(' ')}\n`;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

export interface ResolvConfParams {
  /** The host's /etc/resolv.conf (or what upstreamResolvConfPath() pointed to). */
  hostResolvConf: string;
  /** --dns: replaces every nameserver. */
  dns: string[];
  /** --dns-search: replaces the search list; "." among them means none. */
  dnsSearch: string[];
  /** --dns-option: replaces the options. */
  dnsOptions: string[];
  /** What stands in for a loopback nameserver of the host (pasta's or slirp4netns' DNS forwarder, or the host gateway). */
  loopbackReplacement?: string;
  /** --network host: the host's nameservers as they are, loopback ones included. */
  keepLoopback: boolean;
  /** IPv6 nameservers kept (default true); link-local ones (fe80::1%eth0) never are, their zone means nothing inside. */
  ipv6?: boolean;
}

/**
 * resolv.conf as podman builds it: `nameserver` lines, then one `search`
 * and one `options` line; other lines and comments are not carried over.
 * The host's loopback nameservers (127.0.0.0/8, ::1) cannot be reached from
 * the container's namespace: each is replaced by loopbackReplacement when
 * given, else dropped. --dns, --dns-search and --dns-option replace what the
 * host has. When no nameserver remains the replacement is used if given;
 * otherwise the file has none (podman falls back to Google's 8.8.8.8 and
 * 8.8.4.4; husk sends no queries to a third party the user did not name).
 */
export function resolvConf(p: ResolvConfParams): string {
  const host = parseResolvConf(p.hostResolvConf);
  let nameservers: string[];
  if (p.dns.length) nameservers = [...p.dns];
  else if (p.keepLoopback) nameservers = host.nameservers;
  else {
    nameservers = host.nameservers.flatMap((ns) => {
      if (isLoopback(ns)) return p.loopbackReplacement ? [p.loopbackReplacement] : [];
      if (ns.includes('%')) return [];
      if (p.ipv6 === false && isIP(ns) === 6) return [];
      return [ns];
    });
    if (nameservers.length === 0 && p.loopbackReplacement) nameservers = [p.loopbackReplacement];
  }
  const search = p.dnsSearch.length ? (p.dnsSearch.includes('.') ? [] : p.dnsSearch) : host.search;
  const options = p.dnsOptions.length ? p.dnsOptions : host.options;
  const lines = unique(nameservers).map((ns) => `nameserver ${ns}\n`);
  if (search.length) lines.push(`search ${search.join(' ')}\n`);
  if (options.length) lines.push(`options ${options.join(' ')}\n`);
  return lines.join('');
}

/**
 * When the host's only nameserver is a local stub (systemd-resolved's
 * 127.0.0.53, NetworkManager's 127.0.0.1), the file that holds the real
 * upstream servers, as podman reads it instead: the caller reads it if it
 * exists and passes it as hostResolvConf.
 */
export function upstreamResolvConfPath(hostResolvConf: string): string | undefined {
  const { nameservers } = parseResolvConf(hostResolvConf);
  if (nameservers.length !== 1) return undefined;
  if (nameservers[0] === '127.0.0.53') return '/run/systemd/resolve/resolv.conf';
  if (nameservers[0] === '127.0.0.1') return '/run/NetworkManager/no-stub-resolv.conf';
  return undefined;
}

/** nameserver lines in order, the last search (or domain) line, every options line. */
function parseResolvConf(text: string): { nameservers: string[]; search: string[]; options: string[] } {
  const out = { nameservers: [] as string[], search: [] as string[], options: [] as string[] };
  for (const raw of text.split('\n')) {
    const fields = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (fields.length < 2) continue;
    const [key, ...rest] = fields as [string, ...string[]];
    if (key === 'nameserver' && isIP(rest[0]!.replace(/%.*$/, '')) !== 0) out.nameservers.push(rest[0]!);
    else if (key === 'search' || key === 'domain') out.search = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || /^(0{0,4}:){2,7}0{0,3}1$/.test(ip) || /^::ffff:127\./i.test(ip);
}
