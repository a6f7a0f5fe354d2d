/**
 * The address rules of the outbound policy: every non-public range by its kind, the IPv4 forms
 * hidden in IPv6 addresses, CIDR matching, and the host forms the URL parser turns into
 * dotted IPv4 before the policy sees them.
 */
import { describe, expect, it } from 'vitest';
import { addressKind, inCidr, parseCidr, parseIp, sameAddress } from '../../../src/domain/ip-address.ts';
import { parseNotifyAllow } from '../../../src/domain/notify-allow.ts';

const kind = (ip: string) => addressKind(parseIp(ip)!);

describe('addressKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd00:ec2::254', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
  ])('%s is %s', (ip, expected) => {
    expect(kind(ip)).toBe(expected);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
  ])('the IPv4 inside %s counts: %s', (ip, expected) => {
    expect(kind(ip)).toBe(expected);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (ip) => {
      expect(kind(ip)).toBeNull();
    },
  );

  it('sees what the URL parser made of numeric host forms', () => {
    for (const host of ['0x7f000001', '2130706433', '0177.0.0.1', '127.1', '0x7f.1']) {
      const hostname = new URL(`http://${host}:8080/notify`).hostname;
      expect(hostname, host).toBe('127.0.0.1');
      expect(kind(hostname)).toBe('loopback');
    }
    const mapped = new URL('http://[::ffff:127.0.0.1]/').hostname;
    expect(mapped).toBe('[::ffff:7f00:1]');
    expect(kind(mapped)).toBe('loopback');
  });
});

describe('CIDR ranges', () => {
  it('match by prefix, a bare address as itself', () => {
    const ten = parseCidr('10.0.0.0/8')!;
    expect(inCidr(parseIp('10.200.0.1')!, ten)).toBe(true);
    expect(inCidr(parseIp('11.0.0.1')!, ten)).toBe(false);
    const one = parseCidr('127.0.0.1')!;
    expect(inCidr(parseIp('127.0.0.1')!, one)).toBe(true);
    expect(inCidr(parseIp('127.0.0.2')!, one)).toBe(false);
    expect(inCidr(parseIp('fd12::1')!, parseCidr('fc00::/7')!)).toBe(true);
    expect(inCidr(parseIp('fe00::1')!, parseCidr('fc00::/7')!)).toBe(false);
    expect(inCidr(parseIp('::1')!, ten)).toBe(false);
  });

  it('refuse what is not a range', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/8/1', '::/129', 'example.com/8', '10.0.0.0/x', '']) {
      expect(parseCidr(bad), bad).toBeNull();
    }
  });

  it('treat an IPv4-mapped IPv6 address as its IPv4 one when comparing', () => {
    expect(sameAddress(parseIp('::ffff:127.0.0.1')!, parseIp('127.0.0.1')!)).toBe(true);
    expect(sameAddress(parseIp('::1')!, parseIp('127.0.0.1')!)).toBe(false);
  });
});

describe('OPENKKA_NOTIFY_ALLOW', () => {
  it('reads ranges, addresses and host names', () => {
    const allow = parseNotifyAllow(' 10.0.0.0/8, fd00::/8,127.0.0.1 , Receiver.Internal.,', 'X');
    expect(allow.ranges).toHaveLength(3);
    expect([...allow.names]).toEqual(['receiver.internal']);
  });

  it('names the entry it cannot read', () => {
    expect(() => parseNotifyAllow('10.0.0.0/8,10.0.0.0/99', 'OPENKKA_NOTIFY_ALLOW')).toThrow(
      /OPENKKA_NOTIFY_ALLOW: "10.0.0.0\/99"/,
    );
    expect(() => parseNotifyAllow('http://x', 'OPENKKA_NOTIFY_ALLOW')).toThrow(/"http:\/\/x"/);
  });
});
