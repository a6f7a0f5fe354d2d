/**
 * OPENKKA_NOTIFY_ALLOW: the exceptions an operator makes to the outbound policy, as CIDR ranges
 * (or single addresses) and host names (docs/security.md, outbound calls).
 */
import { type Cidr, parseCidr } from './ip-address.ts';

export interface NotifyAllow {
  ranges: readonly Cidr[];
  /** Lower case, without a trailing dot. */
  names: ReadonlySet<string>;
}

export const NOTHING_ALLOWED: NotifyAllow = { ranges: [], names: new Set() };

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** A host name as URLs and the allow list compare it: lower case, no trailing dot. */
export function hostKey(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/** Parses a comma-separated list; throws naming the first entry that is neither a range nor a name. */
export function parseNotifyAllow(text: string, name: string): NotifyAllow {
  const ranges: Cidr[] = [];
  const names = new Set<string>();
  for (const entry of text.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const range = parseCidr(entry);
    if (range) ranges.push(range);
    else if (!entry.includes('/') && HOST_NAME.test(hostKey(entry))) names.add(hostKey(entry));
    else {
      throw new Error(
        `${name}: "${entry}" is neither a CIDR range, an IP address nor a host name (e.g. 10.0.0.0/8, receiver.internal)`,
      );
    }
  }
  return { ranges, names };
}
