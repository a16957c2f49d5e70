// Network verbs: create, list, inspect, remove, prune, exists, connect and
// disconnect. The store and its addresses are lib/network/store.ts; which
// containers are on a network is read here from their records, never kept
// twice. Bridges, veths and addresses in a running container are made at
// its start (lib/engine/start.ts, by the networking work): connect and
// disconnect change only a stopped container's record for now.
import { connectRunning, disconnectRunning, networkConfigOf } from './container-network.js';
import { applyFirewall, ensureBridge, removeBridge, removeFirewall } from '../network/bridge.js';
import { hostNamespaces } from '../network/nsexec.js';
import { liveRootlessNetns } from '../network/rootless-netns.js';
import type { Context } from '../core/context.js';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.js';
import { DEFAULT_NETWORK, type ContainerNetworkConfig, type NetworkAttachment, type NetworkRecord, type NetworkStatus } from '../core/network.js';
import { ContainerStore, isAlive, type ContainerRecord, type ContainerView } from '../runtime/container-store.js';
import { checkMac, checkRequestedIp, leaseRange, macFromIp, NetworkStore, type NewNetwork } from '../network/store.js';
import { formatIPv4, parseCidr } from '../network/ipv4.js';
import { readJsonIfExists, writeJsonAtomic } from '../storage/atomic.js';
import { parseLogTime } from './logs.js';
import { NAME_PATTERN } from './names.js';
import { removeContainers } from './remove.js';
import { recordEvent } from './events.js';

export { DEFAULT_NETWORK, type NetworkRecord } from '../core/network.js';
export { type NewNetwork } from '../network/store.js';


/** The user networks a container is on, with what was asked for each. */
function attachmentsOf(record: ContainerRecord): NetworkAttachment[] {
  const mode = networkConfigOf(record).mode;
  return mode.kind === 'bridge' ? mode.networks : [];
}

/** Containers by the networks they are on (the default network included). */
export function networkUsers(ctx: Context): Map<string, ContainerView[]> {
  const users = new Map<string, ContainerView[]>();
  for (const v of new ContainerStore(ctx).list()) {
    for (const a of attachmentsOf(v.record)) users.set(a.name, [...(users.get(a.name) ?? []), v]);
  }
  return users;
}

/** The store's `attached` callback: names of the containers on a network, read afresh. */
const attachedNames = (ctx: Context) => (network: string) => (networkUsers(ctx).get(network) ?? []).map((v) => v.record.name);

/** podman's `network create`; with `ignoreExisting` an existing network of that name is returned as it is. */
export function createNetwork(ctx: Context, name: string, n: NewNetwork, ignoreExisting = false): NetworkRecord {
  const store = new NetworkStore(ctx);
  if (ignoreExisting) {
    const existing = store.locked(() => store.list().find((r) => r.name === name));
    if (existing) return existing;
  }
  const rec = store.create(name, n);
  // As root the bridge is made at once, as docker does: another store on this host then sees its name and subnet taken.
  if (!ctx.rootless) {
    try {
      ensureBridge(hostNamespaces, rec);
    } catch (err) {
      store.remove(rec.name, () => []);
      throw err;
    }
  }
  recordEvent(ctx, { type: 'network', action: 'create', id: rec.id, name: rec.name });
  return rec;
}

/** A removed network's bridge goes too: on the host, or in the rootless network namespace if one is held. */
function removeBridgeOf(ctx: Context, rec: NetworkRecord): void {
  const where = ctx.rootless ? liveRootlessNetns(ctx)?.namespaces : hostNamespaces;
  if (!where) return;
  removeBridge(where, rec.bridge);
  removeFirewall(where, rec);
}

export function networkExists(ctx: Context, nameOrId: string): boolean {
  return new NetworkStore(ctx).exists(nameOrId);
}

export interface NetworkFilter {
  /** Regular expressions, any of which matches the name (podman's). */
  name: RegExp[];
  /** Prefixes of the id. */
  id: string[];
  driver: string[];
  /** K or K=V: every one must match. */
  label: string[];
  /** label!=K or K=V: none may match. */
  notLabel: string[];
  /** Created before this time (ms). */
  until?: number;
  /** No container on it (the default network never is). */
  dangling?: boolean;
}

const LS_FILTERS = ['name', 'id', 'driver', 'label', 'label!', 'until', 'dangling'];
export const PRUNE_FILTERS = ['label', 'label!', 'until'];

/** --filter KEY=VALUE, each key one of `allowed` (ls: LS_FILTERS; prune: PRUNE_FILTERS). */
export function parseNetworkFilters(filters: string[], allowed: string[] = LS_FILTERS, now = Date.now()): NetworkFilter {
  const f: NetworkFilter = { name: [], id: [], driver: [], label: [], notLabel: [] };
  for (const raw of filters) {
    const eq = raw.indexOf('=');
    const key = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? '' : raw.slice(eq + 1);
    if (eq < 0 || value === '' || !allowed.includes(key)) throw new UsageError(`invalid filter "${raw}": expected KEY=VALUE with KEY one of ${allowed.join(', ')}`);
    if (key === 'name') {
      try {
        f.name.push(new RegExp(value));
      } catch {
        throw new UsageError(`invalid filter "${raw}": "${value}" is not a regular expression`);
      }
    } else if (key === 'id') {
      if (!/^[a-f0-9]+$/.test(value)) throw new UsageError(`invalid filter "${raw}": an id is hexadecimal`);
      f.id.push(value);
    } else if (key === 'driver') f.driver.push(value);
    else if (key === 'label') f.label.push(value);
    else if (key === 'label!') f.notLabel.push(value);
    else if (key === 'until') f.until = parseLogTime(value, 'filter until', now);
    else {
      if (!['true', 'false', '1', '0'].includes(value)) throw new UsageError(`invalid filter "${raw}": dangling takes true or false`);
      if (f.dangling !== undefined) throw new UsageError('the dangling filter can be given only once');
      f.dangling = value === 'true' || value === '1';
    }
  }
  return f;
}

function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq < 0) return want in labels;
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

/** Whether a network passes a filter: values of one key are alternatives, different keys must all match (labels all). */
function matches(r: NetworkRecord, f: NetworkFilter, users: Map<string, ContainerView[]> | undefined): boolean {
  return (
    (f.name.length === 0 || f.name.some((re) => re.test(r.name))) &&
    (f.id.length === 0 || f.id.some((id) => r.id.startsWith(id))) &&
    (f.driver.length === 0 || f.driver.includes(r.driver)) &&
    f.label.every((l) => labelMatches(r.labels, l)) &&
    !f.notLabel.some((l) => labelMatches(r.labels, l)) &&
    (f.until === undefined || Date.parse(r.created) < f.until) &&
    (f.dangling === undefined || users === undefined || (r.name !== DEFAULT_NETWORK && !users.get(r.name)?.length) === f.dangling)
  );
}

/** Every network (the default one always exists), by name, filtered. */
export function listNetworks(ctx: Context, f: NetworkFilter = parseNetworkFilters([])): NetworkRecord[] {
  const users = f.dangling === undefined ? undefined : networkUsers(ctx);
  return new NetworkStore(ctx).list().filter((r) => matches(r, f, users));
}

/** One container on a network as podman's inspect shows it. */
export interface NetworkContainerInfo {
  name: string;
  interfaces?: Record<string, { subnets: Array<{ ipnet: string; gateway?: string }>; mac_address: string }>;
}

/** podman's `network inspect` object (field names as podman's JSON has them). */
export interface NetworkInspect {
  name: string;
  id: string;
  driver: string;
  network_interface: string;
  created: string;
  subnets: Array<{ subnet: string; gateway: string; lease_range?: { start_ip: string; end_ip: string } }>;
  ipv6_enabled: boolean;
  internal: boolean;
  dns_enabled: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  ipam_options: { driver: string };
  containers: Record<string, NetworkContainerInfo>;
}

/** The ip range as podman's lease range: its first and last host addresses. */
function leaseRangeOf(r: NetworkRecord): { start_ip: string; end_ip: string } | undefined {
  const block = r.ipRange === undefined ? undefined : parseCidr(r.ipRange);
  if (!block) return undefined;
  const { start, end } = leaseRange(block);
  return { start_ip: formatIPv4(start), end_ip: formatIPv4(end) };
}

/**
 * A container's interface on network `r`: what its start made (the run
 * dir's network.json, while it runs), else the address it holds in the
 * store, else nothing known yet.
 */
function interfacesOf(ctx: Context, store: NetworkStore, v: ContainerView, r: NetworkRecord): NetworkContainerInfo['interfaces'] {
  const prefixLen = r.subnet.split('/')[1];
  if (v.status === 'running') {
    let status: NetworkStatus | undefined;
    try {
      status = readJsonIfExists<NetworkStatus>(`${new ContainerStore(ctx).paths(v.record.id).run}/network.json`);
    } catch {
      status = undefined;
    }
    const ep = status?.networks?.[r.name];
    if (ep) return { [ep.interface]: { subnets: [{ ipnet: `${ep.ip}/${ep.prefixLen}`, gateway: ep.gateway }], mac_address: ep.mac } };
  }
  const ip = store.allocations(r.name)[v.record.id];
  if (!ip) return undefined;
  const attachments = attachmentsOf(v.record);
  const index = attachments.findIndex((a) => a.name === r.name);
  const mac = attachments[index]?.mac ?? macFromIp(ip);
  return { [`eth${Math.max(index, 0)}`]: { subnets: [{ ipnet: `${ip}/${prefixLen}`, gateway: r.gateway }], mac_address: mac } };
}

function inspectRecord(ctx: Context, store: NetworkStore, r: NetworkRecord, users: Map<string, ContainerView[]>): NetworkInspect {
  const lease = leaseRangeOf(r);
  const containers: Record<string, NetworkContainerInfo> = {};
  for (const v of users.get(r.name) ?? []) {
    const interfaces = interfacesOf(ctx, store, v, r);
    containers[v.record.id] = { name: v.record.name, ...(interfaces ? { interfaces } : {}) };
  }
  return {
    name: r.name,
    id: r.id,
    driver: r.driver,
    network_interface: r.bridge,
    created: r.created,
    subnets: [{ subnet: r.subnet, gateway: r.gateway, ...(lease ? { lease_range: lease } : {}) }],
    ipv6_enabled: false,
    internal: r.internal,
    dns_enabled: r.dnsEnabled,
    ...(Object.keys(r.labels).length ? { labels: r.labels } : {}),
    ...(r.mtu !== undefined ? { options: { mtu: String(r.mtu) } } : {}),
    ipam_options: { driver: 'host-local' },
    containers,
  };
}

export interface NetworkReport {
  /** The name or id as the user gave it. */
  name: string;
  error?: Error;
}

/** One report per name given: the inspect object, or why there is none. */
export function inspectNetworks(ctx: Context, names: string[]): Array<NetworkReport & { network?: NetworkInspect }> {
  const store = new NetworkStore(ctx);
  const users = networkUsers(ctx);
  return names.map((name) => {
    try {
      return { name, network: inspectRecord(ctx, store, store.get(name), users) };
    } catch (err) {
      return { name, error: err as Error };
    }
  });
}

/** Networks as `network ls` shows them: inspect's objects without their containers (so no container is read). */
export function describeNetworks(ctx: Context, records: NetworkRecord[]): NetworkInspect[] {
  const store = new NetworkStore(ctx);
  return records.map((r) => inspectRecord(ctx, store, r, new Map()));
}

export interface RemoveNetworkOptions {
  /** -f: the containers on the network are removed first (podman's rule); unknown networks are no error. */
  force: boolean;
  /** -t: with -f, running containers are stopped with this timeout first; without it they are killed at once, as `rm -f` does. */
  timeoutSec?: number;
}

/** `network rm`: one report per name, so `network rm a b c` goes on past a failure. */
export async function removeNetworks(ctx: Context, names: string[], opts: RemoveNetworkOptions): Promise<NetworkReport[]> {
  const store = new NetworkStore(ctx);
  const reports: NetworkReport[] = [];
  for (const name of names) {
    try {
      const r = store.get(name);
      if (opts.force && r.name !== DEFAULT_NETWORK) {
        const ids = (networkUsers(ctx).get(r.name) ?? []).map((v) => v.record.id);
        if (ids.length) {
          const failed = (await removeContainers(ctx, { names: ids, all: false }, { force: true, stopTimeoutSec: opts.timeoutSec })).find((c) => c.error);
          if (failed?.error) throw failed.error;
        }
      }
      store.remove(r.name, attachedNames(ctx));
      removeBridgeOf(ctx, r);
      recordEvent(ctx, { type: 'network', action: 'remove', id: r.id, name: r.name });
      reports.push({ name });
    } catch (err) {
      if (opts.force && err instanceof NotFoundError) continue;
      reports.push({ name, error: err as Error });
    }
  }
  return reports;
}

/** `network prune`: every network but the default one that no container is on and the filter (label, label!, until) accepts. */
export function pruneNetworks(ctx: Context, f: NetworkFilter = parseNetworkFilters([], PRUNE_FILTERS)): NetworkReport[] {
  const store = new NetworkStore(ctx);
  const before = new Map(store.list().map((r) => [r.name, r]));
  const reports = store.prune(attachedNames(ctx), (r) => matches(r, f, undefined));
  for (const rep of reports) if (!rep.error && before.has(rep.name)) removeBridgeOf(ctx, before.get(rep.name)!);
  return reports;
}

export interface ConnectOptions {
  /** --alias */
  aliases?: string[];
  /** --ip */
  ip?: string;
  /** --mac-address */
  mac?: string;
}

/**
 * Changes a container's record under containers.lock and networks.lock (in
 * that order, as the store asks), so a `network rm` cannot slip between the
 * check that the network exists and the write.
 */
function changeRecord(ctx: Context, nameOrId: string, change: (record: ContainerRecord, networks: NetworkStore, view: ContainerView) => void): { view: ContainerView; before: ContainerNetworkConfig } {
  const containers = new ContainerStore(ctx);
  const networks = new NetworkStore(ctx);
  return containers.locked(() =>
    networks.locked(() => {
      const view = containers.get(nameOrId);
      const before = networkConfigOf(view.record);
      change(view.record, networks, view);
      writeJsonAtomic(containers.paths(view.record.id).record, view.record, 0o600, !view.record.autoRemove);
      return { view, before };
    }),
  );
}

/** Whether the container's init runs now: its interfaces are then changed at once (after the locks: plugging takes them again). */
const runningNow = (view: ContainerView) => view.status === 'running' && Boolean(view.state && isAlive(view.state));

/** `network connect`: the container joins the network at its next start. */
export function connectNetwork(ctx: Context, network: string, container: string, opts: ConnectOptions = {}): void {
  const aliases = opts.aliases ?? [];
  for (const a of aliases) if (!NAME_PATTERN.test(a)) throw new UsageError(`invalid alias "${a}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const mac = opts.mac === undefined ? undefined : checkMac(opts.mac);
  let attachment: NetworkAttachment | undefined;
  const { view } = changeRecord(ctx, container, (record, networks) => {
    const r = networks.get(network);
    const net = networkConfigOf(record);
    if (net.mode.kind !== 'bridge') {
      throw new UsageError(`container ${record.name} uses network mode ${net.mode.kind}: only a container on bridge networks can be connected to another network`);
    }
    if (net.mode.networks.some((a) => a.name === r.name)) throw new ConflictError(`container ${record.name} is already connected to network ${r.name}`);
    if (opts.ip !== undefined) {
      checkRequestedIp(r, opts.ip);
      // Taken: asked for by another container on this network, or held by one that still exists.
      const asked = (networkUsers(ctx).get(r.name) ?? []).find((v) => v.record.id !== record.id && attachmentsOf(v.record).some((a) => a.name === r.name && a.ip === opts.ip));
      const held = Object.entries(networks.allocations(r.name)).find(([id, a]) => id !== record.id && a === opts.ip && new ContainerStore(ctx).view(id))?.[0];
      if (asked || held) throw new ConflictError(`IP address ${opts.ip} is already in use on network ${r.name} by container ${asked?.record.name ?? held!.slice(0, 12)}`);
    }
    attachment = { name: r.name, aliases, ...(opts.ip !== undefined ? { ip: opts.ip } : {}), ...(mac ? { mac } : {}) };
    record.net = { ...net, mode: { kind: 'bridge', networks: [...net.mode.networks, attachment] } };
  });
  recordEvent(ctx, { type: 'network', action: 'connect', id: attachment!.name, name: attachment!.name, attributes: { container: view.record.id } });
  if (!runningNow(view)) return;
  try {
    connectRunning(ctx, view, attachment!);
  } catch (err) {
    // Not plugged in: not connected either.
    changeRecord(ctx, view.record.id, (record) => {
      const net = networkConfigOf(record);
      if (net.mode.kind === 'bridge') record.net = { ...net, mode: { kind: 'bridge', networks: net.mode.networks.filter((a) => a.name !== attachment!.name) } };
    });
    throw err;
  }
}

/** `network disconnect`: the container leaves the network (at once if stopped; its address there is freed). */
export function disconnectNetwork(ctx: Context, network: string, container: string): void {
  let name = network;
  const { view, before } = changeRecord(ctx, container, (record, networks, v) => {
    // A network removed with -f is still named by records: match the name given too.
    name = networks.find(network)?.name ?? network;
    const net = networkConfigOf(record);
    if (net.mode.kind !== 'bridge' || !net.mode.networks.some((a) => a.name === name)) {
      throw new NotFoundError(`container ${record.name} is not connected to network ${name}`);
    }
    record.net = { ...net, mode: { kind: 'bridge', networks: net.mode.networks.filter((a) => a.name !== name) } };
    // A running container's address goes with its veth, below.
    if (!runningNow(v)) networks.release(name, record.id);
  });
  if (runningNow(view)) disconnectRunning(ctx, view, name, before);
  recordEvent(ctx, { type: 'network', action: 'disconnect', id: name, name, attributes: { container: view.record.id } });
}

/** --latest: the container created last (list() is newest first). */
export function latestContainerId(ctx: Context): string {
  const [newest] = new ContainerStore(ctx).list();
  if (!newest) throw new NotFoundError('no containers to act on: --latest needs one');
  return newest.record.id;
}

/**
 * `network reload`: for each running container on bridge networks, its
 * networks' bridges and firewall rules made again (veths die with a flushed
 * bridge only if the bridge itself was deleted; then restart the container).
 */
export function reloadNetworks(ctx: Context, sel: { names: string[]; all: boolean }): NetworkReport[] {
  const containers = new ContainerStore(ctx);
  const views = sel.all ? containers.list().filter(runningNow) : sel.names.map((n) => containers.get(n));
  const store = new NetworkStore(ctx);
  return views.map((view) => {
    try {
      if (!runningNow(view)) throw new ConflictError(`container ${view.record.name} is not running`);
      const mode = networkConfigOf(view.record).mode;
      if (mode.kind !== 'bridge') return { name: view.record.id };
      const where = ctx.rootless ? liveRootlessNetns(ctx)?.namespaces : hostNamespaces;
      if (!where) throw new ConflictError(`the rootless network namespace of container ${view.record.name} is gone: restart it`);
      for (const a of mode.networks) {
        const rec = store.get(a.name);
        ensureBridge(where, rec);
        applyFirewall(where, rec);
      }
      return { name: view.record.id };
    } catch (err) {
      return { name: view.record.name, error: err as Error };
    }
  });
}
