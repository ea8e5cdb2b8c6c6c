import { TriggerValidationError } from '../errors.js';
import { LoopController } from './loop-controller.js';
import type { BaseTrigger, TriggerDefaults, TriggerDescription } from './base.trigger.js';
import { assertKnownKeys } from './trigger-validation.js';

/** Options of `OrTrigger`. */
export interface OrTriggerOptions {
  maxLoopCount?: number;
}

/**
 * Fires at the union of its children's fire times, once per instant when several are due together.
 * Each child keeps its own schedule: the Or remembers every child's next due instant instead of
 * asking all of them afresh each time (aioclock's Or restarted every child on each loop, so in
 * `Or(Every(3s), Every(5s))` the 5 s child never fired).
 */
export class OrTrigger extends LoopController {
  readonly triggers: readonly BaseTrigger[];
  /** Each child's next due instant (ms); undefined = not computed yet, null = exhausted. */
  private readonly childDueAt: (number | null | undefined)[];
  /** The instant each child's due instant was computed from. */
  private readonly childPlannedFrom: number[];

  constructor(triggers: BaseTrigger[], options: OrTriggerOptions = {}) {
    assertKnownKeys('OrTrigger', options, ['maxLoopCount']);
    super('OrTrigger', options.maxLoopCount);
    if (!Array.isArray(triggers) || triggers.length === 0) {
      throw new TriggerValidationError('OrTrigger', 'triggers', 'give at least one trigger');
    }
    triggers.forEach((child, index) => {
      if (typeof child?.getWaitingTimeTillNextTrigger !== 'function') {
        throw new TriggerValidationError('OrTrigger', `triggers[${index}]`, 'is not a trigger');
      }
      if (child.phase !== 'scheduled') {
        throw new TriggerValidationError(
          'OrTrigger',
          `triggers[${index}]`,
          `${child.describe().type} runs at ${child.phase}, not on a schedule`,
        );
      }
      if (triggers.indexOf(child) !== index) {
        throw new TriggerValidationError(
          'OrTrigger',
          `triggers[${index}]`,
          'the same trigger instance appears twice',
        );
      }
    });
    this.triggers = [...triggers];
    this.childDueAt = triggers.map(() => undefined);
    this.childPlannedFrom = triggers.map(() => -Infinity);
  }

  override get anchoredToRunEnd(): boolean {
    return this.triggers.some((child) => child.anchoredToRunEnd);
  }

  override applyDefaults(defaults: TriggerDefaults): void {
    for (const child of this.triggers) child.applyDefaults(defaults);
  }

  override restartSchedule(): void {
    this.childDueAt.fill(undefined);
    for (const child of this.triggers) child.restartSchedule();
  }

  override shouldTrigger(): boolean {
    return super.shouldTrigger() && this.triggers.some((child) => child.shouldTrigger());
  }

  getWaitingTimeTillNextTrigger(now: Date = new Date()): number | null {
    if (!super.shouldTrigger()) return null;
    const dueAt = this.nextDueAt(now);
    return dueAt === null ? null : Math.max(0, dueAt - now.getTime());
  }

  /** Fires every child due at or before `scheduledAt`, so simultaneous children fire once. */
  override recordFire(scheduledAt: Date): void {
    super.recordFire(scheduledAt);
    const at = scheduledAt.getTime();
    this.childDueAt.forEach((dueAt, index) => {
      if (dueAt === undefined || dueAt === null || dueAt > at) return;
      this.triggers[index].recordFire(new Date(dueAt));
      this.childDueAt[index] = undefined;
    });
  }

  describe(): TriggerDescription {
    return {
      type: 'OrTrigger',
      triggers: this.triggers.map((child) => child.describe()),
      ...this.describeLoop(),
    };
  }

  /**
   * Earliest due instant among children. Each child's due instant is computed once and remembered
   * until the child fires, so that a child that did not fire keeps its own schedule; an instant
   * earlier than the one a remembered due was computed from (a look ahead, then the present) gets
   * a fresh answer.
   */
  private nextDueAt(now: Date): number | null {
    const nowMs = now.getTime();
    let earliest: number | null = null;
    this.triggers.forEach((child, index) => {
      let dueAt = this.childDueAt[index];
      if (dueAt === undefined || nowMs < this.childPlannedFrom[index]) {
        const wait = child.shouldTrigger() ? child.getWaitingTimeTillNextTrigger(now) : null;
        dueAt = wait === null ? null : nowMs + wait;
        this.childDueAt[index] = dueAt;
        this.childPlannedFrom[index] = nowMs;
      }
      if (dueAt !== null && (earliest === null || dueAt < earliest)) earliest = dueAt;
    });
    return earliest;
  }
}
