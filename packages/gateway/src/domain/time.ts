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

/** A wire time read: its instant, or what is wrong with it, worded to follow the field's name. */
export type TimeRead = { ok: true; ms: number } | { ok: false; problem: string };

/** What a value of another shape (or type) is told. */
export const TIME_SHAPE_PROBLEM =
  'must be an RFC 3339 time (2025-05-06T14:40:43+08:00) or a local time (2025-05-06 14:40:43)';
const two = (n: number) => String(n).padStart(2, '0');

/** What is impossible in the fields, or undefined when they name a real wall-clock time. */
function fieldProblem(y: number, mo: number, d: number, h: number, mi: number, s: number) {
  if (mo < 1 || mo > 12) return `names month ${two(mo)}, which does not exist (01 to 12)`;
  const days = daysInMonth(y, mo);
  if (d < 1 || d > days) return `names day ${two(d)} of ${y}-${two(mo)}, which has ${days} days`;
  if (h > 23) return `names hour ${two(h)}, which does not exist (00 to 23)`;
  if (mi > 59) return `names minute ${two(mi)}, which does not exist (00 to 59)`;
  // Leap seconds (:60) are refused: epoch milliseconds cannot represent them.
  if (s > 59) return `names second ${two(s)}, which cannot be read (00 to 59; no leap seconds)`;
  return undefined;
}

/** The fields as epoch ms read in UTC; they must have passed fieldProblem. */
function wallMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) {
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  // Date.UTC maps years 0–99 to 1900+, so the year is set separately.
  date.setUTCFullYear(y);
  return date.getTime();
}

/**
 * Wire time → epoch ms, or what is wrong: another shape, an impossible date or time, or an
 * instant `zone` cannot write back with a four-digit year. A time without an offset is
 * `zone`'s wall clock (see TimeZone.instantOf for the hour that repeats or never happens).
 */
export function readTime(input: string, zone: TimeZone): TimeRead {
  const m = RFC3339.exec(input) ?? PLAIN.exec(input);
  if (!m) return { ok: false, problem: TIME_SHAPE_PROBLEM };
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const problem = fieldProblem(y, mo, d, h, mi, s);
  if (problem) return { ok: false, problem };
  const fraction = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const wall = wallMs(y, mo, d, h, mi, s, fraction);
  let instant: number;
  if (m[8] !== undefined) instant = wall;
  else if (m[9] === undefined) instant = zone.instantOf(wall);
  else {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) {
      return {
        ok: false,
        problem: `has the offset ${m[9]}${m[10]}:${m[11]}, which does not exist (up to ±23:59)`,
      };
    }
    instant = wall - (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * MINUTE;
  }
  if (wallClock(instant, zone) === undefined) {
    return {
      ok: false,
      problem: `is outside the years 0000 to 9999 in the gateway's time zone (${zone.name})`,
    };
  }
  return { ok: true, ms: instant };
}

/** readTime's instant, or undefined whatever is wrong. */
export function parseTime(input: string, zone: TimeZone): number | undefined {
  const read = readTime(input, zone);
  return read.ok ? read.ms : undefined;
}
