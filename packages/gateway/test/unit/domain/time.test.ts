// Wire timestamps: formatting, accepted input shapes, refusals and round-trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTime, parseTime } from '../../../src/domain/time.ts';

const T = Date.UTC(2025, 4, 6, 6, 40, 43); // 2025-05-06T06:40:43Z
const MIN_MS = Date.parse('0000-01-01T00:00:00Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

describe('formatTime', () => {
  it('writes UTC with +00:00 and whole seconds', () => {
    expect(formatTime(T)).toBe('2025-05-06T06:40:43+00:00');
    expect(formatTime(T + 999)).toBe('2025-05-06T06:40:43+00:00');
    expect(formatTime(0)).toBe('1970-01-01T00:00:00+00:00');
    expect(formatTime(-1)).toBe('1969-12-31T23:59:59+00:00');
    expect(formatTime(MIN_MS)).toBe('0000-01-01T00:00:00+00:00');
    expect(formatTime(MAX_MS)).toBe('9999-12-31T23:59:59+00:00');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, MIN_MS - 1, MAX_MS + 1])('refuses %d', (ms) => {
    expect(() => formatTime(ms)).toThrow(RangeError);
  });
});

describe('parseTime', () => {
  it.each([
    ['2025-05-06T06:40:43+00:00', T],
    ['2025-05-06T06:40:43Z', T],
    ['2025-05-06t06:40:43z', T],
    ['2025-05-06T14:40:43+08:00', T],
    ['2025-05-06T14:40:43+0800', T],
    ['2025-05-06T01:10:43-05:30', T],
    ['2025-05-06T01:10:43-0530', T],
    ['2025-05-06T06:40:43-00:00', T],
    ['2025-05-06 06:40:43', T],
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
    ['0000-01-01T00:00:00Z', MIN_MS],
  ])('reads %s', (input, ms) => {
    expect(parseTime(input)).toBe(ms);
  });

  it.each([
    '',
    '2025-05-06',
    '06:40:43',
    '2025-05-06T06:40:43',
    '2025-05-06T06:40Z',
    '2025-05-06T06:40:43.Z',
    '2025-05-06T06:40:43+08',
    '2025-05-06T06:40:43+8:00',
    '2025-05-06T06:40:43 +08:00',
    '2025-05-06 06:40:43Z',
    '2025-05-06 06:40:43+08:00',
    '2025-05-06 06:40:43.123',
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
    expect(parseTime(input)).toBeUndefined();
  });

  it('round-trips formatTime to the whole second', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS, max: MAX_MS }), (ms) => {
        expect(parseTime(formatTime(ms))).toBe(Math.floor(ms / 1000) * 1000);
      }),
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
          expect(parseTime(`${local}${sign}${hh}:${mm}`)).toBe(ms);
          expect(parseTime(`${local}${sign}${hh}${mm}`)).toBe(ms);
          if (offsetMin === 0) expect(parseTime(local.replace('T', ' '))).toBe(ms);
        },
      ),
    );
  });
});
