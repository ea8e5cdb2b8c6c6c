import { TriggerValidationError } from '../errors.js';
import { LoopController } from './loop-controller.js';
import { BaseTrigger, type TriggerDescription } from './base.trigger.js';
import type { AnchorRequest, ChildState, TriggerDefaults, TriggerState } from './trigger-state.js';
import { assertKnownKeys } from './trigger-validation.js';

/** Options of `OrTrigger`. */
export interface OrTriggerOptions {
  maxLoopCount?: number;
}

/**
 * Fires at the union of its children's fire times, once per instant when several are due together.
 * Each child keeps its own schedule: the state remembers every child's next due instant instead of
 * asking all of them afresh each time (aioclock's Or restarted every child on each loop, so in
 * `Or(Every(3s), Every(5s))` the 5 s child never fired).
 */
export class OrTrigger extends LoopController {
  readonly triggers: readonly BaseTrigger[];

  constructor(triggers: BaseTrigger[], options: OrTriggerOptions = {}) {
    assertKnownKeys('OrTrigger', options, ['maxLoopCount']);
    super('OrTrigger', options.maxLoopCount);
    if (!Array.isArray(triggers) || triggers.length === 0) {
      throw new TriggerValidationError('OrTrigger', 'triggers', 'give at least one trigger');
    }
    triggers.forEach((child, index) => {
      if (!(child instanceof BaseTrigger)) {
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
  }

  override get anchoredToRunEnd(): boolean {
    return this.triggers.some((child) => child.anchoredToRunEnd);
  }

  override get followsWallClock(): boolean {
    return this.triggers.some((child) => child.followsWallClock);
  }

  override get deterministic(): boolean {
    return this.triggers.every((child) => child.deterministic);
  }

  override components(): BaseTrigger[] {
    return [this, ...this.triggers.flatMap((child) => child.components())];
  }

  override createState(defaults: TriggerDefaults = {}): TriggerState {
    const state = super.createState(defaults);
    state.children = this.triggers.map((child) => ({
      state: child.createState(defaults),
      dueAt: null,
      plannedFrom: null,
    }));
    return state;
  }

  /** The anchors of the children that count from an instant of their own, in child order. */
  override proposeAnchors(state: TriggerState, nowMs: number): AnchorRequest[] {
    return this.triggers.flatMap((child, index) =>
      child.proposeAnchors(state.children![index].state, nowMs),
    );
  }

  override setAnchors(state: TriggerState, anchors: readonly number[]): void {
    let next = 0;
    this.triggers.forEach((child, index) => {
      const childState = state.children![index].state;
      const count = child.proposeAnchors(childState, 0).length;
      child.setAnchors(childState, anchors.slice(next, next + count));
      next += count;
    });
    this.restart(state);
  }

  override restart(state: TriggerState): void {
    this.triggers.forEach((child, index) => {
      const remembered = state.children![index];
      remembered.plannedFrom = null;
      child.restart(remembered.state);
    });
  }

  override canFire(state: TriggerState): boolean {
    return (
      super.canFire(state) &&
      this.triggers.some((child, index) => child.canFire(state.children![index].state))
    );
  }

  nextWait(state: TriggerState, nowMs: number): number | null {
    let earliest: number | null = null;
    this.triggers.forEach((child, index) => {
      const dueAt = this.childDueAt(child, state.children![index], nowMs);
      if (dueAt !== null && (earliest === null || dueAt < earliest)) earliest = dueAt;
    });
    return earliest === null ? null : Math.max(0, earliest - nowMs);
  }

  /** Fires every child due at or before `scheduledAtMs`, so simultaneous children fire once. */
  override advance(state: TriggerState, scheduledAtMs: number): void {
    super.advance(state, scheduledAtMs);
    this.triggers.forEach((child, index) => {
      const remembered = state.children![index];
      const { dueAt } = remembered;
      if (remembered.plannedFrom === null || dueAt === null || dueAt > scheduledAtMs) return;
      child.advance(remembered.state, dueAt);
      remembered.plannedFrom = null;
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
   * A child's due instant, computed once and remembered until the child fires, so that a child
   * that did not fire keeps its own schedule. An instant earlier than the one the remembered due
   * was computed from (a look ahead, then the present) gets a fresh answer.
   */
  private childDueAt(child: BaseTrigger, remembered: ChildState, nowMs: number): number | null {
    if (remembered.plannedFrom === null || nowMs < remembered.plannedFrom) {
      const wait = child.canFire(remembered.state) ? child.nextWait(remembered.state, nowMs) : null;
      remembered.dueAt = wait === null ? null : nowMs + wait;
      remembered.plannedFrom = nowMs;
    }
    return remembered.dueAt;
  }
}
