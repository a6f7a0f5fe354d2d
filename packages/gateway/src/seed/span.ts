/**
 * The time a seed's orders are spread over: evenly, in slots of whole 10 ms ticks (order ids
 * start with their tick, so no two seeded orders can share an id), ending a minute before the
 * seed's "now" so that every plain payment has its outcome.
 */
export const DAY_MS = 86_400_000;
const QUIET_END_MS = 60_000;

export interface Span {
  firstTick: number;
  slotTicks: number;
}

export function spanOf(now: number, days: number, orders: number): Span {
  const slotTicks = Math.floor((days * DAY_MS - QUIET_END_MS) / 10 / orders);
  if (slotTicks < 1) throw new Error(`${orders} orders do not fit in ${days} days`);
  return { firstTick: Math.floor((now - QUIET_END_MS) / 10) - orders * slotTicks, slotTicks };
}

/** The most orders `days` can hold. */
export function maxOrders(days: number): number {
  return Math.floor((days * DAY_MS - QUIET_END_MS) / 10);
}
