/**
 * Host names to addresses for the outbound policy: every address a name has (a name is refused
 * if any of them is), remembered briefly so that a burst of payments naming one notify_url
 * costs one lookup, and one lookup at a time per name.
 */
import { lookup as systemLookup } from 'node:dns/promises';
import type { Clock } from '../../../domain/clock.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** All the addresses of a name, as the system resolver (getaddrinfo, /etc/hosts) gives them. */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const lookupAll: HostLookup = async (hostname) =>
  (await systemLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** What a lookup gave: addresses, or the resolver's error code (ENOTFOUND, EAI_AGAIN…). */
export type Resolution = { addresses: ResolvedAddress[] } | { error: string };

/** Short enough to follow a DNS change soon, long enough to spare a burst of payments. */
const REMEMBER_MS = 10_000;
/** Names are chosen by merchants: the memory they can fill is bounded. */
const MAX_NAMES = 1024;

export class HostResolver {
  private readonly known = new Map<string, { until: number; resolution: Resolution }>();
  private readonly pending = new Map<string, Promise<Resolution>>();

  constructor(
    private readonly clock: Clock,
    private readonly lookup: HostLookup = lookupAll,
  ) {}

  resolve(hostname: string): Promise<Resolution> {
    const now = this.clock.now();
    const known = this.known.get(hostname);
    if (known && known.until > now) return Promise.resolve(known.resolution);
    const pending = this.pending.get(hostname);
    if (pending) return pending;
    const lookup = this.lookup(hostname).then(
      (addresses): Resolution => (addresses.length > 0 ? { addresses } : { error: 'ENODATA' }),
      (err: unknown): Resolution => ({ error: (err as { code?: string }).code ?? 'ENOTFOUND' }),
    );
    const settled = lookup.then((resolution) => {
      this.pending.delete(hostname);
      this.remember(hostname, resolution);
      return resolution;
    });
    this.pending.set(hostname, settled);
    return settled;
  }

  private remember(hostname: string, resolution: Resolution): void {
    this.known.delete(hostname);
    if (this.known.size >= MAX_NAMES) this.known.delete(this.known.keys().next().value!);
    this.known.set(hostname, { until: this.clock.now() + REMEMBER_MS, resolution });
  }
}
