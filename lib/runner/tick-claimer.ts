import { messages } from '../errors.js';
import {
  storeClockOffset,
  type ClaimOutcome,
  type ClaimRefusal,
  type Coordinator,
  type TickClaim,
} from './coordinator.js';
import { missedTicks, ticksBetween } from './catch-up.js';
import { EarlyWins, type EarlyWinsDeps } from './early-wins.js';
import type { ClusterSettings } from './cluster-options.js';
import { describeError } from './run-record.js';
import { settlesWithin } from '../utils/settles-within.js';
import type { RunExecutor } from './run-executor.js';
import type { StoreContact } from './store-contact.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { SchedulerLogger } from './scheduler-logger.js';

/** A tick of a deterministic schedule that waits for the cluster's answer. */
export interface PendingClaim {
  task: ScheduledTask;
  scheduledAt: number;
  /** When it was due here (its lateness counts from then). */
  dueAt: number;
  /** Not claimed when due (the store was unreachable, or every replica down): claimed late. */
  late?: boolean;
  /**
   * Refused as early: not claimed again before this (this machine's epoch ms), when the store's
   * clock reaches the nominal time as the refusal measured it; absent: at the next claim.
   */
  claimAt?: number;
  /** The control version its last claim carried (see TickClaim.version). */
  version?: number;
}

/** What the claimer needs from its planner. */
export interface TickClaimerDeps {
  cluster: ClusterSettings;
  logger: SchedulerLogger;
  executor: RunExecutor;
  /** Whether runs may start (the scheduler runs). */
  planning(): boolean;
  /** Where round trips report whether the store answered. */
  contact: StoreContact;
  /** Runs a tick this replica won (or holds it, or records it), as the policies say. */
  decide(task: ScheduledTask, scheduledAt: number, lateness: number, fencingToken: number): void;
  /** What a claim of the task carries besides the tick (control version, budget, in-flight mark). */
  terms?(task: ScheduledTask): Omit<TickClaim, 'taskId' | 'scheduledAt'>;
  /** The store refused a tick as paused, stale or exhausted: the scheduler catches up. */
  refused?(task: ScheduledTask, reason: ClaimRefusal): void;
  /** Whether a tick won early may still start when its wait ends (see EarlyWins). */
  current?: EarlyWinsDeps['current'];
  /** The claimer let go of ticks (ran, recorded or dropped them): wake idle waiters. */
  changed?(): void;
}

/** Claims this replica sent, by what the store answered ('failed': the store could not be reached). */
export interface ClaimCounts {
  won: number;
  taken: number;
  early: number;
  failed: number;
}

/** Refusals that used the tick up or found it used: it is never claimed again. */
const ANSWERED = new Set<ClaimRefusal>(['taken', 'paused', 'overlap']);
/** Ticks kept to claim again while the store cannot be reached (the newest are kept). */
const MAX_RETRIES = 10_000;
/** The longest wait between two tries while the store cannot be reached (ms). */
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Claims ticks for one replica, one round trip at a time, in order: a tick whose claim failed is
 * claimed again (on a timer with backoff, even when no new tick comes), before newer ones, so
 * that none is refused behind a newer tick of its task; a tick refused as early (the store's
 * clock behind this one's) is tried again until the store's clock gets there. What it wins it
 * runs through the policies, records as missed (the older ticks of an outage), or, when the
 * scheduler stopped meanwhile, records as skipped: a tick won is never silently lost.
 */
export class TickClaimer {
  /** Ticks due, not yet sent. */
  private queue: PendingClaim[] = [];
  /** Ticks to send again (failed or early), oldest first. */
  private retries: PendingClaim[] = [];
  private inFlight = false;
  /** The claim in flight, settled once its answer was handled. */
  private sending: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the timer fires (epoch ms). */
  private timerAt = Infinity;
  private failures = 0;
  private warnedEarly = false;
  /** Ticks won before the store's clock reached them, each waiting for it. */
  private readonly early: EarlyWins;
  /** Running totals for metrics; a tick claimed again after a failure counts each time. */
  readonly claims: ClaimCounts = { won: 0, taken: 0, early: 0, failed: 0 };

  constructor(private readonly deps: TickClaimerDeps) {
    this.early = new EarlyWins({
      ...deps,
      start: (pending, fencingToken, lateness) => this.start(pending, fencingToken, lateness),
    });
  }

  /** Whether the last claim failed (until one succeeds). */
  get failing(): boolean {
    return this.failures > 0;
  }

  /**
   * Whether it holds ticks not yet run or recorded (to send, in flight, or waiting for the store's
   * clock): the scheduler is not idle meanwhile, or a finite task's last tick would be lost.
   */
  get busy(): boolean {
    const { queue, retries, early } = this;
    return this.inFlight || queue.length > 0 || retries.length > 0 || early.size > 0;
  }

  /** Adds a tick due now. */
  add(pending: PendingClaim): void {
    this.queue.push(pending);
  }

  /** Adds ticks nobody claimed in time (found at start), oldest first. */
  addLate(pending: PendingClaim[]): void {
    this.retries.push(...pending.map((tick) => ({ ...tick, late: true })));
  }

  /** Sends what waits, in one round trip, unless a claim is in flight (then right after it). */
  flush(): void {
    // Stopped: a retry or an answer coming after clear() sends nothing more (the store closes).
    if (!this.deps.planning()) return;
    if (this.inFlight || (this.queue.length === 0 && this.retries.length === 0)) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    // Ticks refused as early wait for the store's clock. Newer ticks of their task may go: the
    // store refuses them as early too, so none is claimed past an older one.
    const now = Date.now();
    const waiting = this.retries.filter((pending) => (pending.claimAt ?? 0) > now);
    const batch = [...this.retries.filter((pending) => !waiting.includes(pending)), ...this.queue]
      // Answered before: a claim of it again would be answered as a lost reply's, won.
      .filter(({ task, scheduledAt }) => scheduledAt > (task.claimedUpTo ?? -Infinity))
      // Oldest first: the store refuses a tick behind a newer one of its task.
      .sort((a, b) => a.scheduledAt - b.scheduledAt);
    this.retries = waiting;
    this.queue = [];
    this.retryWhenClaimable();
    if (batch.length === 0) {
      // Every tick was answered before: let go of, so idle waiters may be done.
      this.deps.changed?.();
      return;
    }
    const { coordinator, claimerId, claimToleranceMs } = this.deps.cluster;
    const ticks = batch.map((pending) => {
      const terms = this.deps.terms?.(pending.task);
      pending.version = terms?.version ?? 0;
      return { ...terms, taskId: pending.task.id, scheduledAt: pending.scheduledAt };
    });
    this.inFlight = true;
    this.sending = coordinator
      .claimTicks(claimerId, ticks, claimToleranceMs)
      .then(
        (outcomes) => this.answered(batch, outcomes),
        (error: unknown) => this.failed(batch, error),
      )
      .catch((error: unknown) => this.deps.logger.error(describeError(error).message))
      .finally(() => {
        this.inFlight = false;
        if (this.queue.length > 0) this.flush();
        // A retry timer that fired while this claim was in flight found it busy: arm it again.
        else if (this.timer === null) this.retryWhenClaimable();
        this.deps.changed?.();
      });
  }

  /**
   * Claims once the ticks nobody claimed (see missedTicks): the newest of a task is run or recorded
   * missed as the misfire policy and catchUpWindow say, the older ones are recorded missed.
   */
  async catchUp(tasks: Iterable<ScheduledTask>, now: number): Promise<void> {
    const missed = await missedTicks(tasks, now, this.deps);
    if (missed.length === 0) return;
    // Claimed like any tick that could not be claimed in time: in order, with retries.
    this.addLate(missed);
    this.flush();
  }

  /**
   * Claims late, once, the task's ticks after `after` up to `until` (see FirePlanner's
   * catchUpBehindStore): the newest runs as the misfire policy says, the older are recorded missed.
   */
  catchUpBetween(task: ScheduledTask, after: number, until: number): void {
    const ticks = ticksBetween(task, after, until);
    if (ticks.length === 0) return;
    this.addLate(ticks.map((scheduledAt) => ({ task, scheduledAt, dueAt: scheduledAt })));
    this.flush();
  }

  /**
   * Settles once no claim is in flight: at shutdown, a tick won by a claim sent before the stop is
   * recorded skipped before the store closes (else its record could not be written, and the store,
   * which counts it as claimed, has no replica run it: neither run nor recorded). Waits until
   * `deadlineMs` (epoch ms) at most: a store that does not answer must not hold shutdown forever.
   */
  async settled(deadlineMs: number): Promise<void> {
    while (this.inFlight) {
      if (!(await settlesWithin(this.sending, Math.max(0, deadlineMs - Date.now())))) return;
    }
  }

  /**
   * Stops: nothing more is claimed or tried again; a tick won that waits for the store's clock is
   * recorded skipped.
   */
  clear(): void {
    this.early.release();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.queue = [];
    this.retries = [];
  }

  private answered(
    batch: PendingClaim[],
    outcomes: Awaited<ReturnType<Coordinator['claimTicks']>>,
  ): void {
    const { coordinator, instanceId, claimToleranceMs } = this.deps.cluster;
    if (this.failing) this.deps.logger.log(messages.storeReachable(coordinator.kind));
    this.failures = 0;
    this.deps.contact.answered();
    this.count(outcomes);
    const early = batch.filter((_, index) => {
      const outcome = outcomes[index];
      return outcome !== undefined && !outcome.won && outcome.reason === 'early';
    });
    if (early.length > 0) {
      if (!this.warnedEarly) {
        this.warnedEarly = true;
        this.deps.logger.warn(messages.claimsEarly(instanceId, claimToleranceMs));
      }
      // The store's clock is behind this one's: try again when it gets there, as this reply
      // measured it (or every while, for a store that does not tell its clock).
      const offset = storeClockOffset(coordinator);
      const fallback = Date.now() + Math.max(250, Math.min(claimToleranceMs, 1_000));
      for (const pending of early) {
        pending.claimAt = offset === null ? fallback : pending.scheduledAt - offset;
      }
      this.retries.push(...early);
      this.retryWhenClaimable();
    }
    // Of the ticks nobody claimed in time, the newest runs once, late, as the misfire policy
    // says, unless a tick of the task due now runs anyway; the others are recorded missed, once,
    // by the replica that claimed them.
    const newestLate = new Map<ScheduledTask, PendingClaim>();
    const dueNow = new Set<ScheduledTask>();
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      const judged = outcome?.won || (outcome && ANSWERED.has(outcome.reason));
      if (judged)
        pending.task.claimedUpTo = Math.max(pending.task.claimedUpTo ?? 0, pending.scheduledAt);
      // Another replica runs that tick: judging its outcome (health) is that replica's part.
      if (outcome !== undefined && !outcome.won && outcome.reason === 'taken') {
        pending.task.settledElsewhereAt = Math.max(
          pending.task.settledElsewhereAt ?? 0,
          pending.scheduledAt,
        );
      }
      if (!outcome?.won) return;
      if (pending.late) newestLate.set(pending.task, pending);
      else dueNow.add(pending.task);
    });
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome !== undefined && !outcome.won) return this.refused(pending, outcome.reason);
      if (!outcome?.won) return;
      const { task, scheduledAt } = pending;
      const token = outcome.fencingToken;
      if (pending.late && (dueNow.has(task) || newestLate.get(task) !== pending)) {
        const why = messages.missedWhileDown;
        this.deps.executor.recordNotRun(task, 'missed', scheduledAt, why, 'schedule', token);
      } else {
        this.startWhenDue(pending, token);
      }
    });
  }

  /**
   * Starts a tick won when the store's clock reaches its nominal time, as this reply measured it:
   * at once, unless the claim came early (see EarlyWins).
   */
  private startWhenDue(pending: PendingClaim, fencingToken: number): void {
    const offset = storeClockOffset(this.deps.cluster.coordinator);
    const ahead = offset === null ? 0 : pending.scheduledAt - (Date.now() + offset);
    // Once stopped, start() records it skipped now, while the store still takes writes.
    if (ahead > 0 && this.deps.planning()) return this.early.hold(pending, fencingToken, ahead);
    this.start(pending, fencingToken, Date.now() - pending.dueAt);
  }

  /** Runs a tick won through the policies; records it skipped once the scheduler has stopped. */
  private start({ task, scheduledAt }: PendingClaim, token: number, lateness: number): void {
    if (this.deps.planning() && !task.paused) {
      return this.deps.decide(task, scheduledAt, lateness, token);
    }
    const why = messages.wonWhileStopping;
    this.deps.executor.recordNotRun(task, 'skipped', scheduledAt, why, 'schedule', token);
  }

  /**
   * A tick the store refused for this task's shared state. Only the claim that used it up answers
   * 'overlap' (the others find it taken), so that replica records it skipped, once; 'paused',
   * 'stale' and 'exhausted' ticks are not records: the scheduler syncs or stops the task.
   */
  private refused({ task, scheduledAt }: PendingClaim, reason: ClaimRefusal): void {
    if (reason === 'taken' || reason === 'early') return;
    if (reason === 'overlap') {
      this.deps.executor.recordNotRun(task, 'skipped', scheduledAt, messages.overlapCluster);
    } else {
      this.deps.refused?.(task, reason);
    }
  }

  private failed(batch: PendingClaim[], error: unknown): void {
    const { kind } = this.deps.cluster.coordinator;
    if (!this.failing) {
      this.deps.logger.error(messages.storeUnreachable(kind, describeError(error).message));
    }
    this.failures++;
    this.claims.failed += batch.length;
    this.deps.contact.failed();
    const late = batch.map((pending) => ({ ...pending, late: true }));
    this.retries = [...late, ...this.retries]
      .sort((a, b) => a.scheduledAt - b.scheduledAt)
      .slice(-MAX_RETRIES);
    this.retryIn(Math.min(1_000 * 2 ** (this.failures - 1), MAX_RETRY_DELAY_MS));
  }

  private count(outcomes: readonly ClaimOutcome[]): void {
    const { claims } = this;
    for (const outcome of outcomes) {
      if (outcome.won) claims.won++;
      else if (outcome.reason === 'early') claims.early++;
      else claims.taken++;
    }
  }

  /** Flushes in `ms`, unless a flush is due sooner. */
  private retryIn(ms: number): void {
    if (!this.deps.planning()) return;
    const at = Date.now() + ms;
    if (this.timer !== null && this.timerAt <= at) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.flush();
    }, ms);
  }

  /** Arms the timer for the first tick refused as early to be claimable. */
  private retryWhenClaimable(): void {
    const times = this.retries.map((pending) => pending.claimAt ?? 0);
    if (times.length === 0) return;
    this.retryIn(Math.min(Math.max(Math.min(...times) - Date.now(), 0), MAX_RETRY_DELAY_MS));
  }
}
