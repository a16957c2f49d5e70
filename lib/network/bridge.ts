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
 * The firewall rules of every network, made again as a whole (idempotent):
 * masquerade what leaves a non-internal network's subnet, and drop what
 * crosses from one husk bridge to another, or out of an internal one.
 */
export function applyFirewall(where: NsTarget, networks: NetworkRecord[]): void {
  const what = 'setting up the firewall rules of husk networks';
  if (firewallTool() === 'nftables') runIn(where, ['nft', '-f', '-'], what, nftablesScript(networks));
  else {
    runIn(where, ['iptables-restore', '--noflush'], what, iptablesScript(networks));
    // The jumps into husk's chains, once.
    for (const [table, chain, ours] of [['nat', 'POSTROUTING', 'HUSK-POSTROUTING'], ['filter', 'FORWARD', 'HUSK-FORWARD']] as const) {
      try {
        runIn(where, ['iptables', '-w', '-t', table, '-C', chain, '-j', ours], what);
      } catch {
        runIn(where, ['iptables', '-w', '-t', table, '-I', chain, '-j', ours], what);
      }
    }
  }
}

export function nftablesScript(networks: NetworkRecord[]): string {
  const nat = networks.filter((n) => !n.internal).map((n) => `    ip saddr ${n.subnet} ip daddr != ${n.subnet} masquerade`);
  const isolate = networks.map((n) => n.internal
    ? `    iifname "${n.bridge}" oifname != "${n.bridge}" drop\n    oifname "${n.bridge}" iifname != "${n.bridge}" drop`
    : `    iifname "${n.bridge}" oifname "husk*" oifname != "${n.bridge}" drop`);
  return [
    'table ip husk {}',
    'flush table ip husk',
    'table ip husk {',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...nat,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    ...isolate,
    '  }',
    '}',
  ].join('\n') + '\n';
}

/** The same rules for iptables-restore --noflush: husk's own chains, emptied and filled again. */
export function iptablesScript(networks: NetworkRecord[]): string {
  const nat = networks.filter((n) => !n.internal).map((n) => `-A HUSK-POSTROUTING -s ${n.subnet} ! -d ${n.subnet} -j MASQUERADE`);
  const isolate = networks.flatMap((n) => n.internal
    ? [`-A HUSK-FORWARD -i ${n.bridge} ! -o ${n.bridge} -j DROP`, `-A HUSK-FORWARD -o ${n.bridge} ! -i ${n.bridge} -j DROP`]
    // iptables takes one -o: every other husk bridge by name.
    : networks.filter((o) => o.bridge !== n.bridge).map((o) => `-A HUSK-FORWARD -i ${n.bridge} -o ${o.bridge} -j DROP`));
  return ['*nat', ':HUSK-POSTROUTING - [0:0]', ...nat, 'COMMIT', '*filter', ':HUSK-FORWARD - [0:0]', ...isolate, 'COMMIT'].join('\n') + '\n';
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
