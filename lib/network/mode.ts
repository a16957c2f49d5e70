// The networking flags of run and create (--network, --network-alias, --ip,
// --mac-address, --add-host, --no-hosts, --dns*, -p, -P, --expose), checked
// and turned into the record's ContainerNetworkConfig before anything is
// written.
import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';
import { DEFAULT_NETWORK, type ContainerNetworkConfig, type NetworkAttachment, type NetworkMode } from '../core/network.js';
import { parseExpose, parsePublish } from './ports.js';

/** docker's rule for a network's name. */
export const NETWORK_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const NETWORK_FORM = 'use bridge, pasta[:OPTIONS], slirp4netns[:OPTIONS], private, none, host, container:NAME, ns:PATH or network names';

/** slirp4netns:OPTIONS podman knows, and what each takes. */
const SLIRP_OPTIONS: Record<string, (value: string) => boolean> = {
  allow_host_loopback: (v) => v === 'true' || v === 'false',
  enable_ipv6: (v) => v === 'true' || v === 'false',
  cidr: (v) => isCidr4(v),
  mtu: (v) => /^\d+$/.test(v) && Number(v) >= 68 && Number(v) <= 65521,
  outbound_addr: (v) => v !== '' && (isIP(v) === 4 || !v.includes(':')),
  outbound_addr6: (v) => v !== '' && (isIP(v) === 6 || !/[:.]/.test(v)),
  port_handler: (v) => v === 'rootlesskit' || v === 'slirp4netns',
};

export interface NetworkFlags {
  /** --network, repeatable, each a comma-separated list; empty: the default (private). */
  network: string[];
  networkAlias: string[];
  ip?: string;
  mac?: string;
  rootless: boolean;
}

/**
 * --network and the flags that go with it, as one NetworkMode.
 * - `private` (and no --network at all): rootless pasta, as root the default
 *   user network; `bridge` and `default` are the default user network.
 * - `pasta[:OPTS]` and `slirp4netns[:OPTS]`: options split on commas, as
 *   podman; slirp4netns' keys are checked (allow_host_loopback, cidr,
 *   enable_ipv6, mtu, outbound_addr, outbound_addr6, port_handler).
 * - `none`, `host`, `container:NAME|ID`, `ns:/ABSOLUTE/PATH`.
 * - user network names, comma-separated or repeated; each joined once.
 * Only user networks mix: any other mode stands alone. --network-alias, --ip
 * and --mac-address need user networks; the aliases go to every network
 * joined, while --ip and --mac-address need exactly one network (podman puts
 * them on the first, which silently depends on the order of the flags).
 */
export function parseNetworkFlags(flags: NetworkFlags): NetworkMode {
  const values = flags.network.flatMap(splitNetworkValue);
  const modes = values.map((v) => modeOf(v, flags.rootless));
  let mode: NetworkMode;
  if (modes.length === 0) mode = privateMode(flags.rootless);
  else if (modes.every((m) => m.kind === 'bridge')) {
    const networks: NetworkAttachment[] = [];
    for (const m of modes) {
      for (const n of (m as Extract<NetworkMode, { kind: 'bridge' }>).networks) {
        if (networks.some((x) => x.name === n.name)) throw new UsageError(`invalid --network: network "${n.name}" is named more than once`);
        networks.push(n);
      }
    }
    mode = { kind: 'bridge', networks };
  } else {
    const alone = values[modes.findIndex((m) => m.kind !== 'bridge')]!;
    if (modes.length > 1) throw new UsageError(`invalid --network "${values.join(',')}": ${alone} cannot be combined with another network`);
    mode = modes[0]!;
  }
  return withEndpointFlags(mode, flags);
}

/**
 * --network-alias, --ip and --mac-address onto the user networks of `mode`.
 * The aliases are checked as host names (no blanks, no commas).
 */
function withEndpointFlags(mode: NetworkMode, flags: NetworkFlags): NetworkMode {
  const given = [
    flags.networkAlias.length ? '--network-alias' : '',
    flags.ip !== undefined ? '--ip' : '',
    flags.mac !== undefined ? '--mac-address' : '',
  ].filter(Boolean);
  if (given.length === 0) return mode;
  if (mode.kind !== 'bridge') {
    throw new UsageError(`${given.join(', ')} can only be used with user networks (bridge), not with --network ${mode.kind}`);
  }
  for (const a of flags.networkAlias) {
    if (!/^[a-zA-Z0-9_.-]+$/.test(a)) throw new UsageError(`invalid --network-alias "${a}": use letters, digits, '_', '.' and '-'`);
  }
  const ip = flags.ip === undefined ? undefined : checkedIp(flags.ip);
  const mac = flags.mac === undefined ? undefined : checkedMac(flags.mac);
  if ((ip !== undefined || mac !== undefined) && mode.networks.length > 1) {
    throw new UsageError(`--ip and --mac-address need a single network, not ${mode.networks.map((n) => n.name).join(', ')}`);
  }
  return {
    kind: 'bridge',
    networks: mode.networks.map((n) => ({
      ...n,
      aliases: [...new Set([...n.aliases, ...flags.networkAlias])],
      ...(ip !== undefined ? { ip } : {}),
      ...(mac !== undefined ? { mac } : {}),
    })),
  };
}

/** pasta:... and slirp4netns:... keep their commas; anything else is a comma-separated list. */
function splitNetworkValue(value: string): string[] {
  if (/^(pasta|slirp4netns|container|ns):/.test(value)) return [value];
  return value.split(',');
}

function modeOf(value: string, rootless: boolean): NetworkMode {
  const bad = (why: string): never => {
    throw new UsageError(`invalid --network "${value}": ${why}`);
  };
  const colon = value.indexOf(':');
  const kind = colon < 0 ? value : value.slice(0, colon);
  const arg = colon < 0 ? undefined : value.slice(colon + 1);
  switch (kind) {
    case 'pasta':
      if (arg === '') bad('no options after "pasta:"');
      return { kind: 'pasta', options: arg === undefined ? [] : arg.split(',') };
    case 'slirp4netns':
      if (arg === '') bad('no options after "slirp4netns:"');
      return { kind: 'slirp4netns', options: arg === undefined ? [] : arg.split(',').map((o) => checkedSlirpOption(o, bad)) };
    case 'container':
      if (!arg) bad('name the container: container:NAME or container:ID');
      return { kind: 'container', container: arg! };
    case 'ns':
      if (!arg?.startsWith('/')) bad('ns: takes an absolute path to a network namespace, e.g. ns:/run/netns/NAME');
      return { kind: 'ns', path: arg! };
  }
  if (arg !== undefined) bad(NETWORK_FORM);
  switch (value) {
    case 'none':
    case 'host':
      return { kind: value };
    case 'private':
      return privateMode(rootless);
    case 'bridge':
    case 'default':
      return bridge(DEFAULT_NETWORK);
  }
  if (value === '') bad(`empty network name; ${NETWORK_FORM}`);
  if (!NETWORK_NAME_PATTERN.test(value)) bad(`a network name must match [a-zA-Z0-9][a-zA-Z0-9_.-]*; ${NETWORK_FORM}`);
  return bridge(value);
}

function bridge(name: string): NetworkMode {
  return { kind: 'bridge', networks: [{ name, aliases: [] }] };
}

/** The default mode: rootless a namespace of its own through pasta, as root the default user network. */
function privateMode(rootless: boolean): NetworkMode {
  return rootless ? { kind: 'pasta', options: [] } : bridge(DEFAULT_NETWORK);
}

function checkedSlirpOption(option: string, bad: (why: string) => never): string {
  const eq = option.indexOf('=');
  const key = eq < 0 ? option : option.slice(0, eq);
  const check = Object.hasOwn(SLIRP_OPTIONS, key) ? SLIRP_OPTIONS[key] : undefined;
  if (!check) bad(`unknown slirp4netns option "${key}": use ${Object.keys(SLIRP_OPTIONS).join(', ')}`);
  if (eq < 0 || !check!(option.slice(eq + 1))) bad(`invalid slirp4netns option "${option}": ${SLIRP_HINTS[key] ?? 'KEY=VALUE'}`);
  return option;
}

const SLIRP_HINTS: Record<string, string> = {
  allow_host_loopback: 'true or false',
  enable_ipv6: 'true or false',
  cidr: 'an IPv4 CIDR such as 10.0.2.0/24',
  mtu: 'a number from 68 to 65521',
  outbound_addr: 'an IPv4 address or an interface name',
  outbound_addr6: 'an IPv6 address or an interface name',
  port_handler: 'rootlesskit or slirp4netns',
};

function isCidr4(v: string): boolean {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(v);
  return !!m && isIP(m[1]!) === 4 && Number(m[2]) <= 30;
}

/** --ip: an IPv4 or IPv6 literal. */
export function checkedIp(ip: string): string {
  if (isIP(ip) === 0) throw new UsageError(`invalid --ip "${ip}": give an IPv4 or IPv6 address such as 10.88.0.5`);
  return ip;
}

/** --mac-address: six hex pairs separated by colons, a unicast address (lowest bit of the first octet 0); lower-cased. */
export function checkedMac(mac: string): string {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) {
    throw new UsageError(`invalid --mac-address "${mac}": use six hex pairs separated by colons, such as 92:d0:c6:0a:29:33`);
  }
  if (parseInt(mac.slice(0, 2), 16) & 1) throw new UsageError(`invalid --mac-address "${mac}": a multicast address (the first octet is odd); use a unicast one`);
  if (/^00(:00){5}$/.test(mac)) throw new UsageError(`invalid --mac-address "${mac}": the all-zero address cannot be assigned`);
  return mac.toLowerCase();
}

/** One --add-host entry. */
export interface HostEntry {
  name: string;
  /** An IP literal, or "host-gateway": the address where the container reaches the host. */
  ip: string;
}

/**
 * --add-host NAME:IP, or NAME=IP (docker 25). The first separator splits, so
 * IPv6 needs no brackets (`myhost:::1`), though they are taken
 * (`myhost:[::1]`). The IP may be `host-gateway`.
 */
export function parseAddHost(s: string): HostEntry {
  const sep = /[:=]/.exec(s);
  const bad = (why: string): never => {
    throw new UsageError(`invalid --add-host "${s}": ${why}; use NAME:IP (IP may be host-gateway), e.g. db:10.0.0.5 or db:::1`);
  };
  if (!sep) return bad('no IP address');
  const name = s.slice(0, sep.index);
  let ip = s.slice(sep.index + 1);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (name === '') bad('the host name is empty');
  if (/[\s#]/.test(name)) bad(`"${name}" is not a host name`);
  if (ip === '') bad('the IP address is empty');
  if (ip !== 'host-gateway' && isIP(ip) === 0) bad(`"${ip}" is not an IP address`);
  return { name, ip };
}

/** --add-host values, as stored in the record ("NAME:IP"); refused with --no-hosts, as podman does. */
export function parseAddHosts(addHost: string[], noHosts: boolean): string[] {
  if (noHosts && addHost.length) throw new UsageError('--no-hosts and --add-host cannot be set together');
  return addHost.map((s) => {
    const e = parseAddHost(s);
    return `${e.name}:${e.ip}`;
  });
}

export interface DnsFlags {
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
}

/**
 * --dns (IP literals), --dns-search (domains, or `.` for none) and
 * --dns-option (one resolv.conf option each, e.g. ndots:2, no blanks).
 */
export function parseDnsFlags(f: DnsFlags): DnsFlags {
  for (const d of f.dns) {
    if (isIP(d) === 0) throw new UsageError(`invalid --dns "${d}": give the IP address of a DNS server, e.g. 1.1.1.1`);
  }
  for (const s of f.dnsSearch) {
    if (s !== '.' && !isDomain(s)) throw new UsageError(`invalid --dns-search "${s}": give a domain such as example.com, or "." for none`);
  }
  for (const o of f.dnsOptions) {
    if (o === '' || /\s/.test(o)) throw new UsageError(`invalid --dns-option "${o}": give one option without blanks, such as ndots:2`);
  }
  return { dns: [...f.dns], dnsSearch: [...f.dnsSearch], dnsOptions: [...f.dnsOptions] };
}

function isDomain(s: string): boolean {
  const d = s.endsWith('.') ? s.slice(0, -1) : s;
  return d.length > 0 && d.length <= 253 && d.split('.').every((label) => /^[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?$/.test(label));
}

/** Every networking flag of run and create. */
export interface NetworkConfigFlags extends NetworkFlags, DnsFlags {
  publish: string[];
  publishAll: boolean;
  expose: string[];
  addHost: string[];
  noHosts: boolean;
}

/**
 * All the networking flags, checked, as the record keeps them. -p needs a
 * network of the container's own (not host, none, container: or ns:), as
 * in podman; -P and --expose are kept for the start, which adds the image's
 * EXPOSE.
 */
export function parseNetworkConfig(f: NetworkConfigFlags): ContainerNetworkConfig {
  const mode = parseNetworkFlags(f);
  const ports = f.publish.flatMap(parsePublish);
  if (ports.length && (mode.kind === 'host' || mode.kind === 'none' || mode.kind === 'container' || mode.kind === 'ns')) {
    throw new UsageError(`--publish cannot be used with --network ${mode.kind}: the ports of that network are not the container's own`);
  }
  const dns = parseDnsFlags(f);
  if (mode.kind === 'container' && (dns.dns.length || dns.dnsSearch.length || dns.dnsOptions.length || f.addHost.length)) {
    throw new UsageError('--dns, --dns-search, --dns-option and --add-host cannot be used with --network container:, which shares that container\'s files');
  }
  return {
    mode,
    ports,
    publishAll: f.publishAll,
    expose: [...new Set(f.expose.flatMap(parseExpose))],
    addHosts: parseAddHosts(f.addHost, f.noHosts),
    noHosts: f.noHosts,
    ...dns,
  };
}
