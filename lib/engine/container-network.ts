// Networking in a container's life: which namespaces its init joins when it
// is made, what its start builds before the program runs (network.ts in
// lib/network), the files that tell it its names, and what its exit undoes.
import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { type ContainerNetworkConfig, type NetworkAttachment, type NetworkMode, type NetworkStatus, type PortMapping } from '../core/network.js';
import type { Spec } from '../core/oci-spec.js';
import { ConflictError, UsageError } from '../core/errors.js';
import { PodStore } from '../runtime/pod-store.js';
import { ContainerStore, isAlive, readNetworkStatus, type ContainerRecord, type ContainerView } from '../runtime/container-store.js';
import { attachNetwork, detachNetwork, plugRunning, saveNetworkStatus, unplugRunning } from '../network/setup.js';
import { killStaleHelper } from '../network/net-helper.js';
import { networkNames as networkModeNames } from '../network/inspect.js';
import { formatPorts } from '../network/ports.js';

export { parseNetworkConfig, type NetworkConfigFlags } from '../network/mode.js';
export { formatPorts, parsePortFilter, portCommandLines } from '../network/ports.js';
import { joinRootlessNetns } from '../network/rootless-netns.js';
import { NetworkStore } from '../network/store.js';
import { hostsFile, resolvConf } from '../network/etc-files.js';
import { parseAddHost } from '../network/mode.js';

type Paths = ReturnType<ContainerStore['paths']>;

/** The record's network config; for a record written before it had one, what its old `network` meant. */
export function networkConfigOf(record: ContainerRecord): ContainerNetworkConfig {
  return record.net ?? { mode: legacyMode(record), ports: [], publishAll: false, expose: [], addHosts: [], noHosts: false, dns: [], dnsSearch: [], dnsOptions: [] };
}

/** `private` was a namespace of the container's own with loopback only: today's none. */
function legacyMode(record: ContainerRecord): NetworkMode {
  return record.network === 'host' ? { kind: 'host' } : { kind: 'none' };
}

/**
 * Makes the init with the namespaces its network mode joins: another
 * container's (container:), a path (ns:), or rootless on user networks the
 * rootless network namespace's user namespace, so its veths can be plugged in.
 */
export function spawnWithNetwork<T extends { pid: number }>(ctx: Context, record: ContainerRecord, spec: Spec, spawn: (spec: Spec) => T): T {
  const mode = networkConfigOf(record).mode;
  const withJoins = (joins: Record<string, string>): Spec => {
    const namespaces = (spec.linux.namespaces ?? []).map((n) => (joins[n.type] ? { type: n.type, path: joins[n.type] } : n));
    const joinsUser = Boolean(joins.user);
    return { ...spec, linux: { ...spec.linux, namespaces, ...(joinsUser ? { uidMappings: undefined, gidMappings: undefined } : {}) } };
  };
  if (mode.kind === 'container') {
    const other = runningContainer(ctx, mode.container);
    const ns = (type: string) => `/proc/${other.state!.pid}/ns/${type}`;
    const joins: Record<string, string> = { network: ns('net') };
    if (ctx.rootless) joins.user = ns('user');
    // A pod's member shares the infra's IPC and UTS namespaces too, as the pod says.
    const pod = record.pod && !record.podInfra ? new PodStore(ctx).find(record.pod) : undefined;
    if (pod?.infraId === other.record.id) {
      if (pod.share.includes('ipc')) joins.ipc = ns('ipc');
      if (pod.share.includes('uts')) joins.uts = ns('uts');
    }
    return spawn(withJoins(joins));
  }
  if (mode.kind === 'ns') return spawn(withJoins({ network: mode.path }));
  if (mode.kind === 'bridge' && ctx.rootless) {
    return joinRootlessNetns(ctx, (ns) => spawn(withJoins({ user: `/proc/${ns.pid}/ns/user` })));
  }
  return spawn(spec);
}

function runningContainer(ctx: Context, nameOrId: string): ContainerView {
  const view = new ContainerStore(ctx).get(nameOrId);
  if (!view.state || !isAlive(view.state)) throw new ConflictError(`cannot join the network of container ${view.record.name}: it is not running`);
  return view;
}

/** Whether a container's init lives (running or created): its addresses are held. */
const liveIn = (store: ContainerStore) => (id: string) => {
  const v = store.view(id);
  return Boolean(v?.state && isAlive(v.state));
};

/**
 * Builds the container's network, writes its hosts and resolv.conf, runs
 * `start` (which releases the init) and keeps the network only if that
 * worked. Its peers' hosts files learn its name.
 */
export function startWithNetwork(ctx: Context, view: ContainerView, start: () => void): void {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  const config = networkConfigOf(view.record);
  killStaleHelper(readNetworkStatus(p)?.helperPid);
  const attached = attachNetwork(ctx, {
    id: view.record.id,
    initPid: view.state!.pid,
    config,
    runDir: p.run,
    isLive: liveIn(store),
  });
  try {
    saveNetworkStatus(p.networkStatus, attached.status);
    writeEtcFiles(ctx, view.record, p, attached.status, attached.dnsForwarder);
    // Committed before the start: a husk killed after the exec leaves a running container with its ports.
    attached.commit();
    start();
  } catch (err) {
    attached.abandon();
    fs.rmSync(p.networkStatus, { force: true });
    throw err;
  }
  refreshPeers(ctx, view.record.id, config);
}

/**
 * `network connect` of a running container on bridge networks: plugged in
 * at once, its names known to its new peers and theirs to it.
 */
export function connectRunning(ctx: Context, view: ContainerView, attachment: NetworkAttachment): void {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  const status = readNetworkStatus(p) ?? { ports: [], networks: {} };
  const taken = Object.values(status.networks).map((ep) => Number(ep.interface.replace(/^eth/, '')));
  const index = taken.length ? Math.max(...taken) + 1 : 0;
  const routed = Object.values(status.networks).some((ep) => ep.gateway);
  const ep = plugRunning(ctx, { id: view.record.id, initPid: view.state!.pid, isLive: liveIn(store) }, attachment, index, !routed);
  status.networks[attachment.name] = ep;
  saveNetworkStatus(p.networkStatus, status);
  rewriteOwnHosts(ctx, view.record, p, status);
  refreshPeers(ctx, view.record.id, networkConfigOf(view.record));
}

/** `network disconnect` of a running container: unplugged at once, and gone from its old peers' names. */
export function disconnectRunning(ctx: Context, view: ContainerView, network: string, before: ContainerNetworkConfig): void {
  const p = new ContainerStore(ctx).paths(view.record.id);
  const status = readNetworkStatus(p);
  const ep = status?.networks[network];
  if (!status || !ep) return;
  unplugRunning(ctx, view.record.id, network, ep);
  delete status.networks[network];
  saveNetworkStatus(p.networkStatus, status);
  rewriteOwnHosts(ctx, view.record, p, status);
  refreshPeers(ctx, view.record.id, before);
}

function rewriteOwnHosts(ctx: Context, record: ContainerRecord, p: Paths, status: NetworkStatus): void {
  if (!networkConfigOf(record).noHosts) fs.writeFileSync(p.hosts, hostsOf(ctx, record, status, networkMembers(ctx)));
}

/** The container left its networks: addresses free, peers' hosts files without it. */
export function leaveNetworks(ctx: Context, record: ContainerRecord): void {
  const config = networkConfigOf(record);
  detachNetwork(ctx, record.id, config);
  refreshPeers(ctx, record.id, config);
}

/** What the running container's start made of its network; none for a container not running. */
export function networkStatusOf(ctx: Context, view: ContainerView): NetworkStatus | undefined {
  if (view.status !== 'running') return undefined;
  return readNetworkStatus(new ContainerStore(ctx).paths(view.record.id));
}

/** The host ports the container has bound: none unless it runs. */
export function publishedPorts(ctx: Context, view: ContainerView): PortMapping[] {
  return networkStatusOf(ctx, view)?.ports ?? [];
}

/** ps' PORTS column: bound ports and exposed ones while it runs, else empty (as docker). */
export function psPorts(ctx: Context, view: ContainerView): string {
  const status = networkStatusOf(ctx, view);
  return status ? formatPorts(status.ports, networkConfigOf(view.record).expose) : '';
}

/** ps' Networks column. */
export function psNetworks(view: ContainerView): string {
  return view.record.net ? networkModeNames(view.record.net.mode) : view.record.network;
}

const networkNames = (config: ContainerNetworkConfig) =>
  config.mode.kind === 'bridge' ? config.mode.networks.map((a) => a.name) : [];

/** A running container with its network as its start made it. */
interface Member {
  record: ContainerRecord;
  paths: Paths;
  status: NetworkStatus;
}

/** Every running container's network, read once for all the hosts files one change rewrites. */
function networkMembers(ctx: Context): Member[] {
  const store = new ContainerStore(ctx);
  return store.list().flatMap((v) => {
    if (v.status !== 'running') return [];
    const paths = store.paths(v.record.id);
    const status = readNetworkStatus(paths);
    return status ? [{ record: v.record, paths, status }] : [];
  });
}

/** Members on any of `networks`, except `selfId`. */
function peersIn(members: Member[], selfId: string, networks: Set<string>): Member[] {
  if (networks.size === 0) return [];
  return members.filter((m) => m.record.id !== selfId && Object.keys(m.status.networks).some((n) => networks.has(n)));
}

/** Rewrites the hosts file of every peer (in place: it is bind-mounted into them). */
function refreshPeers(ctx: Context, selfId: string, config: ContainerNetworkConfig): void {
  const names = new Set(networkNames(config));
  // Not on a user network (pasta, none, host...): no peers, and no reading every container on each run.
  if (names.size === 0) return;
  const members = networkMembers(ctx);
  for (const peer of peersIn(members, selfId, names)) {
    try {
      fs.writeFileSync(peer.paths.hosts, hostsOf(ctx, peer.record, peer.status, members));
    } catch {
      /* the peer is going away */
    }
  }
}

function hostsOf(ctx: Context, record: ContainerRecord, status: NetworkStatus, members: Member[]): string {
  const config = networkConfigOf(record);
  const own = Object.values(status.networks);
  // Names only on networks with DNS (not the default one, as docker's default bridge and podman's).
  const networks = new NetworkStore(ctx);
  const named = new Set(Object.keys(status.networks).filter((name) => networks.find(name)?.dnsEnabled));
  const peers = peersIn(members, record.id, named).flatMap((peer) =>
    Object.entries(peer.status.networks)
      .filter(([name]) => named.has(name))
      .map(([, ep]) => ({ ip: ep.ip, names: [peer.record.name, peer.record.id.slice(0, 12), ...ep.aliases] })),
  );
  return hostsFile({
    hostname: record.hostname,
    containerName: record.name,
    shortId: record.id.slice(0, 12),
    aliases: [...new Set(own.flatMap((ep) => ep.aliases))],
    ownAddresses: own.map((ep) => ep.ip),
    peers,
    addHosts: config.addHosts.map(parseAddHost),
    hostGateway: status.hostGateway,
    baseHosts: config.mode.kind === 'host' ? readOr('/etc/hosts', '') : undefined,
  });
}

/**
 * /etc/hosts (unless --no-hosts) and /etc/resolv.conf, at each start: create
 * only made them empty, for the init to bind-mount. A container: network
 * has no addresses of its own; its files say localhost and its hostname.
 */
function writeEtcFiles(ctx: Context, record: ContainerRecord, p: Paths, status: NetworkStatus, dnsForwarder: string | undefined): void {
  const config = networkConfigOf(record);
  const members = config.mode.kind === 'bridge' ? networkMembers(ctx) : [];
  if (!config.noHosts) fs.writeFileSync(p.hosts, hostsOf(ctx, record, status, members));
  fs.writeFileSync(p.resolvConf, resolvConf({
    hostResolvConf: readOr('/etc/resolv.conf', ''),
    dns: config.dns,
    dnsSearch: config.dnsSearch,
    dnsOptions: config.dnsOptions,
    loopbackReplacement: dnsForwarder,
    keepLoopback: config.mode.kind === 'host',
  }));
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** -p needs a network of the container's own. */
export function checkPublishable(config: ContainerNetworkConfig): void {
  const kind = config.mode.kind;
  if ((config.ports.length || config.publishAll) && (kind === 'container' || kind === 'none')) {
    throw new UsageError(`ports cannot be published with --network ${kind}: the container has no network of its own`);
  }
}
