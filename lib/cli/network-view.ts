// Networks as --format templates see them: the Go field names of podman's
// types.Network (ID, Name, NetworkInterface, DNSEnabled, Subnets[].Gateway...),
// while JSON output keeps podman's JSON names (id, network_interface, ...),
// {{json .}} and {{json .Subnets}} included, as Go's encoder follows the
// json tags.
import type { NetworkInspect } from '../engine/networks.js';
import type { Row } from './format.js';

/** `go` as templates read it, `json` as the json function (JSON.stringify) writes it. */
function withJson<T extends object>(go: T, json: unknown): T {
  return Object.defineProperty(go, 'toJSON', { value: () => json, enumerable: false });
}

const pairs = (r: Record<string, string>) =>
  Object.entries(r)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** A network's fields under podman's Go names (inspect --format). */
export function goFields(n: NetworkInspect): Row {
  return withJson(goFieldsOnly(n), n);
}

function goFieldsOnly(n: NetworkInspect): Row {
  return {
    Name: n.name,
    ID: n.id,
    Driver: n.driver,
    NetworkInterface: n.network_interface,
    Created: n.created,
    Subnets: n.subnets.map((s) =>
      withJson(
        {
          Subnet: s.subnet,
          Gateway: s.gateway,
          ...(s.lease_range ? { LeaseRange: withJson({ StartIP: s.lease_range.start_ip, EndIP: s.lease_range.end_ip }, s.lease_range) } : {}),
        },
        s,
      ),
    ),
    Routes: [],
    IPv6Enabled: n.ipv6_enabled,
    Internal: n.internal,
    DNSEnabled: n.dns_enabled,
    NetworkDNSServers: [],
    Labels: n.labels ?? {},
    Options: n.options ?? {},
    IPAMOptions: { driver: n.ipam_options.driver },
    Containers: Object.fromEntries(
      Object.entries(n.containers).map(([id, c]) => [
        id,
        withJson(
          {
            Name: c.name,
            Interfaces: Object.fromEntries(
              Object.entries(c.interfaces ?? {}).map(([ifname, i]) => [
                ifname,
                withJson({ Subnets: i.subnets.map((s) => withJson({ IPNet: s.ipnet, Gateway: s.gateway ?? '' }, s)), MacAddress: i.mac_address }, i),
              ]),
            ),
          },
          c,
        ),
      ]),
    ),
  };
}

/** A row of `network ls --format`: podman's list report, whose ID is cut to 12 unless --no-trunc and whose Labels are "k=v,...". */
export function listRow(n: NetworkInspect, trunc: boolean): Row {
  const { Containers: _, ...fields } = goFieldsOnly(n);
  return withJson({ ...fields, ID: trunc ? n.id.slice(0, 12) : n.id, Labels: pairs(n.labels ?? {}) }, listJson(n));
}

/** `network ls --format json`: podman's JSON of the networks, without the containers inspect adds. */
export function listJson(n: NetworkInspect): Row {
  const { containers: _, ...rest } = n;
  return rest;
}
