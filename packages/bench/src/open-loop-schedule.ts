/**
 * When the open-loop sender means to send each request: at a constant rate from a start time,
 * whatever the server does. Latency is then taken from these intended times, so a server that
 * stalls is charged for every request it kept waiting (no coordinated omission). Pure.
 */

/** The intended send time (ms) of arrival `i`, counted from 0. */
export function intendedAt(startMs: number, ratePerS: number, i: number): number {
  return startMs + (i * 1000) / ratePerS;
}

/** How many arrivals are due by `nowMs` (intended at or before it), at most `limit`. */
export function dueBy(startMs: number, ratePerS: number, nowMs: number, limit: number): number {
  if (nowMs < startMs) return 0;
  return Math.min(limit, Math.floor(((nowMs - startMs) * ratePerS) / 1000) + 1);
}
