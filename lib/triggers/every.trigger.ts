import { TriggerValidationError } from '../errors.js';
import { LoopController } from './loop-controller.js';
import type { TriggerDescription } from './base.trigger.js';
import { keepAnchor, type AnchorRequest, type TriggerState } from './trigger-state.js';
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
/**
 * The longest interval (ms): about 137,000 years, half of what a Date holds, so that now plus one
 * interval is always a valid Date.
 */
const MAX_INTERVAL_MS = 4.32e15;
const UNITS = Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[];
const KEYS = [...UNITS, 'firstRunStrategy', 'anchor', 'maxLoopCount'] as const;

/**
 * Fires every fixed interval. An interval of 0 runs back to back, yielding to the event loop
 * between runs like Forever, within its loop budget.
 */
export class Every extends LoopController {
  readonly intervalMs: number;
  readonly firstRunStrategy: 'wait' | 'immediate';
  readonly anchor: 'end' | 'start';

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
    // Units that each pass can still add up past what a Date can hold (or to Infinity).
    if (!(intervalMs <= MAX_INTERVAL_MS)) {
      throw new TriggerValidationError(
        'Every',
        'interval',
        `must be at most ${MAX_INTERVAL_MS} ms (about 137,000 years), got ${intervalMs}`,
      );
    }
    const firstRunStrategy = options.firstRunStrategy ?? 'wait';
    assertOneOf('Every', 'firstRunStrategy', firstRunStrategy, ['wait', 'immediate']);
    const anchor = options.anchor ?? 'end';
    assertOneOf('Every', 'anchor', anchor, ['end', 'start']);
    this.intervalMs = intervalMs;
    this.firstRunStrategy = firstRunStrategy;
    this.anchor = anchor;
  }

  override get anchoredToRunEnd(): boolean {
    return this.anchor === 'end';
  }

  /**
   * A fixed rate (anchor 'start', interval above 0) fires at anchor + k * interval, the same on
   * every replica once they agree on the anchor; a fixed delay depends on when runs end.
   */
  override get deterministic(): boolean {
    return this.anchor === 'start' && this.intervalMs > 0;
  }

  /** The first fire time: now ('immediate') or one interval on ('wait'). */
  override proposeAnchors(_state: TriggerState, nowMs: number): AnchorRequest[] {
    if (!this.deterministic) return [];
    const first = this.firstRunStrategy === 'immediate' ? nowMs : nowMs + this.intervalMs;
    return [this.anchorRequest(first)];
  }

  override setAnchors(state: TriggerState, anchors: readonly number[]): void {
    if (this.deterministic) keepAnchor(state, anchors);
  }

  nextWait(state: TriggerState, nowMs: number): number {
    const { lastFireAt, anchorAt } = state;
    if (anchorAt !== undefined && this.deterministic) {
      return (
        this.onGrid(anchorAt, lastFireAt === null ? nowMs : Math.max(nowMs, lastFireAt + 1)) - nowMs
      );
    }
    if (lastFireAt === null) return this.firstRunStrategy === 'immediate' ? 0 : this.intervalMs;
    // Fixed rate counts from the last nominal fire time, so lateness does not add up; missed
    // fire times are dropped (the next one is the first after now). A clock set back by more
    // than an interval restarts the rate from now instead of waiting for the clock to catch up.
    if (this.anchor === 'start' && this.intervalMs > 0 && nowMs >= lastFireAt - this.intervalMs) {
      const steps = Math.max(1, Math.floor((nowMs - lastFireAt) / this.intervalMs) + 1);
      return lastFireAt + steps * this.intervalMs - nowMs;
    }
    return this.intervalMs;
  }

  /**
   * The first of anchor + k * interval (k >= 0) at or after `fromMs`. Whole milliseconds (an
   * interval may be fractional) so that a tick's nominal time is the same integer everywhere;
   * each k is rounded alone, so rounding never adds up along the grid.
   */
  private onGrid(anchorMs: number, fromMs: number): number {
    if (fromMs <= anchorMs) return anchorMs;
    const at = (k: number) => anchorMs + Math.round(k * this.intervalMs);
    let k = Math.ceil((fromMs - anchorMs) / this.intervalMs);
    if (k > 0 && at(k - 1) >= fromMs) k--;
    while (at(k) < fromMs) k++;
    return at(k);
  }

  /** Names the interval in the largest unit that divides it. */
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
