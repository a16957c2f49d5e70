// A container's network, made when it starts (its init exists, blocked on
// the exec FIFO, in its own network namespace) and undone when it exits:
// the outbound helper or the veths, the addresses, /etc/hosts and
// /etc/resolv.conf, and the forwarder of its published ports.
import fs from 'node:fs';
import type { Context } from '../core/context.js';
import { type ContainerNetworkConfig, type NetworkAttachment, type NetworkEndpoint, type NetworkRecord, type NetworkStatus, type PortMapping } from '../core/network.js';
import { HuskError, UsageError } from '../core/errors.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import { applyFirewall, connectEndpoint, ensureBridge, hostVethName } from './bridge.js';
import { startNetHelper, type ForwardPlan, type StartedHelper } from './net-helper.js';
import { hostNamespaces, ipBatch, namespacesOf, type NsTarget } from './nsexec.js';
import { hostDefaultGateway, outboundCandidates, pastaArgv, slirpArgv, SLIRP } from './outbound.js';
import { leaseOnBridge } from './host-leases.js';
import { liveRootlessNetns, rootlessNetns } from './rootless-netns.js';
import { NetworkStore } from './store.js';

export interface AttachRequest {
  id: string;
  initPid: number;
  config: ContainerNetworkConfig;
  /** The container's run dir: network.json and husk-net's log go there. */
  runDir: string;
  /** Whether a container is live (running or created), for freeing stale addresses. */
  isLive: (containerId: string) => boolean;
}

export interface AttachedNetwork {
  status: NetworkStatus;
  /** A nameserver the container can reach in place of the host's loopback one. */
  dnsForwarder?: string;
  /** The container's program runs: the forwarder stays. */
  commit(): void;
  /** The start failed: undo what can be undone. */
  abandon(): void;
}

/** Makes the container's network; on failure nothing of it is left. */
export function attachNetwork(ctx: Context, req: AttachRequest): AttachedNetwork {
  const mode = req.config.mode;
  switch (mode.kind) {
    case 'pasta':
    case 'slirp4netns':
      return attachOwnNamespace(ctx, req, mode.kind, mode.options);
    case 'bridge':
      return attachBridges(ctx, req);
    default:
      if (req.config.ports.length) throw new UsageError(`ports cannot be published with --network ${mode.kind}`);
      return done({ ports: [], networks: {} });
  }
}

function done(status: NetworkStatus, helper?: StartedHelper, extra: Partial<AttachedNetwork> = {}): AttachedNetwork {
  return { status, commit: () => helper?.commit(), abandon: () => helper?.abandon(), ...extra };
}

/** pasta or slirp4netns: the container's own namespace, ports relayed to its loopback. */
function attachOwnNamespace(ctx: Context, req: AttachRequest, wanted: 'pasta' | 'slirp4netns', options: string[]): AttachedNetwork {
  const target = namespacesOf(req.initPid, ctx.rootless);
  const publish = req.config.ports.map((port) => ({ port, targetIp: '127.0.0.1' }));
  // pasta first; slirp4netns when pasta is missing or fails, unless slirp4netns
  // was asked for by name, or pasta with options of its own.
  const candidates = outboundCandidates(wanted === 'slirp4netns' ? 'slirp4netns' : undefined)
    .filter((c) => !(wanted === 'pasta' && options.length && c.kind === 'slirp4netns'));
  if (candidates.length === 0) outboundCandidates('pasta');
  let lastError: Error | undefined;
  for (const choice of candidates) {
    const outbound = choice.kind === 'pasta'
      ? { argv: pastaArgv(choice.program, req.initPid, options, `${req.runDir}/pasta.pid`), readyFdArg: false }
      : { argv: slirpArgv(choice.program, req.initPid, choice.kind === wanted ? options : [], ctx.rootless), readyFdArg: true };
    try {
      const helper = startNetHelper(ctx, { initPid: req.initPid, container: req.runDir, target, publish, outbound }, `${req.runDir}/husk-net.log`);
      const status = statusOf(req, helper, {});
      if (choice.kind === 'slirp4netns') {
        const loopback = options.includes('allow_host_loopback=true');
        const hostGateway = loopback ? SLIRP.gateway : undefined;
        return done({ ...status, ip: SLIRP.ip, gateway: SLIRP.gateway, prefixLen: SLIRP.prefixLen, hostGateway }, helper, { dnsForwarder: SLIRP.dns });
      }
      const gateway = hostDefaultGateway();
      return done({ ...status, hostGateway: gateway }, helper, { dnsForwarder: gateway });
    } catch (err) {
      // A port in use is the user's to fix: no other program would do better.
      if (/already in use|need root/.test((err as Error).message)) throw err;
      lastError = err as Error;
    }
  }
  throw lastError ?? new HuskError('the container cannot get a network');
}

function statusOf(req: AttachRequest, helper: StartedHelper | undefined, networks: Record<string, NetworkEndpoint>): NetworkStatus {
  const ports: PortMapping[] = req.config.ports.map((p, i) => ({ ...p, hostPort: helper?.hostPorts[i] ?? p.hostPort }));
  return { helperPid: helper?.pid, ports, networks };
}

/** User networks: a veth into each network's bridge, then the forwarder to the first one's address. */
function attachBridges(ctx: Context, req: AttachRequest): AttachedNetwork {
  const mode = req.config.mode;
  if (mode.kind !== 'bridge') throw new Error('not a bridge mode');
  const store = new NetworkStore(ctx);
  const records = mode.networks.map((a) => store.get(a.name));
  // Rootless, the bridges live in the rootless network namespace, which the container's init joined.
  const where = bridgeNamespaces(ctx);
  if (!ctx.rootless) enableForwarding();
  const endpoints: Record<string, NetworkEndpoint> = {};
  try {
    for (const rec of records) {
      ensureBridge(where, rec);
      applyFirewall(where, rec);
    }
    let routed = false;
    mode.networks.forEach((a, i) => {
      const rec = records[i]!;
      endpoints[rec.name] = plug(ctx, { where, store, rec, attachment: a, id: req.id, initPid: req.initPid, isLive: req.isLive, index: i, defaultRoute: !routed });
      if (!rec.internal) routed = true;
    });
  } catch (err) {
    releaseAddresses(ctx, req.id, records);
    throw err;
  }
  const first = Object.values(endpoints)[0];
  if (!first && req.config.ports.length) throw new UsageError('ports cannot be published: the container is on no network (network connect it first)');
  const plan: ForwardPlan = {
    initPid: req.initPid,
    container: req.runDir,
    target: ctx.rootless ? where : hostNamespaces,
    publish: req.config.ports.map((port) => ({ port, targetIp: first!.ip })),
  };
  let helper: StartedHelper | undefined;
  if (plan.publish.length) {
    try {
      helper = startNetHelper(ctx, plan, `${req.runDir}/husk-net.log`);
    } catch (err) {
      releaseAddresses(ctx, req.id, records);
      throw err;
    }
  }
  const routedNet = records.find((r) => !r.internal);
  // Rootless, the host is reached through the rootless namespace's pasta, which maps its gateway to the host.
  const hostGateway = routedNet && (ctx.rootless ? hostDefaultGateway() : endpoints[routedNet.name]!.gateway);
  return done({ ...statusOf(req, helper, endpoints), hostGateway }, helper, {
    dnsForwarder: ctx.rootless ? hostDefaultGateway() : undefined,
    abandon: () => {
      helper?.abandon();
      releaseAddresses(ctx, req.id, records);
    },
  });
}

interface PlugRequest {
  where: NsTarget;
  store: NetworkStore;
  rec: NetworkRecord;
  attachment: NetworkAttachment;
  id: string;
  initPid: number;
  isLive: (containerId: string) => boolean;
  /** n of the container's ethN, and of its host-side veth. */
  index: number;
  defaultRoute: boolean;
}

/** An address on the network, then the veth that puts the container there. */
function plug(ctx: Context, r: PlugRequest): NetworkEndpoint {
  const a = r.attachment;
  const allocate = (taken?: Set<string>) => r.store.allocate(r.rec.name, r.id, { ip: a.ip, mac: a.mac, isLive: r.isLive, taken });
  // As root the bridge is the host's: other stores' containers may be on it too.
  const lease = ctx.rootless ? allocate() : leaseOnBridge(r.rec.bridge, r.initPid, allocate);
  const ep: NetworkEndpoint = { networkId: r.rec.id, ip: lease.ip, prefixLen: lease.prefixLen, gateway: r.rec.internal ? '' : lease.gateway, mac: lease.mac, aliases: a.aliases, interface: `eth${r.index}` };
  const inContainer: NsTarget = { ...namespacesOf(r.initPid, false), userns: r.where.userns };
  connectEndpoint(r.where, inContainer, r.rec, ep, hostVethName(r.id, r.index), r.initPid, r.defaultRoute);
  return ep;
}

/** Where the bridges are: the host's namespaces, or rootless the rootless network namespace's. */
function bridgeNamespaces(ctx: Context): NsTarget {
  return ctx.rootless ? rootlessNetns(ctx).namespaces : hostNamespaces;
}

/**
 * `network connect` of a running container: one more veth, as its start
 * would have made it; the endpoint, for its network.json.
 */
export function plugRunning(ctx: Context, req: { id: string; initPid: number; isLive: (id: string) => boolean }, attachment: NetworkAttachment, index: number, defaultRoute: boolean): NetworkEndpoint {
  const store = new NetworkStore(ctx);
  const rec = store.get(attachment.name);
  const where = ctx.rootless ? liveRootlessNetnsOrFail(ctx) : hostNamespaces;
  if (!ctx.rootless) enableForwarding();
  ensureBridge(where, rec);
  applyFirewall(where, rec);
  try {
    return plug(ctx, { where, store, rec, attachment, ...req, index, defaultRoute });
  } catch (err) {
    store.release(rec.name, req.id);
    throw err;
  }
}

/** `network disconnect` of a running container: its veth there goes (both ends), and its address. */
export function unplugRunning(ctx: Context, id: string, network: string, ep: NetworkEndpoint): void {
  const where = ctx.rootless ? liveRootlessNetnsOrFail(ctx) : hostNamespaces;
  const index = Number(ep.interface.replace(/^eth/, ''));
  ipBatch(where, [`link del ${hostVethName(id, index)}`], `disconnecting the container from network ${network}`);
  new NetworkStore(ctx).release(network, id);
}

function liveRootlessNetnsOrFail(ctx: Context): NsTarget {
  const ns = liveRootlessNetns(ctx);
  if (!ns) throw new HuskError('the rootless network namespace is gone: restart the container');
  return ns.namespaces;
}

function releaseAddresses(ctx: Context, id: string, records: NetworkRecord[]): void {
  const store = new NetworkStore(ctx);
  for (const rec of records) store.release(rec.name, id);
}

/** As root the host routes between the bridges and out: docker and podman turn this on too. */
function enableForwarding(): void {
  try {
    if (fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() !== '1') fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
  } catch (err) {
    throw new HuskError(`cannot turn on IPv4 forwarding (/proc/sys/net/ipv4/ip_forward): ${(err as Error).message}`);
  }
}

/** Writes what a start made, for inspect, ps and port. */
export function saveNetworkStatus(file: string, status: NetworkStatus): void {
  writeJsonAtomic(file, status, 0o600, false);
}

/** The container left its networks (it exited or is removed): its addresses are free again. */
export function detachNetwork(ctx: Context, id: string, config: ContainerNetworkConfig | undefined): void {
  if (config?.mode.kind !== 'bridge') return;
  const store = new NetworkStore(ctx);
  for (const a of config.mode.networks) {
    try {
      store.release(a.name, id);
    } catch {
      /* the network is gone */
    }
  }
}
