// OPENKKA_TIMEZONE: IANA names only, their offsets from the tz database, and a clear refusal.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { DEFAULT_TIME_ZONE, TimeZone } from '../../../src/domain/time-zone.ts';

describe('TimeZone.named', () => {
  it('takes IANA names, written as the tz database spells them or not', () => {
    expect(TimeZone.named('Asia/Hong_Kong').name).toBe('Asia/Hong_Kong');
    expect(TimeZone.named('asia/hong_kong').name).toBe('Asia/Hong_Kong');
    expect(TimeZone.named('UTC').name).toBe('UTC');
    expect(TimeZone.named('Etc/GMT-8').offsetMinutes(0)).toBe(480);
  });

  it.each(['Nowhere/City', 'Hong Kong', '', '+08:00', '-0500', 'GMT+8:00'])(
    'refuses %j, naming it',
    (name) => {
      expect(() => TimeZone.named(name)).toThrow(
        new RangeError(
          `"${name}" is not an IANA time zone name (examples: Asia/Hong_Kong, Europe/Berlin, UTC)`,
        ),
      );
    },
  );

  it('gives the offset in force at an instant, daylight saving time included', () => {
    const berlin = TimeZone.named('Europe/Berlin');
    expect(berlin.offsetMinutes(Date.UTC(2026, 2, 29, 0, 59, 59))).toBe(60);
    expect(berlin.offsetMinutes(Date.UTC(2026, 2, 29, 1, 0, 0))).toBe(120);
    expect(berlin.offsetMinutes(Date.UTC(2026, 9, 25, 0, 59, 59))).toBe(120);
    expect(berlin.offsetMinutes(Date.UTC(2026, 9, 25, 1, 0, 0))).toBe(60);
    // Lord Howe Island moves its clocks by half an hour, at 02:00 local (15:00Z the day before).
    const lordHowe = TimeZone.named('Australia/Lord_Howe');
    expect(lordHowe.offsetMinutes(Date.UTC(2026, 9, 3, 15, 29, 59))).toBe(630);
    expect(lordHowe.offsetMinutes(Date.UTC(2026, 9, 3, 15, 30, 0))).toBe(660);
    const hongKong = TimeZone.named('Asia/Hong_Kong');
    expect(hongKong.offsetMinutes(Date.UTC(2026, 0, 1))).toBe(480);
    // Before 1904 Hong Kong kept its local mean time, +07:36:42: to the minute, +07:37.
    expect(hongKong.offsetMinutes(Date.UTC(1900, 0, 1))).toBe(457);
  });

  it('answers the same offsets when asked again (the memo per hour agrees with Intl)', () => {
    const berlin = TimeZone.named('Europe/Berlin');
    const change = Date.UTC(2026, 2, 29, 1, 0, 0);
    const probes = [-3_600_000, -1000, 0, 1000, 1_800_000].map((d) => change + d);
    const first = probes.map((ms) => berlin.offsetMinutes(ms));
    expect(probes.map((ms) => berlin.offsetMinutes(ms))).toEqual(first);
    expect(first).toEqual([60, 60, 120, 120, 120]);
  });
});

describe('OPENKKA_TIMEZONE', () => {
  it(`defaults to ${DEFAULT_TIME_ZONE}, PayKKa's own clock`, () => {
    expect(loadConfig({}).timeZone.name).toBe('Asia/Hong_Kong');
    expect(loadConfig({ OPENKKA_TIMEZONE: 'Europe/Berlin' }).timeZone.name).toBe('Europe/Berlin');
  });

  it('stops the configuration with a message naming the variable and the value', () => {
    expect(() => loadConfig({ OPENKKA_TIMEZONE: 'Mars/Olympus_Mons' })).toThrow(
      'OPENKKA_TIMEZONE: "Mars/Olympus_Mons" is not an IANA time zone name (examples: Asia/Hong_Kong, Europe/Berlin, UTC)',
    );
  });
});
