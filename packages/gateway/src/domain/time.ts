/**
 * Wire times: what openkka writes (RFC 3339 in the gateway's time zone, with its offset, whole
 * seconds: `2026-01-01T08:00:01+08:00`) and what it reads (RFC 3339 with `Z` or an offset, with
 * or without its colon, or a wall-clock time without an offset, read in the gateway's zone).
 * Parsing is by regex plus field checks, never `Date.parse`, whose leniency differs between
 * engines.
 */
import type { TimeZone } from './time-zone.ts';

const MINUTE = 60_000;

/** Epoch ms → `2025-05-06T14:40:43+08:00` in `zone` (fraction dropped, not rounded). */
export function formatTime(ms: number, zone: TimeZone): string {
  const local = wallClock(ms, zone);
  if (local === undefined) throw new RangeError(`time out of range: ${ms}`);
  return local.toISOString().slice(0, 19) + formatOffset(zone.offsetMinutes(ms));
}

/** `+08:00`, `-03:30`, `+00:00`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${sign}${hh}:${mm}`;
}

/** `zone`'s wall clock at `ms`, whole seconds, as a Date read in UTC; undefined outside years 0000–9999. */
function wallClock(ms: number, zone: TimeZone): Date | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const local = new Date(Math.floor(ms / 1000) * 1000 + zone.offsetMinutes(ms) * MINUTE);
  const year = local.getUTCFullYear();
  return year >= 0 && year <= 9999 ? local : undefined;
}

// RFC 3339 with `Z`, `±hh:mm`, `±hhmm` or no offset at all (the gateway's zone), or exactly
// `YYYY-MM-DD HH:mm:ss` (PHP's `Y-m-d H:i:s`, also in the gateway's zone).
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
const PLAIN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The fields as epoch ms read in UTC, or undefined when a field is out of range. */
function wallMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  // Leap seconds (:60) are refused: epoch milliseconds cannot represent them.
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  // Date.UTC maps years 0–99 to 1900+, so the year is set separately.
  date.setUTCFullYear(y);
  return date.getTime();
}

/**
 * Wire time → epoch ms, or undefined for any other shape, an impossible date, or an instant
 * `zone` cannot write back with a four-digit year. A time without an offset is `zone`'s wall
 * clock (see TimeZone.instantOf for the hour that repeats or never happens).
 */
export function parseTime(input: string, zone: TimeZone): number | undefined {
  const m = RFC3339.exec(input) ?? PLAIN.exec(input);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const wall = wallMs(y, mo, d, h, mi, s, fraction);
  if (wall === undefined) return undefined;
  let instant: number;
  if (m[8] !== undefined) instant = wall;
  else if (m[9] === undefined) instant = zone.instantOf(wall);
  else {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    instant = wall - (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * MINUTE;
  }
  return wallClock(instant, zone) === undefined ? undefined : instant;
}
