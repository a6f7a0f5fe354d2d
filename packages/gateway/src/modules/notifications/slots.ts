/**
 * The attempts one process has in flight, per merchant and per receiving host, and the turn
 * each merchant gets next (docs/notifications.md, fair delivery). A merchant whose receiver
 * hangs fills at most its own share; the free slots go first to the merchants with the fewest
 * attempts in flight, so another merchant's notification waits at most for one slot to free,
 * which is at most one attempt timeout.
 */

export interface SlotLimits {
  /** Attempts in flight in this process at most. */
  total: number;
  perMerchant: number;
  /** Per receiving host and port, whichever merchants send there. */
  perHost: number;
}

export interface DueMerchant {
  merchantId: string;
  /** When its earliest due notification became due: the older goes first between equals. */
  firstDue: number;
}

export class DeliverySlots {
  private inFlight = 0;
  private readonly byMerchant = new Map<string, number>();
  private readonly byHost = new Map<string, number>();

  constructor(private readonly limits: SlotLimits) {}

  get free(): number {
    return this.limits.total - this.inFlight;
  }

  /**
   * How many notifications to claim from each merchant now: one at a time to the merchant with
   * the fewest in flight (then the longest waiting), until the free slots or the merchants'
   * shares run out.
   */
  plan(due: readonly DueMerchant[]): Map<string, number> {
    // Only the `free` first in that order can be granted anything: each of them comes first.
    const wants = due
      .map((m) => ({ ...m, load: this.byMerchant.get(m.merchantId) ?? 0, granted: 0 }))
      .filter((m) => m.load < this.limits.perMerchant)
      .sort((a, b) => a.load - b.load || a.firstDue - b.firstDue)
      .slice(0, Math.max(0, this.free));
    const plan = new Map<string, number>();
    for (let free = this.free; free > 0; free--) {
      let next: (typeof wants)[number] | undefined;
      for (const m of wants) {
        if (m.load + m.granted >= this.limits.perMerchant) continue;
        if (
          !next ||
          m.load + m.granted < next.load + next.granted ||
          (m.load + m.granted === next.load + next.granted && m.firstDue < next.firstDue)
        ) {
          next = m;
        }
      }
      if (!next) break;
      next.granted++;
      plan.set(next.merchantId, next.granted);
    }
    return plan;
  }

  /** Takes a slot for one attempt, unless its host has no room left. */
  take(merchantId: string, host: string): boolean {
    if ((this.byHost.get(host) ?? 0) >= this.limits.perHost || this.free <= 0) return false;
    this.inFlight++;
    this.byMerchant.set(merchantId, (this.byMerchant.get(merchantId) ?? 0) + 1);
    this.byHost.set(host, (this.byHost.get(host) ?? 0) + 1);
    return true;
  }

  release(merchantId: string, host: string): void {
    this.inFlight--;
    decrement(this.byMerchant, merchantId);
    decrement(this.byHost, host);
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const left = (map.get(key) ?? 0) - 1;
  if (left > 0) map.set(key, left);
  else map.delete(key);
}
