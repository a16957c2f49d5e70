// What the host already uses, so that a new network's subnet and bridge name
// do not collide with it: the IPv4 routes of the host (as root the bridges
// live on the host, where an overlapping subnet would capture traffic;
// rootless they live in the rootless network namespace, but a subnet that
// shadows a host route would still hide that destination from containers)
// and the names of the host's interfaces. A seam: tests give their own.
import fs from 'node:fs';
import { endianness } from 'node:os';
import type { Cidr } from './ipv4.js';

export interface HostRoute {
  destination: Cidr;
  /** The interface the route goes out of, for messages. */
  iface: string;
}

export interface HostNetworkView {
  /** IPv4 routes that are up, the default route left out (every subnet is inside it). */
  routes(): HostRoute[];
  /** Names of the network interfaces. */
  interfaces(): string[];
}

/**
 * /proc/net/route prints each address as the kernel holds it (network byte
 * order) read as a native integer: "000200C0" is 192.0.2.0 on a
 * little-endian machine.
 */
export function parseProcNetRoute(text: string, littleEndian = endianness() === 'LE'): HostRoute[] {
  const routes: HostRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , flags, , , , mask] = f as [string, string, string, string, string, string, string, string];
    if ((parseInt(flags, 16) & 1) === 0) continue; // RTF_UP
    const toAddress = (hex: string) => {
      const b = Buffer.alloc(4);
      if (littleEndian) b.writeUInt32LE(parseInt(hex, 16));
      else b.writeUInt32BE(parseInt(hex, 16));
      return b.readUInt32BE(0);
    };
    const m = toAddress(mask);
    if (m === 0) continue;
    const prefixLen = Math.clz32(~m); // the leading ones of a contiguous mask
    routes.push({ destination: { base: (toAddress(dest) & m) >>> 0, prefixLen }, iface });
  }
  return routes;
}

const read = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** The machine's own view: /proc/net/route and /sys/class/net of husk's network namespace (the host's). */
export const HOST_NETWORK: HostNetworkView = {
  routes: () => parseProcNetRoute(read('/proc/net/route')),
  interfaces: () => {
    try {
      return fs.readdirSync('/sys/class/net');
    } catch {
      return [];
    }
  },
};
