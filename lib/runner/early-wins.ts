import { messages } from '../errors.js';
import { describeError } from './run-record.js';
import type { RunExecutor } from './run-executor.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { SchedulerLogger } from './scheduler-logger.js';
import type { PendingClaim } from './tick-claimer.js';

/** A tick won before the store's clock reached it, waiting for it. */
interface EarlyWin {
  pending: PendingClaim;
  fencingToken: number;
  /** When the store's clock reaches the nominal time, as the claim's reply measured it (epoch ms). */
  dueAt: number;
  /** Null once it fired (its shared state is being read again). */
  timer: ReturnType<typeof setTimeout> | null;
}

/** What early wins need from their claimer. */
export interface EarlyWinsDeps {
  logger: SchedulerLogger;
  executor: RunExecutor;
  /**
   * Reads the task's shared control state again and answers whether a tick claimed with control
   * version `version` may still start: not paused, no new trigger since (see ControlSync.current).
   */
  current?(task: ScheduledTask, version: number): Promise<boolean>;
  /** Starts a tick won through the policies (or records it skipped if the scheduler stopped). */
  start(pending: PendingClaim, fencingToken: number, lateness: number): void;
  /** A tick was let go of (started or recorded): wake idle waiters. */
  changed?(): void;
}

/**
 * Ticks won before the store's clock reached their nominal time (a claim within the claim
 * tolerance from a replica whose clock is ahead, before a claim measured the offset). Each waits
 * until the store's clock gets there, so that no claimed tick starts early. The shared state is
 * read again when the wait ends: a task paused then, or given a new trigger since the claim (on
 * any replica), has the tick recorded skipped, since that change came before the tick's time.
 */
export class EarlyWins {
  private readonly waiting = new Set<EarlyWin>();

  constructor(private readonly deps: EarlyWinsDeps) {}

  /** How many ticks wait. */
  get size(): number {
    return this.waiting.size;
  }

  /** Starts the tick in `aheadMs` (see the class). */
  hold(pending: PendingClaim, fencingToken: number, aheadMs: number): void {
    const win: EarlyWin = { pending, fencingToken, dueAt: Date.now() + aheadMs, timer: null };
    win.timer = setTimeout(() => void this.due(win), aheadMs);
    this.waiting.add(win);
  }

  /** The scheduler stopped: each waiting tick goes to start() now, which records it skipped. */
  release(): void {
    for (const win of this.waiting) {
      if (win.timer !== null) clearTimeout(win.timer);
      this.deps.start(win.pending, win.fencingToken, 0);
    }
    this.waiting.clear();
  }

  /** The wait ended: its lateness counts from now. */
  private async due(win: EarlyWin): Promise<void> {
    win.timer = null;
    const { pending, fencingToken } = win;
    let current = true;
    try {
      current = (await this.deps.current?.(pending.task, pending.version ?? 0)) ?? true;
    } catch (error) {
      this.deps.logger.error(describeError(error).message);
    }
    // Released meanwhile (the scheduler stopped): recorded there.
    if (!this.waiting.delete(win)) return;
    if (current) this.deps.start(pending, fencingToken, Date.now() - win.dueAt);
    else {
      const { task, scheduledAt } = pending;
      const why = messages.controlChangedWhileWaiting;
      this.deps.executor.recordNotRun(task, 'skipped', scheduledAt, why, 'schedule', fencingToken);
    }
    this.deps.changed?.();
  }
}
