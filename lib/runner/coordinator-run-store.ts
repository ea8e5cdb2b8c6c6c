import { messages } from '../errors.js';
import type { ClusterRunRecord, Coordinator } from './coordinator.js';
import { describeError, type RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';
import type { SchedulerLogger } from './scheduler-logger.js';

/** Records kept to write again while the store cannot be reached; past it the oldest are dropped. */
const MAX_PENDING = 10_000;
/** Records written again at once when the store answers (one round trip each, in flight together). */
const RETRY_CHUNK = 100;
/** The longest wait between two tries (ms). */
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * In cluster mode, history goes to the coordinator's store, stamped with this replica's id. A
 * record the store could not take (an outage) is kept and written again, in order, once the store
 * answers: a run that happened is never missing from the shared history because of an outage
 * (unless more than MAX_PENDING pile up, or the replica stops first; both are logged).
 */
export class CoordinatorRunStore implements RunStore {
  /** Records not yet written, oldest first; new records queue behind them to keep the order. */
  private pending: ClusterRunRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly instanceId: string,
    private readonly logger: SchedulerLogger,
  ) {}

  add(record: RunRecord): Promise<void> {
    const stamped: ClusterRunRecord = {
      ...record,
      instanceId: record.instanceId ?? this.instanceId,
      fencingToken: record.fencingToken ?? null,
    };
    if (this.pending.length > 0) {
      this.keep([stamped]);
      return Promise.resolve();
    }
    return this.coordinator
      .appendHistory(stamped)
      .catch((error: unknown) => this.failed([stamped], error));
  }

  list(taskId: string, limit: number): Promise<RunRecord[]> {
    return this.coordinator.listHistory(taskId, limit);
  }

  /** Stops trying; records still pending are reported lost. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length > 0) {
      this.logger.error(messages.historyLost(this.pending.length, 'the scheduler stopped'));
    }
    this.pending = [];
  }

  private failed(records: ClusterRunRecord[], error: unknown): void {
    if (this.failures++ === 0) {
      this.logger.error(messages.historyNotWritten(describeError(error).message));
    }
    this.pending = [...records, ...this.pending];
    this.keep([]);
  }

  /** Queues records behind the pending ones and makes sure a retry is set. */
  private keep(records: ClusterRunRecord[]): void {
    if (this.stopped) return;
    this.pending.push(...records);
    const over = this.pending.length - MAX_PENDING;
    if (over > 0) {
      this.pending.splice(0, over);
      this.logger.error(messages.historyLost(over, 'too many records waited for the store'));
    }
    if (this.timer !== null || this.failures === 0) return;
    const delay = Math.min(MAX_RETRY_DELAY_MS, 1_000 * 2 ** Math.min(this.failures - 1, 5));
    this.timer = setTimeout(() => void this.retry(), delay);
    this.timer.unref?.();
  }

  /** Writes the pending records again, a chunk at a time, until done or the store fails again. */
  private async retry(): Promise<void> {
    this.timer = null;
    while (!this.stopped && this.pending.length > 0) {
      const chunk = this.pending.splice(0, RETRY_CHUNK);
      const results = await Promise.allSettled(
        chunk.map((record) => this.coordinator.appendHistory(record)),
      );
      const unwritten = chunk.filter((_, index) => results[index]!.status === 'rejected');
      if (unwritten.length > 0) {
        const reason = (
          results.find((result) => result.status === 'rejected') as PromiseRejectedResult
        ).reason;
        return this.failed(unwritten, reason);
      }
    }
    if (!this.stopped) this.logger.log(messages.historyWrittenAgain());
    this.failures = 0;
  }
}
