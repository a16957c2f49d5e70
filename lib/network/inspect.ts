// A container's networking as docker's inspect and ps show it
// (NetworkSettings, HostConfig.NetworkMode and .PortBindings, the Networks
// column), from its record's ContainerNetworkConfig and, while it runs, the
// NetworkStatus its start wrote.
import { DEFAULT_NETWORK, type ContainerNetworkConfig, type NetworkMode, type NetworkStatus } from '../core/network.js';
import { hostConfigPortBindings, portBindings, type PortBinding } from './ports.js';

/**
 * HostConfig.NetworkMode: `bridge` for the default network alone, else the
 * first user network's name (as docker), or pasta, slirp4netns, none, host,
 * `container:NAME|ID` (as given), `ns:PATH`.
 */
export function networkModeName(mode: NetworkMode): string {
  switch (mode.kind) {
    case 'bridge':
      return mode.networks.length === 1 && mode.networks[0]!.name === DEFAULT_NETWORK ? 'bridge' : mode.networks[0]?.name ?? 'bridge';
    case 'container':
      return `container:${mode.container}`;
    case 'ns':
      return `ns:${mode.path}`;
    default:
      return mode.kind;
  }
}

/** ps' Networks column: the user networks joined, else the mode's name. */
export function networkNames(mode: NetworkMode): string {
  return mode.kind === 'bridge' ? mode.networks.map((n) => n.name).join(',') : networkModeName(mode);
}

/** The networking fields of inspect's HostConfig: what was asked for. */
export function inspectHostConfigNetwork(net: ContainerNetworkConfig): {
  NetworkMode: string;
  PortBindings: Record<string, PortBinding[]>;
  PublishAllPorts: boolean;
  Dns: string[];
  DnsOptions: string[];
  DnsSearch: string[];
  ExtraHosts: string[] | null;
} {
  return {
    NetworkMode: networkModeName(net.mode),
    PortBindings: hostConfigPortBindings(net.ports),
    PublishAllPorts: net.publishAll,
    Dns: net.dns,
    DnsOptions: net.dnsOptions,
    DnsSearch: net.dnsSearch,
    ExtraHosts: net.addHosts.length ? net.addHosts : null,
  };
}

/** One entry of NetworkSettings.Networks, as docker names its fields. */
export interface InspectEndpoint {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string } | null;
  Links: null;
  Aliases: string[] | null;
  MacAddress: string;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DriverOpts: null;
  DNSNames: string[] | null;
}

/**
 * inspect's NetworkSettings (less SandboxKey, which the caller knows).
 * Running (a status given): Ports as bound, exposed ones not published as
 * null, and the addresses the start got; the top-level IPAddress, Gateway,
 * ... are those of pasta or slirp4netns, or of the first user network.
 * Not running: Ports empty and no addresses, as docker shows a stopped
 * container, but each user network still listed with its aliases and the
 * --ip and --mac-address asked for (IPAMConfig). Only user networks appear
 * under Networks.
 */
export function inspectNetworkSettings(net: ContainerNetworkConfig, status: NetworkStatus | undefined) {
  const networks: Record<string, InspectEndpoint> = {};
  let first: { ip: string; prefixLen: number; gateway: string; mac: string } | undefined;
  if (net.mode.kind === 'bridge') {
    for (const a of net.mode.networks) {
      const ep = status?.networks[a.name];
      if (ep && !first) first = ep;
      const v6 = ep ? ep.ip.includes(':') : false;
      const ipam = a.ip === undefined ? null : a.ip.includes(':') ? { IPv6Address: a.ip } : { IPv4Address: a.ip };
      networks[a.name] = {
        IPAMConfig: ipam,
        Links: null,
        Aliases: (ep?.aliases ?? a.aliases).length ? ep?.aliases ?? a.aliases : null,
        MacAddress: ep?.mac ?? '',
        NetworkID: ep?.networkId ?? '',
        EndpointID: '',
        Gateway: ep && !v6 ? ep.gateway : '',
        IPAddress: ep && !v6 ? ep.ip : '',
        IPPrefixLen: ep && !v6 ? ep.prefixLen : 0,
        IPv6Gateway: ep && v6 ? ep.gateway : '',
        GlobalIPv6Address: ep && v6 ? ep.ip : '',
        GlobalIPv6PrefixLen: ep && v6 ? ep.prefixLen : 0,
        DriverOpts: null,
        DNSNames: ep ? ep.aliases : null,
      };
    }
  } else if (status?.ip) {
    first = { ip: status.ip, prefixLen: status.prefixLen ?? 0, gateway: status.gateway ?? '', mac: status.mac ?? '' };
  }
  return {
    Bridge: '',
    SandboxID: '',
    HairpinMode: false,
    Ports: status ? portBindings(status.ports, net.expose) : {},
    IPAddress: first?.ip ?? '',
    IPPrefixLen: first?.prefixLen ?? 0,
    Gateway: first?.gateway ?? '',
    MacAddress: first?.mac ?? '',
    Networks: networks,
  };
}
