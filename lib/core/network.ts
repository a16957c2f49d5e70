// The shapes of container networking, shared by every layer: what the user
// asked for (kept in the container's record) and what a start made of it
// (kept in the run dir, gone with the container's process). Logic lives in
// lib/network; this file is only the vocabulary.

/**
 * --network, parsed. `bridge` joins user networks by name (`husk` is the
 * default one); rootless they live in the shared rootless network namespace,
 * as root on the host. `pasta` and `slirp4netns` give the container a
 * namespace of its own with outbound access through that program (rootless
 * default: pasta, else slirp4netns). `private` is never stored: it becomes
 * the default of the mode (rootless pasta, root bridge).
 */
export type NetworkMode =
  | { kind: 'pasta'; options: string[] }
  | { kind: 'slirp4netns'; options: string[] }
  | { kind: 'bridge'; networks: NetworkAttachment[] }
  | { kind: 'none' }
  | { kind: 'host' }
  | { kind: 'container'; container: string }
  | { kind: 'ns'; path: string };

/** The default user network's name (docker's is "bridge", podman's "podman"). */
export const DEFAULT_NETWORK = 'husk';

/** One user network a container joins, with what was asked for it. */
export interface NetworkAttachment {
  name: string;
  /** --network-alias, plus for every container its name and short id (added at start). */
  aliases: string[];
  /** --ip */
  ip?: string;
  /** --mac-address */
  mac?: string;
}

/** -p, one port each (a range is expanded when parsed). hostPort 0: any free port, chosen at start. */
export interface PortMapping {
  /** '' for every address (0.0.0.0). */
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

/** Everything about networking a container's record keeps. */
export interface ContainerNetworkConfig {
  mode: NetworkMode;
  /** -p, expanded; -P adds the image's and --expose'd ports at start, on free host ports. */
  ports: PortMapping[];
  publishAll: boolean;
  /** --expose and the image's EXPOSE, as "80/tcp". */
  expose: string[];
  /** --add-host NAME:IP (IP may be "host-gateway"). */
  addHosts: string[];
  noHosts: boolean;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
}

/** What a start made, for inspect, ps and port: `<run dir>/network.json`. */
export interface NetworkStatus {
  /** The forwarder and outbound helper (husk-net), if any; dies with the container. */
  helperPid?: number;
  /** Host ports as bound (a -P or hostPort 0 port has its chosen number here). */
  ports: PortMapping[];
  /** Per user network: the address the container got there. */
  networks: Record<string, NetworkEndpoint>;
  /** Where the container reaches the host (host.containers.internal), if anywhere. */
  hostGateway?: string;
  /** pasta and slirp4netns: the container's own address, gateway and how the host is reached. */
  ip?: string;
  gateway?: string;
  prefixLen?: number;
  mac?: string;
}

export interface NetworkEndpoint {
  networkId: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  aliases: string[];
  /** Name of the interface in the container (eth0, eth1...). */
  interface: string;
}

/** A user network as stored: `<dataRoot>/networks/<name>.json`. */
export interface NetworkRecord {
  name: string;
  id: string;
  driver: 'bridge';
  /** The bridge device (husk0, husk1, ...). */
  bridge: string;
  subnet: string;
  gateway: string;
  /** --ip-range: where automatic addresses come from (default: the subnet). */
  ipRange?: string;
  internal: boolean;
  dnsEnabled: boolean;
  labels: Record<string, string>;
  /** --opt mtu=N: the MTU of the bridge and the containers' interfaces (default: the kernel's, 1500). */
  mtu?: number;
  created: string;
}
