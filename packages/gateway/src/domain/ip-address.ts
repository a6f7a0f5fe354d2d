/**
 * IP addresses as bytes, the ranges openkka never calls out to by default (docs/security.md,
 * outbound calls), and CIDR ranges. Pure: resolving names and connecting live in
 * modules/notifications/outbound/.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Why an address is not a public one; null for a public address. */
export type AddressKind =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade NAT'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

/** 4 bytes (IPv4) or 16 (IPv6). */
export type IpBytes = Uint8Array;

/** The address's bytes, or null when `text` is not an IP address (an IPv6 zone is dropped). */
export function parseIp(text: string): IpBytes | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const address = bare.split('%')[0]!;
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) return null;
  // A dotted IPv4 tail (::ffff:127.0.0.1) is two groups.
  let text6 = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text6 = `${address.slice(0, -tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text6.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups =
    rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** A range of addresses: `10.0.0.0/8`, `fc00::/7`, or one address (`/32`, `/128`). */
export interface Cidr {
  base: IpBytes;
  bits: number;
}

/** The range `text` names, or null when it is not an address or CIDR range. */
export function parseCidr(text: string): Cidr | null {
  const [address = '', bits, extra] = text.trim().split('/');
  const base = parseIp(address);
  if (!base || extra !== undefined || address.includes('%')) return null;
  const max = base.length * 8;
  if (bits === undefined) return { base, bits: max };
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return null;
  return { base, bits: Number(bits) };
}

export function inCidr(ip: IpBytes, range: Cidr): boolean {
  if (ip.length !== range.base.length) return false;
  for (let bit = 0; bit < range.bits; bit += 8) {
    const mask = range.bits - bit >= 8 ? 0xff : (0xff << (8 - (range.bits - bit))) & 0xff;
    if ((ip[bit / 8]! & mask) !== (range.base[bit / 8]! & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv6 one stands for (mapped, compatible, NAT64, 6to4), else null. */
export function embeddedIpv4(ip: IpBytes): IpBytes | null {
  if (ip.length !== 16) return null;
  for (const range of V6_EMBEDDING_LAST_32) if (inCidr(ip, range)) return ip.slice(12);
  if (inCidr(ip, SIX_TO_FOUR)) return ip.slice(2, 6);
  return null;
}

/** Equal addresses, an IPv4-mapped IPv6 address being its IPv4 one. */
export function sameAddress(a: IpBytes, b: IpBytes): boolean {
  const x = a.length === 16 && inCidr(a, MAPPED) ? a.slice(12) : a;
  const y = b.length === 16 && inCidr(b, MAPPED) ? b.slice(12) : b;
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}

/** What kind of non-public address `ip` is, or null for a public one. */
export function addressKind(ip: IpBytes): AddressKind | null {
  if (ip.length === 4) return kindIn(ip, V4_RANGES);
  // `::` and `::1` first: they sit inside the IPv4-compatible range, and mean themselves.
  const own = kindIn(ip, V6_EXACT);
  if (own) return own;
  const v4 = embeddedIpv4(ip);
  if (v4) return kindIn(v4, V4_RANGES);
  const kind = kindIn(ip, V6_RANGES);
  if (kind) return kind;
  // Only 2000::/3 is global unicast; everything else is unassigned or special.
  return inCidr(ip, GLOBAL_UNICAST) ? null : 'reserved';
}

function kindIn(ip: IpBytes, table: readonly (readonly [Cidr, AddressKind])[]): AddressKind | null {
  for (const [range, kind] of table) if (inCidr(ip, range)) return kind;
  return null;
}

function range(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`not a CIDR range: ${text}`);
  return parsed;
}

/** IANA's IPv4 special-purpose registry, less what is globally reachable; most specific first. */
const V4_RANGES: readonly (readonly [Cidr, AddressKind])[] = [
  [range('255.255.255.255/32'), 'broadcast'],
  [range('0.0.0.0/8'), 'unspecified'],
  [range('10.0.0.0/8'), 'private'],
  [range('100.64.0.0/10'), 'carrier-grade NAT'],
  [range('127.0.0.0/8'), 'loopback'],
  // Includes the cloud metadata service, 169.254.169.254.
  [range('169.254.0.0/16'), 'link-local'],
  [range('172.16.0.0/12'), 'private'],
  [range('192.0.0.0/24'), 'reserved'],
  [range('192.0.2.0/24'), 'reserved'],
  [range('192.88.99.0/24'), 'reserved'],
  [range('192.168.0.0/16'), 'private'],
  [range('198.18.0.0/15'), 'reserved'],
  [range('198.51.100.0/24'), 'reserved'],
  [range('203.0.113.0/24'), 'reserved'],
  [range('224.0.0.0/4'), 'multicast'],
  [range('240.0.0.0/4'), 'reserved'],
];

const V6_EXACT: readonly (readonly [Cidr, AddressKind])[] = [
  [range('::/128'), 'unspecified'],
  [range('::1/128'), 'loopback'],
];

const MAPPED = range('::ffff:0:0/96');
/** Mapped, compatible (deprecated) and NAT64's well-known prefix: the IPv4 address is the last 32 bits. */
const V6_EMBEDDING_LAST_32 = [MAPPED, range('::/96'), range('64:ff9b::/96')];
const SIX_TO_FOUR = range('2002::/16');
const GLOBAL_UNICAST = range('2000::/3');

const V6_RANGES: readonly (readonly [Cidr, AddressKind])[] = [
  // Unique local, including AWS's metadata service at fd00:ec2::254.
  [range('fc00::/7'), 'private'],
  [range('fe80::/10'), 'link-local'],
  // Site-local, deprecated but still private wherever it is used.
  [range('fec0::/10'), 'private'],
  [range('ff00::/8'), 'multicast'],
  [range('64:ff9b:1::/48'), 'private'],
  [range('100::/64'), 'reserved'],
  // Teredo, benchmarking, ORCHID, documentation (2001:db8::/32 and 3fff::/20), SRv6.
  [range('2001::/32'), 'reserved'],
  [range('2001:2::/48'), 'reserved'],
  [range('2001:10::/28'), 'reserved'],
  [range('2001:20::/28'), 'reserved'],
  [range('2001:db8::/32'), 'reserved'],
  [range('3fff::/20'), 'reserved'],
  [range('5f00::/16'), 'reserved'],
];
