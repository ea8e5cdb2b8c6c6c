import { DEFAULT_HISTORY_SIZE } from './run-store.js';
import { countRecord, emptyRunStats, type ClusterRunStats } from './cluster-run-stats.js';
import type {
  AnchorProposal,
  ClaimOutcome,
  ClusterRunRecord,
  ControlChange,
  ControlState,
  Coordinator,
  InFlightRun,
  LeaseOutcome,
  SharedTaskState,
  TickClaim,
} from './coordinator.js';

/** What the in-memory store keeps of one task. */
interface TaskCell {
  /** The nominal time of the last tick won (epoch ms). */
  highWater: number;
  /**
   * Who claimed the high-water tick, and what they were answered: the same claimer asking again
   * (its reply was lost) gets the same answer.
   */
  claimedBy: { claimerId: string; outcome: ClaimOutcome } | null;
  fencingToken: number;
  /** Newest last. */
  history: ClusterRunRecord[];
  /** The (run id, attempt) of each record in `history`: an append of one of them is a repeat. */
  appended: Set<string>;
  lease: { holder: string; epoch: number; expiresAt: number } | null;
  /** The epoch of the last lease granted, kept after the lease ends. */
  leaseEpoch: number;
  /** Null until the first control change. */
  control: ControlState | null;
  /** Ticks used up since the last setTrigger (the loop budget's count). */
  loops: number;
  /** Overlap 'skip': the run marked in flight, until its record clears it or it expires. */
  inFlight: { token: number; until: number } | null;
  /** Run totals, counted on append; null before the first record. */
  stats: ClusterRunStats | null;
}

/**
 * The coordinator of one process: several schedulers (replicas under test, or apps in one
 * process) that share one instance claim each tick once. The store's clock is this process's.
 */
export class InMemoryCoordinator implements Coordinator {
  readonly kind = 'memory';
  private readonly tasks = new Map<string, TaskCell>();
  /** Manual run requests: `taskId\0requestId` -> expiry (epoch ms). */
  private readonly requests = new Map<string, number>();
  /** Kept anchors by task id, then by schedule. */
  private readonly anchorsByTask = new Map<string, Map<string, number>>();

  constructor(private readonly historySize = DEFAULT_HISTORY_SIZE) {}

  async connect(): Promise<void> {}

  async claimTicks(
    claimerId: string,
    ticks: readonly TickClaim[],
    toleranceMs: number,
  ): Promise<ClaimOutcome[]> {
    const now = Date.now();
    // Tasks whose run this batch marked in flight: a later tick of the task in the same batch
    // (catch-up after an outage) is not refused by that mark; it takes the mark over, and the
    // replica, which records the older ones missed, applies its own overlap policy.
    const markedHere = new Set<string>();
    return ticks.map((tick): ClaimOutcome => {
      const { taskId, scheduledAt } = tick;
      if (scheduledAt > now + toleranceMs) return { won: false, reason: 'early' };
      const cell = this.cell(taskId);
      if (scheduledAt === cell.highWater && cell.claimedBy?.claimerId === claimerId) {
        return cell.claimedBy.outcome;
      }
      if (scheduledAt <= cell.highWater) return { won: false, reason: 'taken' };
      // The same order of checks as the Redis script and the PostgreSQL function.
      const used = (outcome: ClaimOutcome): ClaimOutcome => {
        cell.highWater = scheduledAt;
        cell.claimedBy = { claimerId, outcome };
        return outcome;
      };
      // Used up: a restart does not catch up a paused tick.
      if (cell.control?.paused) return used({ won: false, reason: 'paused' });
      if ((tick.version ?? 0) < (cell.control?.triggerVersion ?? 0)) {
        return { won: false, reason: 'stale' };
      }
      const budget = tick.maxLoopCount ?? null;
      if (budget !== null && cell.loops >= budget) return { won: false, reason: 'exhausted' };
      cell.loops++;
      const ttl = tick.inFlightTtlMs ?? null;
      const busy = cell.inFlight !== null && cell.inFlight.until > now && !markedHere.has(taskId);
      if (ttl !== null && busy) return used({ won: false, reason: 'overlap' });
      const fencingToken = ++cell.fencingToken;
      if (ttl !== null) {
        cell.inFlight = { token: fencingToken, until: now + ttl };
        markedHere.add(taskId);
      }
      return used({ won: true, fencingToken });
    });
  }

  async writeControl(taskId: string, change: ControlChange): Promise<ControlState> {
    const cell = this.cell(taskId);
    const before = cell.control ?? { paused: null, version: 0, triggerVersion: 0, trigger: null };
    const version = before.version + 1;
    const control: ControlState = { ...before, version };
    if (change.kind === 'pause') control.paused = true;
    else if (change.kind === 'resume') control.paused = false;
    else {
      control.trigger = structuredClone(change.trigger);
      control.triggerVersion = version;
      cell.loops = 0;
    }
    cell.control = control;
    return structuredClone(control);
  }

  async readControl(
    taskIds: readonly string[],
    renew?: { runs: readonly InFlightRun[]; ttlMs: number },
  ): Promise<SharedTaskState[]> {
    const now = Date.now();
    for (const { taskId, fencingToken } of renew?.runs ?? []) {
      const mark = this.tasks.get(taskId)?.inFlight;
      if (mark && mark.token === fencingToken) mark.until = now + renew!.ttlMs;
    }
    return taskIds.map((taskId) => {
      const cell = this.tasks.get(taskId);
      return {
        control: cell?.control ? structuredClone(cell.control) : null,
        stats: cell?.stats ? structuredClone(cell.stats) : null,
      };
    });
  }

  async claimRequest(
    _instanceId: string,
    taskId: string,
    requestId: string,
    ttlMs: number,
  ): Promise<boolean> {
    const now = Date.now();
    const key = `${taskId}\0${requestId}`;
    const expires = this.requests.get(key);
    if (expires !== undefined && expires > now) return false;
    this.requests.set(key, now + ttlMs);
    // Expired requests are dropped as new ones come, so the map stays as large as one TTL's worth.
    if (this.requests.size % 1_000 === 0) {
      for (const [old, until] of this.requests) if (until <= now) this.requests.delete(old);
    }
    return true;
  }

  async lastTicks(taskIds: readonly string[]): Promise<(number | null)[]> {
    return taskIds.map((taskId) => {
      const highWater = this.tasks.get(taskId)?.highWater;
      return highWater === undefined || highWater === -Infinity ? null : highWater;
    });
  }

  async holdLeases(
    holderId: string,
    taskIds: readonly string[],
    ttlMs: number,
  ): Promise<LeaseOutcome[]> {
    const now = Date.now();
    return taskIds.map((taskId): LeaseOutcome => {
      const cell = this.cell(taskId);
      const { lease } = cell;
      if (lease !== null && lease.expiresAt > now && lease.holder !== holderId) {
        return { held: false, holder: lease.holder };
      }
      if (lease !== null && lease.expiresAt > now) {
        lease.expiresAt = now + ttlMs;
        return { held: true, epoch: lease.epoch };
      }
      cell.lease = { holder: holderId, epoch: ++cell.leaseEpoch, expiresAt: now + ttlMs };
      return { held: true, epoch: cell.leaseEpoch };
    });
  }

  async releaseLeases(holderId: string, taskIds: readonly string[]): Promise<void> {
    for (const taskId of taskIds) {
      const cell = this.tasks.get(taskId);
      if (cell?.lease?.holder === holderId) cell.lease = null;
    }
  }

  async appendHistory(record: ClusterRunRecord): Promise<void> {
    const cell = this.cell(record.taskId);
    const { history, appended } = cell;
    // A record appended again (a retry after a lost reply) is neither listed nor counted twice.
    if (appended.has(appendId(record))) return;
    if (cell.inFlight !== null && cell.inFlight.token === record.fencingToken) cell.inFlight = null;
    history.push(record);
    appended.add(appendId(record));
    if (history.length > this.historySize) appended.delete(appendId(history.shift()!));
    countRecord((cell.stats ??= emptyRunStats()), record);
  }

  async listHistory(taskId: string, limit: number): Promise<ClusterRunRecord[]> {
    return [...(this.tasks.get(taskId)?.history ?? [])].reverse().slice(0, limit);
  }

  async close(): Promise<void> {}

  async anchors(proposals: readonly AnchorProposal[]): Promise<number[]> {
    return proposals.map(({ taskId, schedule, proposedAt }) => {
      let kept = this.anchorsByTask.get(taskId);
      if (!kept) this.anchorsByTask.set(taskId, (kept = new Map()));
      const anchor = kept.get(schedule);
      if (anchor !== undefined) return anchor;
      kept.set(schedule, proposedAt);
      return proposedAt;
    });
  }

  private cell(taskId: string): TaskCell {
    let cell = this.tasks.get(taskId);
    if (!cell) {
      cell = {
        highWater: -Infinity,
        claimedBy: null,
        fencingToken: 0,
        history: [],
        appended: new Set(),
        lease: null,
        leaseEpoch: 0,
        control: null,
        loops: 0,
        inFlight: null,
        stats: null,
      };
      this.tasks.set(taskId, cell);
    }
    return cell;
  }
}

/** What makes a history record unique: its run and attempt. */
function appendId(record: ClusterRunRecord): string {
  return `${record.runId}#${record.attempt}`;
}
