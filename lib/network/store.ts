// User networks and their addresses (configuration and bookkeeping only:
// bridges and veths are made at a container's start, elsewhere).
//
//   <dataRoot>/networks/<name>.json         the NetworkRecord (lib/core/network.ts)
//   <dataRoot>/networks/<name>.alloc.json   its addresses in use: { containerId: ip }
//   <dataRoot>/networks/networks.lock       held for every change of either
//
// Which containers are on a network is not kept here: the containers' records
// say it, and callers pass it in (`attached`, `isLive`), so the store knows
// nothing of containers and a crash cannot leave a list of members wrong.
// The default network (DEFAULT_NETWORK, as podman's `podman`) is written on
// first use and can never be removed.
//
// Lock order: a caller that holds containers.lock may take networks.lock
// (connect does); never the other way round.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_NETWORK, type NetworkRecord } from '../core/network.js';
import { ConflictError, HuskError, NotFoundError, UsageError } from '../core/errors.js';
import { randomHex } from '../core/random.js';
import { mkdirPrivate, readJsonIfExists, writeJsonAtomic } from '../storage/atomic.js';
import { withLockSync } from '../storage/lock.js';
import { HOST_NETWORK, type HostNetworkView } from './host.js';
import { contains, formatCidr, formatIPv4, lastOf, looksIPv6, overlaps, parseCidr, parseIPv4, within, type Cidr } from './ipv4.js';

/** docker's and podman's rule for network names. */
export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** podman's: names that --network reads as a mode, so a network of that name could never be joined. */
export const RESERVED_NETWORK_NAMES = ['none', 'host', 'bridge', 'private', 'slirp4netns', 'pasta', 'container', 'ns', 'default'];

const ALLOC_SUFFIX = '.alloc.json';

/** The record's file name plus ".alloc.json" must fit a file name. */
export const MAX_NETWORK_NAME = 255 - ALLOC_SUFFIX.length;

export const DEFAULT_SUBNET = '10.88.0.0/16';
export const DEFAULT_BRIDGE = 'husk0';
/** podman's rule for its default network: the sha256 of the name (so it never changes). */
export const DEFAULT_NETWORK_ID = 'c8b1f4b76229cb72d6bc950f3d2e2b5891e14a35743e3b6f21bf0cd87511a1ba';

/** Where automatic subnets come from, /24 each, in order: podman's default_subnet_pools. */
export const SUBNET_POOLS: ReadonlyArray<{ base: string; size: number }> = [
  { base: '10.89.0.0/16', size: 24 },
  { base: '10.90.0.0/15', size: 24 },
  { base: '10.92.0.0/14', size: 24 },
  { base: '10.96.0.0/11', size: 24 },
  { base: '10.128.0.0/9', size: 24 },
];

export interface NewNetwork {
  /** IPv4 CIDR; default: the first free /24 of SUBNET_POOLS. */
  subnet?: string;
  /** Default: the subnet's first host address. */
  gateway?: string;
  /** A CIDR inside the subnet that automatic addresses come from. */
  ipRange?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  /** Only "bridge". */
  driver?: string;
  disableDns?: boolean;
  /** --opt: only mtu=N. */
  options?: Record<string, string>;
  /** --interface-name: the bridge device's name (default: the first free huskN). */
  interfaceName?: string;
}

/** What a container gets on a network. */
export interface Allocation {
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
}

export interface AllocationRequest {
  /** --ip */
  ip?: string;
  /** --mac-address; default: 02:42 and the four bytes of the address (docker's rule). */
  mac?: string;
  /** Whether a container still exists: addresses held by one that does not are free again. */
  isLive: (containerId: string) => boolean;
  /** Addresses held outside this store (as root, by other stores on the same host bridge). */
  taken?: Set<string>;
}

/** Containers (ids or names) on a network, by its name: the caller reads them from the containers' records. */
export type AttachedFn = (network: string) => string[];

export interface PruneReport {
  name: string;
  error?: Error;
}

/** What is wrong with `name` for a new network, or undefined. */
export function networkNameProblem(name: string): string | undefined {
  if (!NETWORK_NAME.test(name)) return 'names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*';
  if (name.length > MAX_NETWORK_NAME) return `it has ${name.length} characters, at most ${MAX_NETWORK_NAME} are allowed`;
  if (name.endsWith('.alloc')) return 'a name ending in ".alloc" is reserved (the store keeps a network\'s addresses in NAME.alloc.json)';
  if (RESERVED_NETWORK_NAMES.includes(name)) return 'it conflicts with a valid network mode';
  return undefined;
}

/** A name as an error message shows it: a long one cut short. */
const shown = (name: string) => (name.length > 40 ? `${name.slice(0, 40)}…` : name);

/** --opt of a bridge network: only mtu=N (68..65535). */
export function checkNetworkOptions(options: Record<string, string>): { mtu?: number } {
  const out: { mtu?: number } = {};
  for (const [k, v] of Object.entries(options)) {
    if (k !== 'mtu') throw new UsageError(`unsupported bridge network option "${k}": only mtu=N is supported`);
    if (!/^\d+$/.test(v) || Number(v) < 68 || Number(v) > 65535) throw new UsageError(`invalid network option mtu=${v}: give a number from 68 to 65535`);
    out.mtu = Number(v);
  }
  return out;
}

function ipv4Block(text: string, what: string): Cidr {
  if (looksIPv6(text)) throw new UsageError(`${what} ${text}: IPv6 is not supported yet: give an IPv4 CIDR such as 10.89.0.0/24`);
  const c = parseCidr(text);
  if (!c) throw new UsageError(`invalid ${what} "${shown(text)}": expected an IPv4 CIDR such as 10.89.0.0/24`);
  return c;
}

function ipv4Address(text: string, what: string): number {
  if (looksIPv6(text)) throw new UsageError(`${what} ${text}: IPv6 is not supported yet: give an IPv4 address`);
  const ip = parseIPv4(text);
  if (ip === undefined) throw new UsageError(`invalid ${what} "${shown(text)}": expected an IPv4 address such as 10.89.0.5`);
  return ip;
}

/** First and last address handed out automatically from a block (podman's lease range of a CIDR: its host addresses). */
export function leaseRange(c: Cidr): { start: number; end: number } {
  if (c.prefixLen >= 31) return { start: c.base, end: lastOf(c) };
  return { start: c.base + 1, end: lastOf(c) - 1 };
}

/** What a new network's flags mean, checked without looking at the store: bad input fails before anything is written. */
export interface CheckedNetwork {
  subnet?: Cidr;
  gateway?: number;
  ipRange?: Cidr;
  mtu?: number;
}

/** Every check of `create` that needs no store: the name, the driver, the addresses, the options. */
export function checkNewNetwork(name: string, n: NewNetwork): CheckedNetwork {
  const problem = networkNameProblem(name);
  if (problem) throw new UsageError(`network name "${shown(name)}" invalid: ${problem}`);
  const driver = n.driver ?? 'bridge';
  if (driver !== 'bridge') throw new UsageError(`network driver ${shown(driver)} is not supported: use bridge`);
  const { mtu } = checkNetworkOptions(n.options ?? {});
  if (n.subnet === undefined) {
    if (n.gateway !== undefined || n.ipRange !== undefined) throw new UsageError('cannot set gateway or range without subnet: give --subnet too');
    return { mtu };
  }
  const subnet = ipv4Block(n.subnet, 'subnet');
  if (subnet.prefixLen > 30) throw new UsageError(`subnet ${formatCidr(subnet)} is too small: a bridge network needs at least a /30`);
  let gateway: number | undefined;
  if (n.gateway !== undefined) {
    gateway = ipv4Address(n.gateway, 'gateway');
    if (!contains(subnet, gateway)) throw new UsageError(`gateway ${formatIPv4(gateway)} not in subnet ${formatCidr(subnet)}`);
    if (gateway === subnet.base || gateway === lastOf(subnet)) {
      throw new UsageError(`gateway ${formatIPv4(gateway)} is the ${gateway === subnet.base ? 'network' : 'broadcast'} address of subnet ${formatCidr(subnet)}: give a host address`);
    }
  }
  let ipRange: Cidr | undefined;
  if (n.ipRange !== undefined) {
    ipRange = ipv4Block(n.ipRange, 'ip range');
    if (!within(ipRange, subnet)) throw new UsageError(`ip range ${formatCidr(ipRange)} is not inside subnet ${formatCidr(subnet)}`);
  }
  return { subnet, gateway, ipRange, mtu };
}

/** A --ip for a container on `r`: inside the subnet, and neither its gateway, network nor broadcast address. */
export function checkRequestedIp(r: NetworkRecord, text: string): number {
  const ip = ipv4Address(text, 'IP address');
  const subnet = parseCidr(r.subnet)!;
  if (!contains(subnet, ip)) throw new UsageError(`IP address ${formatIPv4(ip)} is not in subnet ${r.subnet} of network ${r.name}`);
  if (formatIPv4(ip) === r.gateway) throw new UsageError(`IP address ${formatIPv4(ip)} is the gateway of network ${r.name}`);
  if (ip === subnet.base || ip === lastOf(subnet)) {
    throw new UsageError(`IP address ${formatIPv4(ip)} is the ${ip === subnet.base ? 'network' : 'broadcast'} address of subnet ${r.subnet}`);
  }
  return ip;
}

/** A --mac-address: six octets (":" or "-"), unicast; lower case with ":". */
export function checkMac(text: string): string {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(text) || /:.*-|-.*:/.test(text)) {
    throw new UsageError(`invalid MAC address "${shown(text)}": expected six hex octets such as 02:42:0a:59:00:05`);
  }
  const mac = text.toLowerCase().replace(/-/g, ':');
  if (parseInt(mac.slice(0, 2), 16) & 1) throw new UsageError(`MAC address ${mac} is a multicast address: an interface needs a unicast one`);
  return mac;
}

/** docker's MAC for an address: locally administered, unicast, 02:42 and the four bytes of the IPv4 address. */
export function macFromIp(ip: string): string {
  const n = parseIPv4(ip);
  if (n === undefined) throw new HuskError(`macFromIp: ${ip} is not an IPv4 address`);
  const hex = n.toString(16).padStart(8, '0');
  return `02:42:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}`;
}

/** RFC 3339 in UTC, as podman's created (its has nanoseconds; milliseconds are what Date has). */
const now = () => new Date().toISOString();

export class NetworkStore {
  readonly dir: string;
  private readonly lockFile: string;
  /** Set while this instance holds the lock: locked() nests instead of waiting on itself. */
  private held = false;

  constructor(
    ctx: { paths: { dataRoot: string } },
    private readonly host: HostNetworkView = HOST_NETWORK,
  ) {
    this.dir = path.join(ctx.paths.dataRoot, 'networks');
    this.lockFile = path.join(this.dir, 'networks.lock');
  }

  /**
   * Runs fn holding networks.lock; nested calls on the same store share it.
   * flock is per open file: a second NetworkStore in this process would wait
   * on this one forever, so code under the lock passes this instance along.
   */
  locked<T>(fn: () => T): T {
    if (this.held) return fn();
    mkdirPrivate(this.dir);
    return withLockSync(this.lockFile, () => {
      this.removeStaleTemps();
      this.held = true;
      try {
        return fn();
      } finally {
        this.held = false;
      }
    });
  }

  /** Takes away what a killed husk left (temp files), if the store exists: for rm and container prune. */
  tidy(): void {
    if (fs.existsSync(this.dir)) this.locked(() => {});
  }

  /** Under the lock no write is under way: a temp file is one a killed husk left (writeJsonAtomic's `.NAME.RANDOM.tmp`). */
  private removeStaleTemps(): void {
    for (const f of fs.readdirSync(this.dir)) if (/^\..+\.[0-9a-f]+\.tmp$/.test(f)) fs.rmSync(path.join(this.dir, f), { force: true });
  }

  paths(name: string) {
    return { record: path.join(this.dir, `${name}.json`), alloc: path.join(this.dir, `${name}${ALLOC_SUFFIX}`) };
  }

  /** The record of that exact name, as on disk (the default one only once written). */
  private readFile(name: string): NetworkRecord | undefined {
    if (!NETWORK_NAME.test(name) || name.endsWith('.alloc')) return undefined;
    try {
      const r = readJsonIfExists<NetworkRecord>(this.paths(name).record);
      return r && r.name === name ? r : undefined;
    } catch (err) {
      if (err instanceof SyntaxError) return undefined; // cut short: as if never made
      throw err;
    }
  }

  /** The default network, written on first use. */
  private ensureDefault(): NetworkRecord {
    const found = this.readFile(DEFAULT_NETWORK);
    if (found) return found;
    return this.locked(() => {
      const again = this.readFile(DEFAULT_NETWORK);
      if (again) return again;
      const record: NetworkRecord = {
        name: DEFAULT_NETWORK,
        id: DEFAULT_NETWORK_ID,
        driver: 'bridge',
        bridge: DEFAULT_BRIDGE,
        subnet: DEFAULT_SUBNET,
        gateway: '10.88.0.1',
        internal: false,
        dnsEnabled: false,
        labels: {},
        created: now(),
      };
      writeJsonAtomic(this.paths(DEFAULT_NETWORK).record, record);
      return record;
    });
  }

  /** Every network, the default one included, by name. */
  list(): NetworkRecord[] {
    this.ensureDefault();
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.json') && !f.endsWith(ALLOC_SUFFIX))
      .flatMap((f) => this.readFile(f.slice(0, -'.json'.length)) ?? [])
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** By exact name, else by a unique prefix of its id. */
  find(nameOrId: string): NetworkRecord | undefined {
    const found = this.lookup(nameOrId);
    return found.length === 1 ? found[0] : undefined;
  }

  get(nameOrId: string): NetworkRecord {
    const found = this.lookup(nameOrId);
    if (found.length > 1) {
      throw new ConflictError(`"${nameOrId}" is ambiguous: it matches ${found.length} networks (${found.map((n) => n.name).join(', ')}); give more of the ID`);
    }
    if (!found[0]) throw new NotFoundError(`network ${shown(nameOrId)} not found`);
    return found[0];
  }

  exists(nameOrId: string): boolean {
    return this.find(nameOrId) !== undefined;
  }

  private lookup(nameOrId: string): NetworkRecord[] {
    if (nameOrId === DEFAULT_NETWORK) return [this.ensureDefault()];
    const byName = this.readFile(nameOrId);
    if (byName) return [byName];
    return /^[a-f0-9]+$/.test(nameOrId) ? this.list().filter((n) => n.id.startsWith(nameOrId)) : [];
  }

  /** Makes a network; an existing name is a ConflictError, a subnet in use a UsageError. */
  create(name: string, n: NewNetwork): NetworkRecord {
    const checked = checkNewNetwork(name, n);
    return this.locked(() => {
      const existing = this.list();
      if (existing.some((r) => r.name === name)) throw new ConflictError(`network name ${name} already used: network already exists`);
      const subnet = checked.subnet ?? this.freeSubnet(existing);
      if (checked.subnet) this.checkSubnetFree(subnet, existing);
      const gateway = checked.gateway ?? subnet.base + 1;
      let id = randomHex(32);
      while (existing.some((r) => r.id === id)) id = randomHex(32);
      const record: NetworkRecord = {
        name,
        id,
        driver: 'bridge',
        bridge: n.interfaceName === undefined ? this.freeBridge(existing) : this.checkBridgeFree(n.interfaceName, existing),
        subnet: formatCidr(subnet),
        gateway: formatIPv4(gateway),
        ...(checked.ipRange ? { ipRange: formatCidr(checked.ipRange) } : {}),
        internal: n.internal ?? false,
        dnsEnabled: !(n.disableDns ?? false),
        labels: n.labels ?? {},
        ...(checked.mtu !== undefined ? { mtu: checked.mtu } : {}),
        created: now(),
      };
      writeJsonAtomic(this.paths(name).record, record);
      return record;
    });
  }

  private checkSubnetFree(subnet: Cidr, existing: NetworkRecord[]): void {
    for (const r of existing) {
      if (overlaps(subnet, parseCidr(r.subnet)!)) throw new UsageError(`subnet ${formatCidr(subnet)} overlaps the subnet ${r.subnet} of network ${r.name}`);
    }
    for (const route of this.host.routes()) {
      if (overlaps(subnet, route.destination)) {
        throw new UsageError(`subnet ${formatCidr(subnet)} is already used on the host: it overlaps the route to ${formatCidr(route.destination)} via ${route.iface}`);
      }
    }
  }

  /** The first /24 of the pools that overlaps no network and no route of the host (podman's search). */
  private freeSubnet(existing: NetworkRecord[]): Cidr {
    const used = [...existing.map((r) => parseCidr(r.subnet)!), ...this.host.routes().map((r) => r.destination)];
    for (const pool of SUBNET_POOLS) {
      const block = parseCidr(pool.base)!;
      const step = 2 ** (32 - pool.size);
      for (let base = block.base; base <= lastOf(block); base += step) {
        const candidate = { base, prefixLen: pool.size };
        if (!used.some((u) => overlaps(candidate, u))) return candidate;
      }
    }
    throw new HuskError(`no free subnet left in ${SUBNET_POOLS.map((p) => p.base).join(', ')}: give one with --subnet`);
  }

  /** husk1, husk2, ...: the first name no network and no interface of the host has (husk0 is the default network's). */
  /** --interface-name: a device name no network and no host interface has. */
  private checkBridgeFree(name: string, existing: NetworkRecord[]): string {
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name) || name === '.' || name === '..') throw new UsageError(`invalid interface name "${name}": up to 15 letters, digits, "_", "." and "-"`);
    const owner = existing.find((r) => r.bridge === name);
    if (owner || name === DEFAULT_BRIDGE) throw new ConflictError(`interface name ${name} is used by network ${owner?.name ?? 'husk'}`);
    if (this.host.interfaces().includes(name)) throw new ConflictError(`interface name ${name} is already a network interface of this host`);
    return name;
  }

  private freeBridge(existing: NetworkRecord[]): string {
    const taken = new Set([DEFAULT_BRIDGE, ...existing.map((r) => r.bridge), ...this.host.interfaces()]);
    for (let i = 1; ; i++) if (!taken.has(`husk${i}`)) return `husk${i}`;
  }

  /**
   * Removes a network. The default one never goes; one with containers
   * attached goes only with `force` (their records then name a network that
   * is gone: callers remove those containers first).
   */
  remove(nameOrId: string, attached: AttachedFn, force = false): NetworkRecord {
    return this.locked(() => {
      const r = this.get(nameOrId);
      if (r.name === DEFAULT_NETWORK) throw new UsageError(`default network ${DEFAULT_NETWORK} cannot be removed`);
      const users = attached(r.name);
      if (users.length && !force) {
        throw new ConflictError(`"${r.name}" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used`); // podman's words
      }
      // The record first: a network half removed is then gone, not listed broken.
      fs.rmSync(this.paths(r.name).record, { force: true });
      fs.rmSync(this.paths(r.name).alloc, { force: true });
      return r;
    });
  }

  /** Removes every network but the default one that no container is attached to and `select` accepts. */
  prune(attached: AttachedFn, select: (r: NetworkRecord) => boolean = () => true): PruneReport[] {
    return this.locked(() =>
      this.list()
        .filter((r) => r.name !== DEFAULT_NETWORK && select(r) && attached(r.name).length === 0)
        .map((r) => {
          try {
            this.remove(r.name, attached);
            return { name: r.name };
          } catch (err) {
            return { name: r.name, error: err as Error };
          }
        }),
    );
  }

  /** Addresses in use on a network: { containerId: ip }. */
  allocations(name: string): Record<string, string> {
    try {
      return readJsonIfExists<Record<string, string>>(this.paths(name).alloc) ?? {};
    } catch (err) {
      if (err instanceof SyntaxError) return {};
      throw err;
    }
  }

  /**
   * An address for a container on a network: the one it already holds, the
   * one asked for (a ConflictError when another container holds it), or the
   * first free one of the ip range (else the subnet), never the gateway.
   * Addresses of containers that no longer exist are freed on the way.
   */
  allocate(nameOrId: string, containerId: string, req: AllocationRequest): Allocation {
    const mac = req.mac === undefined ? undefined : checkMac(req.mac);
    return this.locked(() => {
      const r = this.get(nameOrId);
      const subnet = parseCidr(r.subnet)!;
      const wanted = req.ip === undefined ? undefined : checkRequestedIp(r, req.ip);
      const before = this.allocations(r.name);
      const allocs = Object.fromEntries(Object.entries(before).filter(([id]) => id === containerId || req.isLive(id)));
      let ip: number;
      if (wanted !== undefined) {
        const holder = Object.entries(allocs).find(([id, a]) => id !== containerId && a === formatIPv4(wanted))?.[0];
        if (holder) throw new ConflictError(`IP address ${formatIPv4(wanted)} is already in use on network ${r.name} by container ${holder.slice(0, 12)}`);
        if (req.taken?.has(formatIPv4(wanted))) throw new ConflictError(`IP address ${formatIPv4(wanted)} is already in use on bridge ${r.bridge} by a container of another husk store`);
        ip = wanted;
      } else if (allocs[containerId] !== undefined && contains(subnet, parseIPv4(allocs[containerId]) ?? -1) && !req.taken?.has(allocs[containerId])) {
        ip = parseIPv4(allocs[containerId])!;
      } else {
        ip = this.freeAddress(r, subnet, new Set([...Object.entries(allocs).filter(([id]) => id !== containerId).map(([, a]) => a), ...(req.taken ?? [])]));
      }
      allocs[containerId] = formatIPv4(ip);
      if (JSON.stringify(allocs) !== JSON.stringify(before)) writeJsonAtomic(this.paths(r.name).alloc, allocs);
      const address = formatIPv4(ip);
      return { ip: address, prefixLen: subnet.prefixLen, gateway: r.gateway, mac: mac ?? macFromIp(address) };
    });
  }

  private freeAddress(r: NetworkRecord, subnet: Cidr, used: Set<string>): number {
    const pool = r.ipRange ? parseCidr(r.ipRange)! : subnet;
    const { start, end } = leaseRange(pool);
    for (let ip = start; ip <= end; ip++) {
      if (ip === subnet.base || ip === lastOf(subnet)) continue;
      const a = formatIPv4(ip);
      if (a !== r.gateway && !used.has(a)) return ip;
    }
    throw new HuskError(`network ${r.name} has no free IP address left in ${r.ipRange ?? r.subnet}`);
  }

  /** Frees the container's address on a network (nothing when it holds none, or the network is gone). */
  release(nameOrId: string, containerId: string): void {
    // Nothing was ever allocated here: a failed create leaves no directory behind.
    if (!fs.existsSync(this.dir)) return;
    this.locked(() => {
      const r = this.find(nameOrId);
      if (!r) return;
      const allocs = this.allocations(r.name);
      if (!(containerId in allocs)) return;
      delete allocs[containerId];
      writeJsonAtomic(this.paths(r.name).alloc, allocs);
    });
  }
}
