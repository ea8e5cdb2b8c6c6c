/** A wall-clock reading in a time zone; month is 1-12 and weekday 0 (Sunday) to 6. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** The date and time fields of a wall clock; the weekday follows from them. */
export type WallClockTime = Omit<WallClock, 'weekday'>;

const DAY_MS = 86_400_000;
// Assumed: a zone never changes offset twice within a week. Longer spans are checked a week at a
// time, so that a change and its reversal (spring, then autumn) cannot hide between the ends.
const SCAN_STEP_MS = 7 * DAY_MS;

type Field = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';
const FIELD_INDEX: Record<Field, number> = {
  year: 0,
  month: 1,
  day: 2,
  hour: 3,
  minute: 4,
  second: 5,
};

/** A zone's formatter and, for each run of digits it prints, the field that run holds. */
interface ZoneReader {
  formatter: Intl.DateTimeFormat;
  slots: number[];
  /**
   * The offsets of the two seconds read last (NaN: none). A batch of tasks planned together asks
   * for the same one or two seconds over and over (now, and the next fire time), and the offset of
   * a whole second never changes.
   */
  lastSeconds: [number, number];
  lastOffsets: [number, number];
  /** For a fixed-offset zone (`+05:30`): its offset (ms), read on a UTC formatter; else 0. */
  shiftMs: number;
}

/** A fixed UTC offset written as a zone, `+05:30` or `-03:00`, which Node 20's Intl does not know. */
const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** The offset (ms) of a fixed-offset zone name, or null for any other name. */
function fixedOffsetMs(zone: string): number | null {
  const match = FIXED_OFFSET.exec(zone);
  if (match === null) return null;
  const [, sign, hours, minutes] = match;
  const ms = (Number(hours) * 60 + Number(minutes)) * 60_000;
  return ms > 14 * 3_600_000 || Number(minutes) > 59 ? null : sign === '-' ? -ms : ms;
}

// Building a DateTimeFormat costs far more than using one, so there is one per zone for the life
// of the process. format() is several times cheaper than formatToParts(), so the field order is
// learnt once from formatToParts() and each reading only splits digit runs. hourCycle h23 avoids
// the "24:00" some ICU versions print for midnight.
const readers = new Map<string, ZoneReader>();
// Scratch space for one reading: offsetOf runs on every scheduling decision and builds no objects.
const scratch: [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];

function readerFor(zone: string): ZoneReader {
  let reader = readers.get(zone);
  if (reader === undefined) {
    const shiftMs = fixedOffsetMs(zone);
    const formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: shiftMs === null ? zone : 'UTC',
      hourCycle: 'h23',
      numberingSystem: 'latn',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    const slots = formatter
      .formatToParts(0)
      .filter((part) => part.type in FIELD_INDEX)
      .map((part) => FIELD_INDEX[part.type as Field]);
    reader = {
      formatter,
      slots,
      lastSeconds: [NaN, NaN],
      lastOffsets: [0, 0],
      shiftMs: shiftMs ?? 0,
    };
    readers.set(zone, reader);
  }
  return reader;
}

/** Reads the wall clock of an instant into `scratch` (year, month, day, hour, minute, second). */
function read(instantMs: number, { formatter, slots, shiftMs }: ZoneReader): void {
  const text = formatter.format(instantMs + shiftMs);
  let slot = 0;
  let value = -1;
  for (let i = 0; i <= text.length; i++) {
    const digit = i < text.length ? text.charCodeAt(i) - 48 : -1;
    if (digit >= 0 && digit <= 9) {
      value = value < 0 ? digit : value * 10 + digit;
    } else if (value >= 0) {
      scratch[slots[slot++]] = value;
      value = -1;
    }
  }
}

function scratchAsUtcMs(): number {
  const [year, month, day, hour, minute, second] = scratch;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Whether `zone` is a time zone this runtime knows (IANA names, case-insensitive), or a fixed offset such as `+05:30`. */
export function isValidTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.trim() === '') return false;
  try {
    readerFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone of the running process (honours the TZ variable); 'UTC' if the runtime has none. */
export function systemTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The wall-clock reading of an instant in `zone`. */
export function wallClockOf(instantMs: number, zone: string): WallClock {
  read(instantMs, readerFor(zone));
  const [year, month, day, hour, minute, second] = scratch;
  // 1970-01-01 was a Thursday (4).
  const weekday = mod(Math.floor(Date.UTC(year, month - 1, day) / DAY_MS) + 4, 7);
  return { year, month, day, hour, minute, second, weekday };
}

/** The zone's UTC offset at an instant, in ms (positive east of Greenwich). */
export function offsetOf(instantMs: number, zone: string): number {
  // The reading has whole seconds, so compare it with the instant truncated to its second.
  const secondMs = instantMs - mod(instantMs, 1000);
  const reader = readerFor(zone);
  const { lastSeconds, lastOffsets } = reader;
  if (lastSeconds[0] === secondMs) return lastOffsets[0];
  if (lastSeconds[1] === secondMs) return lastOffsets[1];
  read(instantMs, reader);
  const offset = scratchAsUtcMs() - secondMs;
  lastSeconds[1] = lastSeconds[0];
  lastOffsets[1] = lastOffsets[0];
  lastSeconds[0] = secondMs;
  lastOffsets[0] = offset;
  return offset;
}

/** The wall clock of an instant in `zone`, encoded as if it were a UTC instant (ms). */
export function wallMsOf(instantMs: number, zone: string): number {
  return instantMs + offsetOf(instantMs, zone);
}

/**
 * The instant at which `zone` shows the given wall-clock time, following the DST policy: a time
 * skipped by a spring change maps to the first instant after the gap, and a time repeated in autumn
 * maps to its first occurrence. Null when the whole local date was skipped (Pacific/Apia went from
 * 29 to 31 December 2011): that date has no instants, so nothing on it can fire.
 */
export function instantOfWallClock(wall: WallClockTime, zone: string): number | null {
  const { year, month, day, hour, minute, second } = wall;
  return instantOfWallMs(Date.UTC(year, month - 1, day, hour, minute, second), zone);
}

/** As `instantOfWallClock`, for a wall clock encoded as if it were a UTC instant (ms). */
export function instantOfWallMs(wallMs: number, zone: string): number | null {
  // The answer lies within 14 h of wallMs; assume at most one offset change in the two days around.
  const offsetBefore = offsetOf(wallMs - DAY_MS, zone);
  const offsetAfter = offsetOf(wallMs + DAY_MS, zone);
  const low = Math.min(offsetBefore, offsetAfter);
  const high = Math.max(offsetBefore, offsetAfter);
  const early = wallMs - high;
  const late = wallMs - low;
  if (offsetBefore === offsetAfter) return late;
  if (wallMsOf(early, zone) === wallMs) return early; // unique, or the first of two occurrences
  if (wallMsOf(late, zone) === wallMs) return late;
  // Neither reading exists: wallMs is in a spring gap, which ends at the change between the two.
  // In wall-clock time the gap runs from gapEnd + low to gapEnd + high.
  const gapEnd = findOffsetChange(early, late, zone) ?? late;
  const dayStart = wallMs - mod(wallMs, DAY_MS);
  const dateSkipped = gapEnd + low <= dayStart && gapEnd + high >= dayStart + DAY_MS;
  return dateSkipped ? null : gapEnd;
}

/**
 * The first instant in (afterMs, untilMs] whose offset differs from the one at afterMs, or null
 * when the offset holds throughout. Offset changes fall on whole seconds.
 */
export function findOffsetChange(
  afterMs: number,
  untilMs: number,
  zone: string,
  offsetAtStart: number = offsetOf(afterMs, zone),
): number | null {
  for (let start = afterMs; start < untilMs; start += SCAN_STEP_MS) {
    const end = Math.min(untilMs, start + SCAN_STEP_MS);
    if (offsetOf(end, zone) === offsetAtStart) continue;
    let low = Math.floor(start / 1000); // a second known to have the starting offset
    let high = Math.ceil(end / 1000); // a second known to have another
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (offsetOf(mid * 1000, zone) === offsetAtStart) low = mid;
      else high = mid;
    }
    return high * 1000;
  }
  return null;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
