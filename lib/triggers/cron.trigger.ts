import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { TriggerValidationError } from '../errors.js';
import type { TriggerDescription } from './base.trigger.js';
import type { TriggerDefaults, TriggerState } from './trigger-state.js';
import { CalendarTrigger } from './calendar-trigger.js';
import { assertKnownKeys } from './trigger-validation.js';
import { findOffsetChange, instantOfWallMs, offsetOf, wallMsOf } from './zoned-time.js';

/** Options of `Cron`; the zone defaults to the module's, else the system's. */
export interface CronOptions {
  /** An IANA time zone such as 'Europe/Berlin'. */
  tz?: string;
  maxLoopCount?: number;
}

const KEYS = ['tz', 'maxLoopCount'] as const;
const DAY_MS = 86_400_000;
// cron-parser's message when no match is found within its search budget (not exported by it).
const NO_MATCH_MESSAGE = 'Invalid expression, loop limit exceeded';

/**
 * Fires on a cron schedule: 5 fields, or 6 with seconds first, month and day names, and aliases
 * such as `@daily`. A list whose items overlap (`0-6,1,10`) means their union, as in Vixie cron.
 *
 * cron-parser only matches the expression, read in UTC where clocks never jump, so its matches are
 * wall-clock times; this class maps them to instants in the zone. cron-parser's own zone handling
 * moves a skipped 02:30 to 03:30 instead of 03:00, drops the 02:15 of `15 2,3 * * *` on the spring
 * day, and gives up ("loop limit exceeded") on half-hour changes such as Australia/Lord_Howe's.
 *
 * DST: a schedule whose hour field covers all 24 hours steps through time (cron-parser's and Vixie
 * cron's rule), so it follows real time: nothing for skipped wall times, both passes of a repeated
 * hour. Any other schedule names wall-clock times, which get SPEC's policy: a skipped time fires at
 * the first instant after the gap, a repeated time at its first occurrence only. A local date the
 * zone skipped (Pacific/Apia, 30 December 2011) has no fire times under either rule.
 */
export class Cron extends CalendarTrigger {
  readonly expression: string;
  /**
   * Whether the expression has `H` elements, whose values a scheduler seeds with the task id (the
   * same on every replica and restart); driven by hand, they are picked at random once.
   */
  readonly hashed: boolean;
  /** The expression as parsed at construction (`H` at random), for a state without a seed. */
  private readonly unseeded: SeededSchedule;
  private readonly text: string;
  /** `H` expressions parsed per seed: a cache (one entry per task using this instance). */
  private readonly seeded = new Map<string, SeededSchedule>();

  constructor(expression: string, options: CronOptions = {}) {
    assertKnownKeys('Cron', options, KEYS);
    super('Cron', options?.tz, options?.maxLoopCount);
    this.expression = expression;
    const text = normalize(expression);
    this.text = text;
    const schedule = parse(text);
    this.hashed = HASHED_FIELD.test(text);
    this.unseeded = {
      schedule,
      memoKey: this.hashed ? null : text,
      stepsThroughEveryHour: stepsThroughEveryHour(schedule),
    };
    if (matchAfter(schedule, this.unseeded.memoKey, Date.now()) === null) {
      throw invalidExpression(expression.trim(), 'it never matches a date');
    }
  }

  /** Keeps the task's seed for `H` (see `hashed`); throws if its values never match a date. */
  override createState(defaults: TriggerDefaults = {}): TriggerState {
    const state = super.createState(defaults);
    if (this.hashed && defaults.seed !== undefined) {
      state.seed = defaults.seed;
      const { schedule, memoKey } = this.scheduleFor(state.seed);
      if (matchAfter(schedule, memoKey, Date.now()) === null) {
        throw invalidExpression(this.text, `its H values for this task never match a date`);
      }
    }
    return state;
  }

  protected nextFireAt(
    zone: string,
    lastFireAt: number | null,
    nowMs: number,
    seed?: string,
  ): number | null {
    const from = lastFireAt !== null && lastFireAt > nowMs ? lastFireAt : nowMs;
    const parsed = this.scheduleFor(this.hashed ? seed : undefined);
    return parsed.stepsThroughEveryHour
      ? this.nextInRealTime(parsed, zone, from)
      : this.nextByWallClock(parsed, zone, from);
  }

  /** The expression as parsed for `seed`, or as parsed at construction without one. */
  private scheduleFor(seed: string | undefined): SeededSchedule {
    if (seed === undefined) return this.unseeded;
    let parsed = this.seeded.get(seed);
    if (!parsed) {
      const schedule = parse(this.text, seed);
      parsed = {
        schedule,
        memoKey: `${this.text}\u0000${seed}`,
        stepsThroughEveryHour: stepsThroughEveryHour(schedule),
      };
      this.seeded.set(seed, parsed);
    }
    return parsed;
  }

  describe(): TriggerDescription {
    return {
      type: 'Cron',
      expression: this.expression,
      tz: this.tz ?? null,
      ...this.describeLoop(),
    };
  }

  /** The first instant after `fromMs` whose wall clock matches; repeated hours match twice. */
  private nextInRealTime(
    { schedule, memoKey }: SeededSchedule,
    zone: string,
    fromMs: number,
  ): number | null {
    // Between offset changes the wall clock is real time plus a constant, so the first match of
    // a stretch is the first wall-clock match minus the offset, if it falls before the stretch ends.
    let start = fromMs;
    let offset = offsetOf(fromMs, zone);
    let wallAfter = fromMs + offset;
    // Each round crosses one offset change, of which a span has a few per year at most.
    for (let round = 0; round < 64; round++) {
      const wall = matchAfter(schedule, memoKey, wallAfter);
      if (wall === null) return null;
      const at = wall - offset;
      const change = findOffsetChange(start, at, zone, offset);
      if (change === null) return at;
      start = change;
      offset = offsetOf(change, zone);
      wallAfter = change + offset - 1; // the change instant itself may match
    }
    return null;
  }

  /** The first instant after `fromMs` of a matching wall-clock time, under SPEC's DST policy. */
  private nextByWallClock(
    { schedule, memoKey }: SeededSchedule,
    zone: string,
    fromMs: number,
  ): number | null {
    let wallAfter = wallMsOf(fromMs, zone);
    // Three rounds at most: one more when fromMs lies in the second pass of a repeated hour, and
    // one more when the match falls on a local date the zone skipped (zones never skip two in a row).
    for (let round = 0; round < 3; round++) {
      const wall = matchAfter(schedule, memoKey, wallAfter);
      if (wall === null) return null;
      const at = instantOfWallMs(wall, zone);
      if (at === null) {
        wallAfter = (Math.floor(wall / DAY_MS) + 1) * DAY_MS - 1; // the skipped date's last ms
        continue;
      }
      if (at > fromMs) return at;
      // `wall` is repeated and its first pass is behind fromMs. Skip to where the repeat ends in
      // wall-clock time: every wall time from there on maps to an instant after fromMs.
      const change = findOffsetChange(at, fromMs, zone) ?? fromMs;
      wallAfter = change + offsetOf(at, zone) - 1;
    }
    return null;
  }
}

/** A parsed expression, and what `matchAfter` and the DST rule need to know of it. */
interface SeededSchedule {
  /** The expression read in UTC: its matches are wall-clock times, encoded as UTC ms. */
  readonly schedule: CronExpression;
  /**
   * The expression as parsed, under which `matchAfter` may share answers with other Crons; null
   * when equal texts may be different schedules (`H` picked at random when parsed).
   */
  readonly memoKey: string | null;
  readonly stepsThroughEveryHour: boolean;
}

/** Whether the hour field covers all 24 hours: then the schedule steps through real time. */
function stepsThroughEveryHour(schedule: CronExpression): boolean {
  return schedule.fields.hour.values.length === 24;
}

/** An `H` (hashed) element: one that starts a field or follows a comma, unlike the H of THU. */
const HASHED_FIELD = /(^|[\s,])H/;

/**
 * The last answer of `matchAfter`: tasks on the same expression, planned in the same wake-up, ask
 * the same question, and cron-parser takes tens of microseconds to answer it. A match depends only
 * on the parsed expression (always read in UTC) and the instant, so the memo is shared by every Cron.
 */
const lastMatch = { text: '', afterMs: NaN, match: null as number | null };

/** The first match of `schedule` strictly after `afterMs`, or null when there is none. */
function matchAfter(
  schedule: CronExpression,
  memoKey: string | null,
  afterMs: number,
): number | null {
  if (memoKey !== null && lastMatch.afterMs === afterMs && lastMatch.text === memoKey) {
    return lastMatch.match;
  }
  schedule.reset(new Date(afterMs));
  let match: number | null;
  try {
    match = schedule.next().getTime();
  } catch (error) {
    if (error instanceof Error && error.message === NO_MATCH_MESSAGE) match = null;
    else throw error;
  }
  if (memoKey !== null) {
    lastMatch.text = memoKey;
    lastMatch.afterMs = afterMs;
    lastMatch.match = match;
  }
  return match;
}

/** The expression's text as cron-parser reads it; throws if it is not a non-empty string. */
function normalize(expression: unknown): string {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new TriggerValidationError('Cron', 'expression', 'must be a non-empty string');
  }
  const text = expression.trim();
  // Names (MON, jan) are case-insensitive in cron-parser but aliases are not; make them agree.
  return text.startsWith('@') ? text.toLowerCase() : text;
}

/** Parses `text` in UTC; `H` values are drawn from `seed`, or at random without one. */
function parse(text: string, seed?: string): CronExpression {
  // cron-parser pads fewer fields with defaults; SPEC allows 5, or 6 with seconds first.
  const fieldCount = text.split(/\s+/).length;
  if (!text.startsWith('@') && fieldCount !== 5 && fieldCount !== 6) {
    throw invalidExpression(text, `expected 5 fields, or 6 with seconds first, got ${fieldCount}`);
  }
  try {
    return CronExpressionParser.parse(text, { tz: 'UTC', hashSeed: seed });
  } catch (error) {
    // cron-parser refuses a list whose items overlap (`0-6,1,10`), which means their union. Only
    // a refused text is rewritten, so whatever cron-parser accepts keeps its meaning exactly.
    const union = unionOfLists(text, seed);
    if (union === text) throw invalidExpression(text, reasonOf(error));
    try {
      return CronExpressionParser.parse(union, { tz: 'UTC', hashSeed: seed });
    } catch (unionError) {
      throw invalidExpression(text, reasonOf(unionError));
    }
  }
}

/** cron-parser's names of the six fields, seconds first. */
const FIELD_NAMES = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
/** An expression any one valid field value can be put into, to read that value alone. */
const PROBE = ['0', '0', '0', '*', '*', '*'];

/** The expression with each list whose items overlap replaced by the values of their union. */
function unionOfLists(text: string, seed?: string): string {
  if (text.startsWith('@')) return text;
  const fields = text.split(/\s+/);
  const first = FIELD_NAMES.length - fields.length; // 1 when there is no seconds field
  // One seed for all probes: every `H` of a field then draws the same number, as in one parse.
  const hashSeed = seed ?? String(Math.random());
  return fields
    .map((field, i) => (field.includes(',') ? unionOfItems(field, first + i, hashSeed) : field))
    .join(' ');
}

/**
 * The values of a list's items as one list without repeats, or the list unchanged when its items
 * do not overlap or one cannot be read. cron-parser reads each item alone, so names, ranges,
 * steps, `L` and `H` keep the meaning it gives them.
 */
function unionOfItems(list: string, index: number, hashSeed: string): string {
  const values = new Set<number | string>();
  let count = 0;
  for (const item of list.split(',')) {
    const probe = [...PROBE];
    probe[index] = item;
    let fields;
    try {
      fields = CronExpressionParser.parse(probe.join(' '), { tz: 'UTC', hashSeed }).fields;
    } catch {
      return list; // the whole expression's error names the fault
    }
    const nth = fields.dayOfWeek.nthDay;
    for (const value of fields[FIELD_NAMES[index]].values) {
      // A weekday range ending in 7 yields both 0 and 7 for Sunday; a lone 7 reads as 0.
      const canonical = index === 5 && value === 7 ? 0 : value;
      values.add(nth === 0 ? canonical : `${canonical}#${nth}`);
      count++;
    }
  }
  if (values.size === count) return list;
  const union = [...values].join(',');
  // cron-parser takes one `#` (nth weekday) per field and no list with it: `5#1,FRI#1` is `5#1`,
  // and a union of several stays refused.
  return union.includes('#') && values.size > 1 ? list : union;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function invalidExpression(expression: string, reason: string): TriggerValidationError {
  return new TriggerValidationError(
    'Cron',
    'expression',
    `${JSON.stringify(expression)}: ${reason}`,
  );
}
