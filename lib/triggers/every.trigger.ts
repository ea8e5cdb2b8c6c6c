import { TriggerValidationError } from '../errors.js';
import { LoopController } from './loop-controller.js';
import type { TriggerDescription } from './base.trigger.js';
import { assertKnownKeys, assertNonNegativeNumber, assertOneOf } from './trigger-validation.js';

/** Options of `Every`; units add up and fractions are allowed. */
export interface EveryOptions {
  seconds?: number;
  minutes?: number;
  hours?: number;
  days?: number;
  weeks?: number;
  /** 'wait' (default) waits one interval before the first run; 'immediate' runs at once. */
  firstRunStrategy?: 'wait' | 'immediate';
  /**
   * 'end' (default, aioclock's fixed delay) measures each interval from the end of the previous
   * run; 'start' keeps a fixed rate aligned to the first fire time, so runs do not drift.
   */
  anchor?: 'end' | 'start';
  maxLoopCount?: number;
}

const UNIT_MS = {
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
} as const;
/** The largest time from the epoch that a Date holds (ms). */
const MAX_DATE_MS = 8.64e15;
const UNITS = Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[];
const KEYS = [...UNITS, 'firstRunStrategy', 'anchor', 'maxLoopCount'] as const;

// Both choices in one field: each field costs 8 bytes in each of possibly 100,000 triggers.
const IMMEDIATE = 1;
const ANCHOR_START = 2;

/** Fires every fixed interval. */
export class Every extends LoopController {
  readonly intervalMs: number;
  private readonly mode: number;
  /** For anchor 'start': the last planned fire time, from which the next one is counted. */
  private lastPlannedAt: number | null = null;

  constructor(options: EveryOptions) {
    assertKnownKeys('Every', options, KEYS);
    super('Every', options?.maxLoopCount);
    let intervalMs = 0;
    let unitGiven = false;
    for (const unit of UNITS) {
      const value = options[unit];
      if (value === undefined) continue;
      assertNonNegativeNumber('Every', unit, value);
      intervalMs += value * UNIT_MS[unit];
      unitGiven = true;
    }
    if (!unitGiven) {
      throw new TriggerValidationError(
        'Every',
        'interval',
        `give at least one of ${UNITS.join(', ')}`,
      );
    }
    if (intervalMs <= 0) {
      throw new TriggerValidationError('Every', 'interval', 'must be longer than 0 ms');
    }
    // Units that each pass can still add up past what a Date can hold (or to Infinity).
    if (!(intervalMs <= MAX_DATE_MS)) {
      throw new TriggerValidationError('Every', 'interval', `must be at most ${MAX_DATE_MS} ms`);
    }
    const firstRunStrategy = options.firstRunStrategy ?? 'wait';
    assertOneOf('Every', 'firstRunStrategy', firstRunStrategy, ['wait', 'immediate']);
    const anchor = options.anchor ?? 'end';
    assertOneOf('Every', 'anchor', anchor, ['end', 'start']);
    this.intervalMs = intervalMs;
    this.mode =
      (firstRunStrategy === 'immediate' ? IMMEDIATE : 0) | (anchor === 'start' ? ANCHOR_START : 0);
  }

  get firstRunStrategy(): 'wait' | 'immediate' {
    return this.mode & IMMEDIATE ? 'immediate' : 'wait';
  }

  get anchor(): 'end' | 'start' {
    return this.mode & ANCHOR_START ? 'start' : 'end';
  }

  override get anchoredToRunEnd(): boolean {
    return (this.mode & ANCHOR_START) === 0;
  }

  getWaitingTimeTillNextTrigger(now: Date = new Date()): number | null {
    if (!this.shouldTrigger()) return null;
    if (this.loopCount === 0 && this.mode & IMMEDIATE) return 0;
    if (this.mode & ANCHOR_START && this.lastPlannedAt !== null) {
      // Fixed rate: count from the last planned time, not from now, so lateness does not add up.
      // If fire times were missed, the next one is the first planned time after now.
      const elapsed = now.getTime() - this.lastPlannedAt;
      const steps = Math.max(1, Math.floor(elapsed / this.intervalMs) + 1);
      return this.lastPlannedAt + steps * this.intervalMs - now.getTime();
    }
    return this.intervalMs;
  }

  override recordFire(scheduledAt: Date): void {
    super.recordFire(scheduledAt);
    this.lastPlannedAt = scheduledAt.getTime();
  }

  /** Names the interval in the largest unit that divides it (the options are not kept: memory). */
  describe(): TriggerDescription {
    const unit = [...UNITS].reverse().find((u) => this.intervalMs % UNIT_MS[u] === 0) ?? 'seconds';
    return {
      type: 'Every',
      [unit]: this.intervalMs / UNIT_MS[unit],
      intervalMs: this.intervalMs,
      firstRunStrategy: this.firstRunStrategy,
      anchor: this.anchor,
      ...this.describeLoop(),
    };
  }
}
