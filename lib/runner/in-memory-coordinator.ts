import { DEFAULT_HISTORY_SIZE } from './run-store.js';
import type {
  AnchorProposal,
  ClaimOutcome,
  ClusterRunRecord,
  Coordinator,
  LeaseOutcome,
  TickClaim,
} from './coordinator.js';

/** What the in-memory store keeps of one task. */
interface TaskCell {
  /** The nominal time of the last tick won (epoch ms). */
  highWater: number;
  fencingToken: number;
  /** Newest last. */
  history: ClusterRunRecord[];
  lease: { holder: string; epoch: number; expiresAt: number } | null;
  /** The epoch of the last lease granted, kept after the lease ends. */
  leaseEpoch: number;
}

/**
 * The coordinator of one process: several schedulers (replicas under test, or apps in one
 * process) that share one instance claim each tick once. The store's clock is this process's.
 */
export class InMemoryCoordinator implements Coordinator {
  readonly kind = 'memory';
  private readonly tasks = new Map<string, TaskCell>();
  /** Kept anchors by task id, then by schedule. */
  private readonly anchorsByTask = new Map<string, Map<string, number>>();

  constructor(private readonly historySize = DEFAULT_HISTORY_SIZE) {}

  async connect(): Promise<void> {}

  async claimTicks(
    _instanceId: string,
    ticks: readonly TickClaim[],
    toleranceMs: number,
  ): Promise<ClaimOutcome[]> {
    const now = Date.now();
    return ticks.map(({ taskId, scheduledAt }): ClaimOutcome => {
      if (scheduledAt > now + toleranceMs) return { won: false, reason: 'early' };
      const cell = this.cell(taskId);
      if (scheduledAt <= cell.highWater) return { won: false, reason: 'taken' };
      cell.highWater = scheduledAt;
      return { won: true, fencingToken: ++cell.fencingToken };
    });
  }

  async lastTicks(taskIds: readonly string[]): Promise<(number | null)[]> {
    return taskIds.map((taskId) => {
      const highWater = this.tasks.get(taskId)?.highWater;
      return highWater === undefined || highWater === -Infinity ? null : highWater;
    });
  }

  async holdLeases(
    instanceId: string,
    taskIds: readonly string[],
    ttlMs: number,
  ): Promise<LeaseOutcome[]> {
    const now = Date.now();
    return taskIds.map((taskId): LeaseOutcome => {
      const cell = this.cell(taskId);
      const { lease } = cell;
      if (lease !== null && lease.expiresAt > now && lease.holder !== instanceId) {
        return { held: false, holder: lease.holder };
      }
      if (lease !== null && lease.expiresAt > now) {
        lease.expiresAt = now + ttlMs;
        return { held: true, epoch: lease.epoch };
      }
      cell.lease = { holder: instanceId, epoch: ++cell.leaseEpoch, expiresAt: now + ttlMs };
      return { held: true, epoch: cell.leaseEpoch };
    });
  }

  async releaseLeases(instanceId: string, taskIds: readonly string[]): Promise<void> {
    for (const taskId of taskIds) {
      const cell = this.tasks.get(taskId);
      if (cell?.lease?.holder === instanceId) cell.lease = null;
    }
  }

  async appendHistory(record: ClusterRunRecord): Promise<void> {
    const { history } = this.cell(record.taskId);
    history.push(record);
    if (history.length > this.historySize) history.shift();
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
      cell = { highWater: -Infinity, fencingToken: 0, history: [], lease: null, leaseEpoch: 0 };
      this.tasks.set(taskId, cell);
    }
    return cell;
  }
}
