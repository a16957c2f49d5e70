// User networks on the wire: a Linux bridge per network, a veth pair per
// container and network, NAT out through nftables. As root the bridges are
// on the host; rootless they are in the rootless network namespace
// (rootless-netns.ts), whose own way out is pasta or slirp4netns. The same
// commands serve both: only the namespace they run in differs.
import type { NetworkEndpoint, NetworkRecord } from '../core/network.js';
import { HuskError } from '../core/errors.js';
import { ipBatch, linkExists, runIn, type NsTarget } from './nsexec.js';
import { findProgram } from './outbound.js';

/** The bridge of `net`, made when missing (with its gateway address unless internal). */
export function ensureBridge(where: NsTarget, net: NetworkRecord, mtu?: number): void {
  if (linkExists(where, net.bridge)) return;
  const prefix = net.subnet.split('/')[1];
  ipBatch(where, [
    `link add ${net.bridge} type bridge${mtu ? ` mtu ${mtu}` : ''}`,
    // An internal network has no address of the host's on it: nothing there reaches the host.
    ...(net.internal ? [] : [`addr add ${net.gateway}/${prefix} dev ${net.bridge}`]),
    `link set ${net.bridge} up`,
  ], `creating the bridge of network ${net.name}`);
}

/** Which firewall tool makes the rules: nftables where `nft` exists, else iptables (HUSK_FIREWALL overrides). */
export function firewallTool(): 'nftables' | 'iptables' {
  const forced = process.env.HUSK_FIREWALL;
  if (forced === 'nftables' || forced === 'iptables') return forced;
  if (findProgram('nft')) return 'nftables';
  if (findProgram('iptables-restore')) return 'iptables';
  throw new HuskError('user networks need nftables or iptables to route out (Debian: apt-get install nftables)');
}

/**
 * The firewall rules of one network, made again as a whole (idempotent):
 * masquerade what leaves its subnet unless it is internal; drop what crosses
 * from its bridge to another husk bridge, or anything in or out of an
 * internal one. Chains of its own, one per bridge: as root the bridges are
 * the host's, and one store's networks must not unmake another's rules.
 */
export function applyFirewall(where: NsTarget, net: NetworkRecord): void {
  const what = `setting up the firewall rules of network ${net.name}`;
  if (firewallTool() === 'nftables') {
    runIn(where, ['nft', '-f', '-'], what, nftablesScript(net));
    return;
  }
  runIn(where, ['iptables-restore', '--noflush'], what, iptablesScript(net));
  for (const [table, chain, ours] of iptablesJumps(net)) {
    try {
      runIn(where, ['iptables', '-w', '-t', table, '-C', chain, '-j', ours], what);
    } catch {
      runIn(where, ['iptables', '-w', '-t', table, '-I', chain, '-j', ours], what);
    }
  }
}

/** A removed network's rules go with its bridge. */
export function removeFirewall(where: NsTarget, net: NetworkRecord): void {
  const what = `removing the firewall rules of network ${net.name}`;
  try {
    if (firewallTool() === 'nftables') {
      runIn(where, ['nft', '-f', '-'], what, `table ip husk {}\ndelete chain ip husk post-${net.bridge}\ndelete chain ip husk fwd-${net.bridge}\n`);
      return;
    }
    for (const [table, chain, ours] of iptablesJumps(net)) {
      runIn(where, ['iptables', '-w', '-t', table, '-D', chain, '-j', ours], what);
      runIn(where, ['iptables', '-w', '-t', table, '-X', ours], what);
    }
  } catch {
    /* never made, or gone already */
  }
}

export function nftablesScript(net: NetworkRecord): string {
  const b = net.bridge;
  const forward = net.internal
    ? [`add rule ip husk fwd-${b} iifname "${b}" oifname != "${b}" drop`, `add rule ip husk fwd-${b} oifname "${b}" iifname != "${b}" drop`]
    : [`add rule ip husk fwd-${b} iifname "${b}" oifname "husk*" oifname != "${b}" drop`];
  return [
    'add table ip husk',
    `add chain ip husk post-${b} { type nat hook postrouting priority srcnat; policy accept; }`,
    `flush chain ip husk post-${b}`,
    ...(net.internal ? [] : [`add rule ip husk post-${b} ip saddr ${net.subnet} ip daddr != ${net.subnet} masquerade`]),
    `add chain ip husk fwd-${b} { type filter hook forward priority filter; policy accept; }`,
    `flush chain ip husk fwd-${b}`,
    ...forward,
  ].join('\n') + '\n';
}

/** The same for iptables-restore --noflush: chains declared (so emptied) and filled. */
export function iptablesScript(net: NetworkRecord): string {
  const b = net.bridge;
  const nat = net.internal ? [] : [`-A HUSK-POST-${b} -s ${net.subnet} ! -d ${net.subnet} -j MASQUERADE`];
  // One -o per rule: within the bridge returns, to any other husk bridge drops.
  const forward = net.internal
    ? [`-A HUSK-FWD-${b} -i ${b} -o ${b} -j RETURN`, `-A HUSK-FWD-${b} -i ${b} -j DROP`, `-A HUSK-FWD-${b} -o ${b} -j DROP`]
    : [`-A HUSK-FWD-${b} -i ${b} -o ${b} -j RETURN`, `-A HUSK-FWD-${b} -i ${b} -o husk+ -j DROP`];
  return ['*nat', `:HUSK-POST-${b} - [0:0]`, ...nat, 'COMMIT', '*filter', `:HUSK-FWD-${b} - [0:0]`, ...forward, 'COMMIT'].join('\n') + '\n';
}

function iptablesJumps(net: NetworkRecord): Array<[string, string, string]> {
  return [['nat', 'POSTROUTING', `HUSK-POST-${net.bridge}`], ['filter', 'FORWARD', `HUSK-FWD-${net.bridge}`]];
}

/** The host side of a container's veth on network number `index`: unique per container and network. */
export const hostVethName = (containerId: string, index: number) => `vh${containerId.slice(0, 10)}${index}`;

/**
 * Plugs a container (`netnsPid`, its init) into `net`: a veth pair whose
 * host end joins the bridge in `where`, and whose other end, `ifname`,
 * appears in the container with its address and MAC. The first network
 * with a gateway gives the default route.
 */
export function connectEndpoint(where: NsTarget, inContainer: NsTarget, net: NetworkRecord, ep: NetworkEndpoint, hostVeth: string, netnsPid: number, defaultRoute: boolean): void {
  ipBatch(where, [
    `link add ${hostVeth} type veth peer name ${ep.interface} address ${ep.mac} netns ${netnsPid}`,
    `link set ${hostVeth} master ${net.bridge} up`,
  ], `connecting the container to network ${net.name}`);
  ipBatch(inContainer, [
    `addr add ${ep.ip}/${ep.prefixLen} dev ${ep.interface}`,
    `link set ${ep.interface} up`,
    ...(defaultRoute && !net.internal ? [`route add default via ${ep.gateway} dev ${ep.interface}`] : []),
  ], `configuring the container's address on network ${net.name}`);
}

/** The bridge of a network being removed (no container is on it): gone, if it exists here. */
export function removeBridge(where: NsTarget, bridge: string): void {
  if (linkExists(where, bridge)) ipBatch(where, [`link del ${bridge}`], `removing the bridge ${bridge}`);
}
