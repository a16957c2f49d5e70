// Published and exposed ports: -p, --expose and -P parsed into PortMappings,
// and PortMappings shown as docker shows them (ps' PORTS column, inspect's
// NetworkSettings.Ports and HostConfig.PortBindings, `husk port`).
import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';
import type { PortMapping } from '../core/network.js';

const PUBLISH_FORM = 'use [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp], e.g. 8080:80, 127.0.0.1:8080:80/udp, [::1]:8080:80, 8000-8002:80-82';
const EXPOSE_FORM = 'use PORT[/tcp|/udp] or a range START-END[/PROTO]';

type Protocol = PortMapping['protocol'];

/**
 * -p [IP:][HOSTPORT:]CONTAINERPORT[/PROTO], expanded one port per mapping.
 * `IP::CPORT` and a missing HOSTPORT leave hostPort 0 (any free port, chosen
 * at start). IPv6 addresses go in brackets (`[::1]:8080:80`); as docker, the
 * last two colons split the parts, so an unbracketed one is read too.
 * Ranges: a host range needs a container range of the same length (podman's
 * rule; docker would also take `8000-8010:80`, meaning "one free port of the
 * range", which podman and husk refuse); a container range without host
 * ports publishes each on a free port.
 */
export function parsePublish(spec: string): PortMapping[] {
  const bad = (why: string): never => {
    throw new UsageError(`invalid --publish "${spec}": ${why}; ${PUBLISH_FORM}`);
  };
  const { rest, protocol } = splitProtocol(spec, bad);
  const parts = rest.split(':');
  const containerPart = parts[parts.length - 1]!;
  const hostPart = parts.length >= 2 ? parts[parts.length - 2]! : '';
  let hostIp = parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
  if (parts.length === 2 && hostPart === '') bad('the host port is empty');
  if (hostIp.startsWith('[') || hostIp.endsWith(']')) {
    if (!(hostIp.startsWith('[') && hostIp.endsWith(']'))) bad(`"${hostIp}" is not an IP address`);
    hostIp = hostIp.slice(1, -1);
    if (isIP(hostIp) !== 6) bad(`"${hostIp}" is not an IPv6 address`);
  }
  if (hostIp !== '' && isIP(hostIp) === 0) bad(`"${hostIp}" is not an IP address`);
  if (containerPart === '') bad('the container port is empty');
  const container = parseRange(containerPart, 'container port', bad);
  const host = hostPart === '' ? undefined : parseRange(hostPart, 'host port', bad);
  const length = container.end - container.start;
  if (host && host.end - host.start !== length) {
    bad(`the host range ${hostPart} and the container range ${containerPart} are not the same length`);
  }
  const mappings: PortMapping[] = [];
  for (let i = 0; i <= length; i++) {
    mappings.push({ hostIp, hostPort: host ? host.start + i : 0, containerPort: container.start + i, protocol });
  }
  return mappings;
}

/** --expose PORT[/PROTO] or START-END[/PROTO]: one "80/tcp" string per port. */
export function parseExpose(spec: string): string[] {
  const bad = (why: string): never => {
    throw new UsageError(`invalid --expose "${spec}": ${why}; ${EXPOSE_FORM}`);
  };
  const { rest, protocol } = splitProtocol(spec, bad);
  if (rest === '') bad('the port is empty');
  const { start, end } = parseRange(rest, 'port', bad);
  const ports: string[] = [];
  for (let p = start; p <= end; p++) ports.push(`${p}/${protocol}`);
  return ports;
}

/**
 * -P: every exposed port ("80/tcp", from --expose and the image) not already
 * published gets a free host port at start (hostPort 0) on every address.
 * Returns `existing` followed by the new mappings.
 */
export function publishAllPorts(expose: string[], existing: PortMapping[]): PortMapping[] {
  const published = new Set(existing.map(portKey));
  const added: PortMapping[] = [];
  for (const e of expose) {
    const { port, protocol } = exposedPort(e);
    const key = `${port}/${protocol}`;
    if (published.has(key)) continue;
    published.add(key);
    added.push({ hostIp: '', hostPort: 0, containerPort: port, protocol });
  }
  return [...existing, ...added];
}

/**
 * ps' PORTS column: `0.0.0.0:8080->80/tcp, 0.0.0.0:5353->53/udp`, in the
 * order given, consecutive mappings of one address and protocol collapsed
 * into ranges (`0.0.0.0:8000-8002->80-82/tcp`, as podman prints them; docker
 * collapses only where host and container ports are equal). Exposed ports
 * that are not published follow, sorted by protocol and number and also
 * collapsed: `80/tcp, 8000-8002/udp`.
 */
export function formatPorts(ports: PortMapping[], expose: string[] = []): string {
  const out: string[] = [];
  let run: { first: PortMapping; last: PortMapping } | undefined;
  const flush = () => {
    if (!run) return;
    const { first, last } = run;
    const host = first.hostPort === last.hostPort ? `${first.hostPort}` : `${first.hostPort}-${last.hostPort}`;
    const ctr = first.containerPort === last.containerPort ? `${first.containerPort}` : `${first.containerPort}-${last.containerPort}`;
    out.push(`${hostAddress(first.hostIp, host)}->${ctr}/${first.protocol}`);
  };
  for (const m of ports) {
    if (run && follows(run.last, m)) {
      run.last = m;
      continue;
    }
    flush();
    run = { first: m, last: m };
  }
  flush();

  const published = new Set(ports.map(portKey));
  const unpublished = [...new Set(expose)]
    .map(exposedPort)
    .filter((e) => !published.has(`${e.port}/${e.protocol}`))
    .sort((a, b) => (a.protocol === b.protocol ? a.port - b.port : a.protocol < b.protocol ? -1 : 1));
  let group: { start: number; end: number; protocol: Protocol } | undefined;
  const flushGroup = () => {
    if (group) out.push(`${group.start === group.end ? group.start : `${group.start}-${group.end}`}/${group.protocol}`);
  };
  for (const e of unpublished) {
    if (group && group.protocol === e.protocol && group.end + 1 === e.port) {
      group.end = e.port;
      continue;
    }
    flushGroup();
    group = { start: e.port, end: e.port, protocol: e.protocol };
  }
  flushGroup();
  return out.join(', ');
}

/** One binding as docker's inspect shows it. */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/**
 * inspect's NetworkSettings.Ports: `{"80/tcp": [{"HostIp": "0.0.0.0",
 * "HostPort": "8080"}], "443/tcp": null}`, exposed but unpublished ports
 * null. Keys sorted as strings, as Go's encoding/json writes a map.
 */
export function portBindings(ports: PortMapping[], expose: string[] = []): Record<string, PortBinding[] | null> {
  const map: Record<string, PortBinding[] | null> = {};
  for (const e of expose) {
    const { port, protocol } = exposedPort(e);
    map[`${port}/${protocol}`] = null;
  }
  for (const m of ports) {
    const key = portKey(m);
    (map[key] ??= []).push({ HostIp: m.hostIp || '0.0.0.0', HostPort: String(m.hostPort) });
  }
  return sortedKeys(map);
}

/**
 * inspect's HostConfig.PortBindings: what was asked for, `{"80/tcp":
 * [{"HostIp": "", "HostPort": "8080"}]}`; HostPort "" where any free port
 * was asked for, HostIp "" for every address.
 */
export function hostConfigPortBindings(ports: PortMapping[]): Record<string, PortBinding[]> {
  const map: Record<string, PortBinding[]> = {};
  for (const m of ports) (map[portKey(m)] ??= []).push({ HostIp: m.hostIp, HostPort: m.hostPort === 0 ? '' : String(m.hostPort) });
  return sortedKeys(map);
}

/**
 * `husk port CTR [PORT[/PROTO]]`: without a filter one `80/tcp ->
 * 0.0.0.0:8080` line per binding, sorted by container port; with one, just
 * the host addresses of that port (`0.0.0.0:8080`), tcp when no protocol is
 * named. An empty list means the port is not published (the caller says so).
 */
export function portCommandLines(ports: PortMapping[], filter?: string): string[] {
  const sorted = [...ports].sort(
    (a, b) => a.containerPort - b.containerPort || cmp(a.protocol, b.protocol) || cmp(a.hostIp, b.hostIp) || a.hostPort - b.hostPort,
  );
  if (filter === undefined) return sorted.map((m) => `${portKey(m)} -> ${hostAddress(m.hostIp, String(m.hostPort))}`);
  const { port, protocol } = parsePortFilter(filter);
  return sorted.filter((m) => m.containerPort === port && m.protocol === protocol).map((m) => hostAddress(m.hostIp, String(m.hostPort)));
}

/** `husk port`'s PORT[/PROTO] argument (sctp is named but never published). */
export function parsePortFilter(filter: string): { port: number; protocol: Protocol | 'sctp' } {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(filter);
  const port = m ? Number(m[1]) : 0;
  if (!m || port < 1 || port > 65535) throw new UsageError(`invalid port "${filter}": use PORT or PORT/PROTO (tcp, udp, sctp), PORT 1-65535`);
  return { port, protocol: (m[2] ?? 'tcp') as Protocol | 'sctp' };
}

/** "80/tcp" of a mapping: the key docker's maps use. */
export function portKey(m: Pick<PortMapping, 'containerPort' | 'protocol'>): string {
  return `${m.containerPort}/${m.protocol}`;
}

function splitProtocol(spec: string, bad: (why: string) => never): { rest: string; protocol: Protocol } {
  const slash = spec.lastIndexOf('/');
  if (slash < 0) return { rest: spec, protocol: 'tcp' };
  const proto = spec.slice(slash + 1);
  if (proto === 'sctp') bad('sctp is not supported');
  if (proto !== 'tcp' && proto !== 'udp') bad(proto === '' ? 'the protocol is empty' : `unknown protocol "${proto}"`);
  return { rest: spec.slice(0, slash), protocol: proto as Protocol };
}

function parseRange(text: string, what: string, bad: (why: string) => never): { start: number; end: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return bad(`"${text}" is not a ${what} or range`);
  const start = checkedPort(m[1]!, what, bad);
  const end = m[2] === undefined ? start : checkedPort(m[2], what, bad);
  if (end < start) bad(`the ${what} range ${text} ends before it starts`);
  return { start, end };
}

function checkedPort(digits: string, what: string, bad: (why: string) => never): number {
  const n = Number(digits);
  if (n < 1 || n > 65535) bad(`${what} ${digits} is out of range (1-65535)`);
  return n;
}

/** An "80/tcp" entry of an expose list (as stored: parsed before, so a bad one is a bug upstream). */
function exposedPort(e: string): { port: number; protocol: Protocol } {
  const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(e);
  if (!m) throw new UsageError(`invalid exposed port "${e}": ${EXPOSE_FORM}`);
  return { port: Number(m[1]), protocol: (m[2] ?? 'tcp') as Protocol };
}

function follows(prev: PortMapping, m: PortMapping): boolean {
  return (
    m.hostIp === prev.hostIp &&
    m.protocol === prev.protocol &&
    m.containerPort === prev.containerPort + 1 &&
    prev.hostPort !== 0 &&
    m.hostPort === prev.hostPort + 1
  );
}

/** IP:PORT, the IPv6 address in brackets; '' is every address, shown as 0.0.0.0. */
function hostAddress(ip: string, port: string): string {
  if (ip === '') return `0.0.0.0:${port}`;
  return isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys<V>(map: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.keys(map).sort().map((k) => [k, map[k]!]));
}
