/**
 * The outbound policy (docs/security.md, outbound calls): where openkka may send a request. A
 * URL is refused when it carries credentials, names the gateway itself, or its host is, or
 * resolves to, any address that is not public (loopback, private, link-local, CGNAT,
 * unspecified, multicast, broadcast, reserved, and their IPv4-in-IPv6 forms), unless
 * OPENKKA_NOTIFY_ALLOW names its range or host. Loopback is allowed by default only while the
 * gateway itself listens on loopback (local development). No setting allows the gateway's own
 * listeners. Checked when a request brings a notify_url, and again before every delivery,
 * which connects only to the addresses checked then (post.ts).
 */
import { networkInterfaces } from 'node:os';
import { ApiError } from '../../../domain/errors.ts';
import {
  addressKind,
  embeddedIpv4,
  type IpBytes,
  inCidr,
  parseIp,
  sameAddress,
} from '../../../domain/ip-address.ts';
import { hostKey, type NotifyAllow } from '../../../domain/notify-allow.ts';
import type { HostResolver, ResolvedAddress } from './resolver.ts';

export interface OutboundSettings {
  /** Where the gateway listens (HOST, PORT). */
  host: string;
  port: number;
  /** The admin API's own listener, when it has one. */
  adminListen?: { host: string; port: number } | undefined;
  /** Where shoppers reach the gateway, often through a proxy that would reach its routes too. */
  publicUrl?: string | undefined;
  notifyAllow: NotifyAllow;
}

/** What an operation needs of the policy: refuse a request's notify_url (HTTP 400, 300090). */
export interface NotifyUrlCheck {
  assertAllowed(url: string): Promise<void>;
}

/** Where a delivery may connect, why the policy forbids it, or the resolver's error code. */
export type Target =
  | { url: URL; addresses: ResolvedAddress[] }
  | { refused: string }
  | { unresolved: string };

interface Listener {
  ip: IpBytes;
  port: number;
}

export class OutboundPolicy implements NotifyUrlCheck {
  private readonly loopbackAllowed: boolean;
  private readonly listeners: Listener[] = [];
  /** This machine's addresses, which a listener on 0.0.0.0 or :: answers on. */
  private readonly localAddresses: IpBytes[];
  private readonly publicOrigin: string | undefined;

  constructor(
    private readonly settings: OutboundSettings,
    private readonly resolver: HostResolver,
  ) {
    this.loopbackAllowed = isLoopbackHost(settings.host);
    this.localAddresses = Object.values(networkInterfaces())
      .flatMap((list) => list ?? [])
      .map((i) => parseIp(i.address))
      .filter((ip): ip is IpBytes => ip !== null);
    this.addListener(settings.host, settings.port);
    if (settings.adminListen) this.addListener(settings.adminListen.host, settings.adminListen.port);
    this.publicOrigin = settings.publicUrl ? originOf(settings.publicUrl) : undefined;
  }

  /** A socket the gateway listens on (its real port is known once it listens). */
  addListener(address: string, port: number): void {
    const ip = address === 'localhost' ? parseIp('127.0.0.1') : parseIp(address);
    if (ip && port > 0) this.listeners.push({ ip, port });
    if (address === 'localhost' && port > 0) this.listeners.push({ ip: parseIp('::1')!, port });
  }

  /** At request time: refuses a notify_url the policy forbids (HTTP 400, 300090). */
  async assertAllowed(url: string): Promise<void> {
    const verdict = await this.check(url);
    if ('refused' in verdict) throw new ApiError('NOTIFY_URL_NOT_ALLOWED', verdict.refused);
    // A name that does not resolve yet passes: every delivery resolves it again.
  }

  /** Before a delivery: the addresses to connect to, all of them checked. */
  target(url: string): Promise<Target> {
    return this.check(url);
  }

  private async check(text: string): Promise<Target> {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { refused: 'it is not a URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { refused: 'it is not http(s)' };
    if (url.username || url.password) return { refused: 'it carries credentials (user:password@)' };
    if (this.publicOrigin && originOf(url.href) === this.publicOrigin) {
      return { refused: "it is the gateway's own address" };
    }
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // The URL parser has already turned 0x7f000001, 2130706433 and 0177.1 into 127.0.0.1.
    const literal = parseIp(host);
    if (literal) {
      const why = this.refusal(literal, port, false);
      if (why) return { refused: `${host} is ${why}` };
      return { url, addresses: [{ address: host, family: literal.length === 4 ? 4 : 6 }] };
    }
    const resolution = await this.resolver.resolve(hostKey(host));
    if ('error' in resolution) return { unresolved: resolution.error };
    const named = this.settings.notifyAllow.names.has(hostKey(host));
    for (const { address } of resolution.addresses) {
      const ip = parseIp(address);
      const why = ip ? this.refusal(ip, port, named) : 'something that is not an IP address';
      if (why) return { refused: `${host} resolves to ${why}` };
    }
    return { url, addresses: resolution.addresses };
  }

  /** Why the policy refuses this address and port, or null. */
  private refusal(ip: IpBytes, port: number, namedInAllowList: boolean): string | null {
    if (this.isListener(ip, port)) return "the gateway's own listen address";
    if (namedInAllowList) return null;
    const v4 = embeddedIpv4(ip);
    if (this.settings.notifyAllow.ranges.some((r) => inCidr(ip, r) || (v4 !== null && inCidr(v4, r)))) {
      return null;
    }
    const kind = addressKind(ip);
    if (kind === null || (kind === 'loopback' && this.loopbackAllowed)) return null;
    return `${kind === 'unspecified' ? 'an' : 'a'} ${kind} address`;
  }

  private isListener(ip: IpBytes, port: number): boolean {
    return this.listeners.some((l) => {
      if (l.port !== port) return false;
      if (addressKind(l.ip) !== 'unspecified') return sameAddress(l.ip, ip);
      const kind = addressKind(ip);
      return (
        kind === 'loopback' || kind === 'unspecified' || this.localAddresses.some((a) => sameAddress(a, ip))
      );
    });
  }
}

function isLoopbackHost(host: string): boolean {
  if (hostKey(host) === 'localhost') return true;
  const ip = parseIp(host);
  return ip !== null && addressKind(ip) === 'loopback';
}

/** Host and effective port: what a proxy in front of the gateway would answer on. */
function originOf(text: string): string {
  const url = new URL(text);
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}
