// IPv4 addresses and CIDR blocks as plain numbers: what the network store
// needs to validate subnets, find free ones and hand out addresses. An
// address is an unsigned 32-bit integer; a block is its first address and
// its prefix length.

export interface Cidr {
  /** The network address (host bits cleared). */
  base: number;
  prefixLen: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The address, or undefined when `text` is not a dotted quad (no leading zeros, as Go's net.ParseIP). */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIPv4(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** The netmask of a prefix length, as an unsigned number. */
export function maskOf(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/**
 * "10.89.0.0/24" as a block; host bits are cleared ("10.89.0.7/24" is
 * 10.89.0.0/24, as podman reads a subnet). Undefined when it is not IPv4 CIDR.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIPv4(text.slice(0, slash));
  const len = text.slice(slash + 1);
  if (ip === undefined || !/^(3[0-2]|[12]?\d)$/.test(len)) return undefined;
  const prefixLen = Number(len);
  return { base: (ip & maskOf(prefixLen)) >>> 0, prefixLen };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefixLen}`;
}

/** The last address of the block (the broadcast address of a subnet). */
export function lastOf(c: Cidr): number {
  return (c.base | ~maskOf(c.prefixLen)) >>> 0;
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefixLen)) >>> 0) === c.base;
}

/** Two blocks overlap when one holds the other's network address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b.base) || contains(b, a.base);
}

/** Whether `inner` lies wholly inside `outer`. */
export function within(inner: Cidr, outer: Cidr): boolean {
  return inner.prefixLen >= outer.prefixLen && contains(outer, inner.base);
}

/** Whether `text` looks like an IPv6 address or block: refused with a message that says so. */
export function looksIPv6(text: string): boolean {
  return /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(\/\d+)?$/.test(text) && text.includes(':');
}
