/**
 * The gateway's time zone (OPENKKA_TIMEZONE): the zone in which a time sent without an offset
 * is read, and in which answers and notifications write their times. PayKKa's own clock is
 * Hong Kong time, so that is the default. Offsets come from Intl.DateTimeFormat, that is from
 * the tz database Node carries; daylight saving time is whatever that database says.
 */

/** PayKKa answers in `+08:00` and its v1.2 plugin sends Hong Kong wall-clock times. */
export const DEFAULT_TIME_ZONE = 'Asia/Hong_Kong';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Offsets memoised per hour of UTC; cleared past this many hours (a long-running process). */
const MEMO_LIMIT = 10_000;

export class TimeZone {
  private readonly parts: Intl.DateTimeFormat;
  private readonly byHour = new Map<number, number>();

  private constructor(
    /** The canonical IANA name (`asia/hong_kong` is read as `Asia/Hong_Kong`). */
    readonly name: string,
    parts: Intl.DateTimeFormat,
  ) {
    this.parts = parts;
  }

  /** The zone of an IANA name; throws a RangeError that names the value for anything else. */
  static named(name: string): TimeZone {
    // Newer engines also take "+08:00" as a zone; an offset is not a zone (it knows no DST).
    if (!/^[A-Za-z]/.test(name)) throw notAZone(name);
    let parts: Intl.DateTimeFormat;
    try {
      parts = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw notAZone(name);
    }
    return new TimeZone(parts.resolvedOptions().timeZone, parts);
  }

  /**
   * Minutes to add to UTC to get this zone's wall clock at `ms`. Zones' old local mean times
   * (Hong Kong's +07:36:42 before 1904) are rounded to the minute, as RFC 3339 offsets are.
   */
  offsetMinutes(ms: number): number {
    const hour = Math.floor(ms / HOUR);
    const memo = this.byHour.get(hour);
    if (memo !== undefined) return memo;
    const start = this.measure(hour * HOUR);
    // Offsets change at most once in an hour; an hour whose ends agree has one offset throughout.
    if (start !== this.measure(hour * HOUR + HOUR - 1000)) return this.measure(ms);
    if (this.byHour.size >= MEMO_LIMIT) this.byHour.clear();
    this.byHour.set(hour, start);
    return start;
  }

  /**
   * The instant a wall-clock time names in this zone; `wall` is that wall-clock time as epoch
   * ms read in UTC. When the clocks go back, a time that happens twice is the first (the
   * earlier instant); when they go forward, a time that never happens is read with the offset
   * before the change, which lands as much later as the clocks jumped (02:30 in Berlin on the
   * spring change day is 03:30 +02:00). java.time and Temporal do the same.
   */
  instantOf(wall: number): number {
    // The offsets a day either side bound those in force around `wall`.
    const before = this.offsetMinutes(wall - DAY);
    const after = this.offsetMinutes(wall + DAY);
    const candidates = [wall - before * MINUTE, wall - after * MINUTE].filter(
      (ms) => ms + this.offsetMinutes(ms) * MINUTE === wall,
    );
    if (candidates.length > 0) return Math.min(...candidates);
    return wall - before * MINUTE;
  }

  /** The offset at `ms`, from the wall clock Intl shows for that second. */
  private measure(ms: number): number {
    const second = Math.floor(ms / 1000) * 1000;
    const field: Record<string, string> = {};
    for (const part of this.parts.formatToParts(second)) field[part.type] = part.value;
    // Intl writes year 0 as 1 BC, year −1 as 2 BC.
    const year = field.era === 'BC' ? 1 - Number(field.year) : Number(field.year);
    const wall = new Date(0);
    wall.setUTCFullYear(year, Number(field.month) - 1, Number(field.day));
    wall.setUTCHours(Number(field.hour), Number(field.minute), Number(field.second), 0);
    return Math.round((wall.getTime() - second) / MINUTE);
  }
}

function notAZone(name: string): RangeError {
  return new RangeError(
    `"${name}" is not an IANA time zone name (examples: Asia/Hong_Kong, Europe/Berlin, UTC)`,
  );
}
