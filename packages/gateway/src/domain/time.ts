/**
 * Wire timestamps: what openkka emits (RFC 3339, UTC, `+00:00`, whole seconds) and what it
 * accepts (RFC 3339, `+0800`-style offsets, `YYYY-MM-DD HH:mm:ss` as UTC). Parsing is by
 * regex plus field checks, never `Date.parse`, whose leniency differs between engines.
 */

// Year 0000 to 9999: the range a four-digit RFC 3339 year can express.
const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_999;

/** Epoch ms → `2025-05-06T06:40:43+00:00` (fraction dropped, not rounded). */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) {
    throw new RangeError(`time out of range: ${ms}`);
  }
  return new Date(ms).toISOString().slice(0, 19) + '+00:00';
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
const PLAIN_UTC = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Epoch ms for a valid wall-clock time in UTC, or undefined when a field is out of range. */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  // Leap seconds (:60) are refused: epoch milliseconds cannot represent them.
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  // Date.UTC maps years 0–99 to 1900+, so the year is set separately.
  date.setUTCFullYear(y);
  return date.getTime();
}

/** Wire time → epoch ms, or undefined for any other shape or an impossible date. */
export function parseTime(input: string): number | undefined {
  const plain = PLAIN_UTC.exec(input);
  if (plain) {
    const [y, mo, d, h, mi, s] = plain.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return utcMs(y, mo, d, h, mi, s, 0);
  }
  const m = RFC3339.exec(input);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  let offsetMin = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const local = utcMs(y, mo, d, h, mi, s, fraction);
  return local === undefined ? undefined : writable(local - offsetMin * 60_000);
}

/** An offset can push year 0000 or 9999 text outside what formatTime can write back: refuse it. */
// Date.UTC maps years 0–99 to 1900–1999, so year 0000 is set explicitly.
const FIRST = new Date(0).setUTCFullYear(0, 0, 1);
const LAST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
function writable(ms: number): number | undefined {
  return ms >= FIRST && ms <= LAST ? ms : undefined;
}
