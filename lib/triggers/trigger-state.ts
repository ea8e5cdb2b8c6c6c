/**
 * What changes while a trigger drives a task: plain, JSON-safe data. A trigger is an immutable
 * description of a schedule; each scheduler keeps one of these per task (and a trigger driven by
 * hand keeps its own), so two apps or testing modules built from one decorated class never share
 * a loop count, an anchor or a zone.
 */
export interface TriggerState {
  /** Fires counted against `maxLoopCount`; a fire counts before the method runs. */
  loopCount: number;
  /** The nominal time (epoch ms) of the last fire, or null before the first one. */
  lastFireAt: number | null;
  /** Wall-clock triggers only: the IANA zone they read times in (their own `tz`, else the default). */
  zone?: string;
  /** OrTrigger only: what it remembers of each child. */
  children?: ChildState[];
  /**
   * Cluster mode, fixed-rate Every and Once: the instant (epoch ms) their fire times count from,
   * agreed by every replica (see BaseTrigger.proposeAnchors). Absent outside a cluster.
   */
  anchorAt?: number;
  /** Cron with `H` only: what picks its values (the task id), so that replicas pick alike. */
  seed?: string;
}

/** The instant a trigger would count its fire times from, as one replica proposes it. */
export interface AnchorRequest {
  /** Names the schedule (the JSON of its description): a changed trigger gets a new anchor. */
  schedule: string;
  /** Epoch ms, an integer. */
  proposedAt: number;
}

/** Whether `state`, or the state of any OrTrigger child in it, holds an agreed anchor. */
export function holdsAnchor(state: TriggerState): boolean {
  return (
    state.anchorAt !== undefined || (state.children?.some((c) => holdsAnchor(c.state)) ?? false)
  );
}

/**
 * Keeps in `state` the anchor agreed for a trigger's one proposal (fixed-rate Every, Once), if one
 * came: their shared `setAnchors`.
 */
export function keepAnchor(state: TriggerState, anchors: readonly number[]): void {
  if (anchors.length > 0) state.anchorAt = anchors[0];
}

/** What an OrTrigger remembers of one child. */
export interface ChildState {
  state: TriggerState;
  /** The child's next due instant (epoch ms); null when it will not fire again. */
  dueAt: number | null;
  /** The instant `dueAt` was computed from; null when it must be computed afresh. */
  plannedFrom: number | null;
}

/** Module-wide values a trigger falls back to when it was not given its own. */
export interface TriggerDefaults {
  timeZone?: string;
  /**
   * Per task: what a trigger seeds its otherwise random choices with (cron `H`); the scheduler
   * gives the task id, so the same task picks the same values on every replica and restart.
   */
  seed?: string;
}
