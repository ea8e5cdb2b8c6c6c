import { LoopController } from './loop-controller.js';
import type { TriggerDescription } from './base.trigger.js';
import { keepAnchor, type AnchorRequest, type TriggerState } from './trigger-state.js';

/**
 * Fires once, immediately after the scheduler starts. In a cluster it fires once cluster-wide, at
 * the anchor the replicas agreed on (the start of the first replica that proposed one).
 */
export class Once extends LoopController {
  constructor() {
    super('Once', 1);
  }

  override get anchoredToRunEnd(): boolean {
    return false;
  }

  /** Its one fire time is its anchor, the same on every replica. */
  override get deterministic(): boolean {
    return true;
  }

  override proposeAnchors(_state: TriggerState, nowMs: number): AnchorRequest[] {
    return [this.anchorRequest(nowMs)];
  }

  override setAnchors(state: TriggerState, anchors: readonly number[]): void {
    keepAnchor(state, anchors);
  }

  /**
   * At once without an anchor; with one, at the anchor, unless it passed before this replica
   * planned it (then the tick was another replica's, or is caught up from the store).
   */
  nextWait(state: TriggerState, nowMs: number): number | null {
    const { anchorAt, lastFireAt } = state;
    if (anchorAt === undefined) return 0;
    const fired = lastFireAt !== null && lastFireAt >= anchorAt;
    return !fired && anchorAt >= nowMs ? anchorAt - nowMs : null;
  }

  describe(): TriggerDescription {
    return { type: 'Once', ...this.describeLoop() };
  }
}
