// Wire timestamps: formatting in the gateway's zone, accepted input shapes, refusals and round-trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTime, parseTime, readTime } from '../../../src/domain/time.ts';
import { TimeZone } from '../../../src/domain/time-zone.ts';

const HONG_KONG = TimeZone.named('Asia/Hong_Kong');
const UTC = TimeZone.named('UTC');
const BERLIN = TimeZone.named('Europe/Berlin');
const NEW_YORK = TimeZone.named('America/New_York');
const KOLKATA = TimeZone.named('Asia/Kolkata');
const ZONES = [HONG_KONG, UTC, BERLIN, NEW_YORK, KOLKATA, TimeZone.named('Australia/Lord_Howe')];

const T = Date.UTC(2025, 4, 6, 6, 40, 43); // 2025-05-06T06:40:43Z, 14:40:43 in Hong Kong
const MIN_MS = Date.parse('0000-01-01T00:00:00Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

describe('formatTime', () => {
  it("writes the zone's wall clock with its offset, in whole seconds", () => {
    expect(formatTime(T, HONG_KONG)).toBe('2025-05-06T14:40:43+08:00');
    expect(formatTime(T + 999, HONG_KONG)).toBe('2025-05-06T14:40:43+08:00');
    expect(formatTime(Date.UTC(2026, 0, 1, 0, 0, 1), HONG_KONG)).toBe('2026-01-01T08:00:01+08:00');
    expect(formatTime(T, UTC)).toBe('2025-05-06T06:40:43+00:00');
    expect(formatTime(T, BERLIN)).toBe('2025-05-06T08:40:43+02:00');
    expect(formatTime(Date.UTC(2025, 0, 6, 6, 40, 43), BERLIN)).toBe('2025-01-06T07:40:43+01:00');
    expect(formatTime(T, NEW_YORK)).toBe('2025-05-06T02:40:43-04:00');
    expect(formatTime(T, KOLKATA)).toBe('2025-05-06T12:10:43+05:30');
    expect(formatTime(0, UTC)).toBe('1970-01-01T00:00:00+00:00');
    expect(formatTime(-1, UTC)).toBe('1969-12-31T23:59:59+00:00');
    expect(formatTime(MIN_MS, UTC)).toBe('0000-01-01T00:00:00+00:00');
    expect(formatTime(MAX_MS, UTC)).toBe('9999-12-31T23:59:59+00:00');
  });

  it('writes the two sides of a daylight saving change with their own offsets', () => {
    // Europe/Berlin, 2026-10-25: 03:00 +02:00 becomes 02:00 +01:00 at 01:00Z.
    expect(formatTime(Date.UTC(2026, 9, 25, 0, 30), BERLIN)).toBe('2026-10-25T02:30:00+02:00');
    expect(formatTime(Date.UTC(2026, 9, 25, 1, 30), BERLIN)).toBe('2026-10-25T02:30:00+01:00');
    // 2026-03-29: 02:00 +01:00 becomes 03:00 +02:00 at 01:00Z.
    expect(formatTime(Date.UTC(2026, 2, 29, 0, 59, 59), BERLIN)).toBe('2026-03-29T01:59:59+01:00');
    expect(formatTime(Date.UTC(2026, 2, 29, 1, 0, 0), BERLIN)).toBe('2026-03-29T03:00:00+02:00');
  });

  it.each([
    [Number.NaN, UTC],
    [Number.POSITIVE_INFINITY, UTC],
    [MIN_MS - 1, UTC],
    [MAX_MS + 1, UTC],
    // Year 10000 in Hong Kong, year −1 in New York: no four-digit year to write.
    [MAX_MS, HONG_KONG],
    [MIN_MS, NEW_YORK],
  ])('refuses %d in %o', (ms, zone) => {
    expect(() => formatTime(ms, zone)).toThrow(RangeError);
  });
});

describe('parseTime', () => {
  it.each([
    // What PayKKa's v1.2 plugin sends (Y-m-d H:i:s, Hong Kong) and what later versions send.
    ['2025-05-06 14:40:43', HONG_KONG, T],
    ['2025-05-06T14:40:43+0800', HONG_KONG, T],
    ['2025-05-06T14:40:43', HONG_KONG, T],
    ['2025-05-06T14:40:43+08:00', HONG_KONG, T],
    ['2025-05-06T14:40:43.250', HONG_KONG, T + 250],
    ['2025-05-06 06:40:43', UTC, T],
    ['2025-05-06 08:40:43', BERLIN, T],
    ['2025-05-06 02:40:43', NEW_YORK, T],
  ])('reads %s in %o', (input, zone, ms) => {
    expect(parseTime(input, zone)).toBe(ms);
  });

  it.each([
    ['2025-05-06T06:40:43+00:00', T],
    ['2025-05-06T06:40:43Z', T],
    ['2025-05-06t06:40:43z', T],
    ['2025-05-06T14:40:43+08:00', T],
    ['2025-05-06T14:40:43+0800', T],
    ['2025-05-06T01:10:43-05:30', T],
    ['2025-05-06T01:10:43-0530', T],
    ['2025-05-06T06:40:43-00:00', T],
    ['2025-05-06T06:40:43.5Z', T + 500],
    ['2025-05-06T06:40:43.123Z', T + 123],
    ['2025-05-06T06:40:43.123456789+00:00', T + 123],
    ['2025-05-06T14:40:43.250+08:00', T + 250],
    ['2023-11-24T11:34:37+0800', Date.UTC(2023, 10, 24, 3, 34, 37)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2025-12-31T23:59:59Z', Date.UTC(2025, 11, 31, 23, 59, 59)],
    ['2026-01-01T00:30:00+01:00', Date.UTC(2025, 11, 31, 23, 30, 0)],
    ['0050-06-15T12:00:00Z', Date.parse('0050-06-15T12:00:00.000Z')],
  ])('reads %s, whose offset decides, in every zone', (input, ms) => {
    for (const zone of ZONES) expect(parseTime(input, zone), zone.name).toBe(ms);
  });

  it('reads a wall-clock time in a daylight saving change as documented', () => {
    // The hour that repeats (Berlin, 2026-10-25 02:00–03:00): the first time round, +02:00.
    expect(parseTime('2026-10-25 02:30:00', BERLIN)).toBe(Date.UTC(2026, 9, 25, 0, 30));
    expect(parseTime('2026-10-25T02:30:00', BERLIN)).toBe(Date.UTC(2026, 9, 25, 0, 30));
    // With its offset, either one can be named.
    expect(parseTime('2026-10-25T02:30:00+01:00', BERLIN)).toBe(Date.UTC(2026, 9, 25, 1, 30));
    // The hour that never happens (2026-03-29 02:00–03:00): read with the offset before the
    // change, so 02:30 is 01:30Z, which the clocks show as 03:30 +02:00.
    const gap = parseTime('2026-03-29 02:30:00', BERLIN)!;
    expect(gap).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(formatTime(gap, BERLIN)).toBe('2026-03-29T03:30:00+02:00');
    // Either side of it, as the clocks read.
    expect(parseTime('2026-03-29 01:59:59', BERLIN)).toBe(Date.UTC(2026, 2, 29, 0, 59, 59));
    expect(parseTime('2026-03-29 03:00:00', BERLIN)).toBe(Date.UTC(2026, 2, 29, 1, 0, 0));
  });

  it.each([
    '',
    '2025-05-06',
    '06:40:43',
    '2025-05-06T06:40Z',
    '2025-05-06T06:40',
    '2025-05-06T06:40:43.Z',
    '2025-05-06T06:40:43+08',
    '2025-05-06T06:40:43+8:00',
    '2025-05-06T06:40:43 +08:00',
    '2025-05-06 06:40:43Z',
    '2025-05-06 06:40:43+08:00',
    '2025-05-06 06:40:43.123',
    '2025-05-06  06:40:43',
    '2025-5-6T06:40:43Z',
    '25-05-06T06:40:43Z',
    '+02025-05-06T06:40:43Z',
    ' 2025-05-06T06:40:43Z',
    '2025-05-06T06:40:43Z ',
    '2025/05/06 06:40:43',
    'Tue, 06 May 2025 06:40:43 GMT',
    '1746513643000',
    '2025-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2025-04-31 00:00:00',
    '2025-13-01T00:00:00Z',
    '2025-00-10T00:00:00Z',
    '2025-05-00T00:00:00Z',
    '2025-05-06T24:00:00Z',
    '2025-05-06T23:60:00Z',
    '2025-05-06T23:59:60Z',
    '2025-05-06T06:40:43+24:00',
    '2025-05-06T06:40:43+08:60',
    '２０２５-05-06T06:40:43Z',
  ])('refuses %j', (input) => {
    for (const zone of ZONES) expect(parseTime(input, zone), zone.name).toBeUndefined();
  });

  it('refuses an instant the zone cannot write back with a four-digit year', () => {
    expect(parseTime('9999-12-31T23:59:59Z', UTC)).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
    expect(parseTime('9999-12-31T23:59:59Z', HONG_KONG)).toBeUndefined();
    expect(parseTime('9999-12-31 23:59:59', HONG_KONG)).toBe(Date.UTC(9999, 11, 31, 15, 59, 59));
    expect(parseTime('0000-01-01T00:00:00Z', NEW_YORK)).toBeUndefined();
  });

  it('round-trips formatTime to the whole second, in every zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN_MS + 86_400_000, max: MAX_MS - 86_400_000 }),
        fc.constantFrom(...ZONES),
        (ms, zone) => {
          expect(parseTime(formatTime(ms, zone), zone)).toBe(Math.floor(ms / 1000) * 1000);
        },
      ),
    );
  });

  it('reads a wall clock the zone showed as that wall clock (the first time, if it showed it twice)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.constantFrom(...ZONES),
        (ms, zone) => {
          const shown = formatTime(ms, zone).slice(0, 19);
          const read = parseTime(shown.replace('T', ' '), zone)!;
          expect(formatTime(read, zone).slice(0, 19)).toBe(shown);
          expect(read).toBeLessThanOrEqual(Math.floor(ms / 1000) * 1000);
        },
      ),
    );
  });

  it('reads the same instant whatever the offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1971, 0, 1) / 1000, max: Date.UTC(9998, 0, 1) / 1000 }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (seconds, offsetMin) => {
          const ms = seconds * 1000;
          const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
          const abs = Math.abs(offsetMin);
          const hh = String(Math.floor(abs / 60)).padStart(2, '0');
          const mm = String(abs % 60).padStart(2, '0');
          const sign = offsetMin < 0 ? '-' : '+';
          expect(parseTime(`${local}${sign}${hh}:${mm}`, HONG_KONG)).toBe(ms);
          expect(parseTime(`${local}${sign}${hh}${mm}`, HONG_KONG)).toBe(ms);
          if (offsetMin === 0) expect(parseTime(local.replace('T', ' '), UTC)).toBe(ms);
        },
      ),
    );
  });
});

describe('readTime says what is impossible, to follow the field name', () => {
  it.each([
    ['2025-02-30T00:00:00Z', 'names day 30 of 2025-02, which has 28 days'],
    ['2024-02-30 10:00:00', 'names day 30 of 2024-02, which has 29 days'],
    ['2025-04-31 00:00:00', 'names day 31 of 2025-04, which has 30 days'],
    ['2025-05-00T00:00:00Z', 'names day 00 of 2025-05, which has 31 days'],
    ['2025-13-01T00:00:00Z', 'names month 13, which does not exist (01 to 12)'],
    ['2025-00-10T00:00:00Z', 'names month 00, which does not exist (01 to 12)'],
    ['2025-05-06T24:00:00Z', 'names hour 24, which does not exist (00 to 23)'],
    ['2025-05-06T23:60:00Z', 'names minute 60, which does not exist (00 to 59)'],
    ['2025-05-06T23:59:60Z', 'names second 60, which cannot be read (00 to 59; no leap seconds)'],
    ['2025-05-06T06:40:43+24:00', 'has the offset +24:00, which does not exist (up to ±23:59)'],
    [
      'tomorrow',
      'must be an RFC 3339 time (2025-05-06T14:40:43+08:00) or a local time (2025-05-06 14:40:43)',
    ],
    [
      '0000-01-01',
      'must be an RFC 3339 time (2025-05-06T14:40:43+08:00) or a local time (2025-05-06 14:40:43)',
    ],
  ])('%s %s', (input, problem) => {
    for (const zone of ZONES) expect(readTime(input, zone)).toEqual({ ok: false, problem });
  });

  it('names the zone when the instant has no four-digit year there', () => {
    expect(readTime('9999-12-31T23:59:59Z', HONG_KONG)).toEqual({
      ok: false,
      problem: "is outside the years 0000 to 9999 in the gateway's time zone (Asia/Hong_Kong)",
    });
    expect(readTime('2025-05-06T06:40:43Z', HONG_KONG)).toEqual({ ok: true, ms: T });
  });
});
