// A container's networking as the commands read it (ps, port, inspect), and
// the parsers of lib/network that the command line uses (lib/cli reaches
// the layers below only through the engine).
import type { Context } from '../core/context.js';
import type { ContainerNetworkConfig, NetworkMode, NetworkStatus, PortMapping } from '../core/network.js';
import { ContainerStore, readNetworkStatus, type ContainerRecord, type ContainerView } from '../runtime/container-store.js';
import { networkNames } from '../network/inspect.js';
import { formatPorts } from '../network/ports.js';

export { parseNetworkConfig, type NetworkConfigFlags } from '../network/mode.js';
export { formatPorts, parsePortFilter, portCommandLines } from '../network/ports.js';

/** The record's network config; for a record written before it had one, what its old `network` meant. */
export function networkConfigOf(record: ContainerRecord): ContainerNetworkConfig {
  return record.net ?? { mode: legacyMode(record), ports: [], publishAll: false, expose: [], addHosts: [], noHosts: false, dns: [], dnsSearch: [], dnsOptions: [] };
}

/** `private` was a namespace of the container's own with loopback only: pasta rootless, slirp4netns before. */
function legacyMode(record: ContainerRecord): NetworkMode {
  if (record.network === 'none' || record.network === 'host') return { kind: record.network };
  return { kind: 'slirp4netns', options: [] };
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
  return view.record.net ? networkNames(view.record.net.mode) : view.record.network;
}
