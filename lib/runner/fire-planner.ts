import { messages } from '../errors.js';
import { storeClockOffset } from './coordinator.js';
import { decideFire } from './fire-decision.js';
import type { ClusterSettings } from './cluster-options.js';
import { TickClaimer, type ClaimCounts, type TickClaimerDeps } from './tick-claimer.js';
import { HeldRuns, type HeldRun } from './held-runs.js';
import type { RunExecutor } from './run-executor.js';
import { describeError } from './run-record.js';
import type { ScheduledTask } from './scheduled-task.js';
import { emitEvent, type EventSink } from './scheduler-events.js';
import type { SchedulerLogger } from './scheduler-logger.js';
import type { StoreContact } from './store-contact.js';
import { TimerQueue } from './timer-queue.js';
import { seededFraction } from './seeded-fraction.js';
import { holdsAnchor } from '../triggers/trigger-state.js';

/** What the planner needs from its scheduler. */
export interface FirePlannerDeps {
  /** Cluster mode, or null for one process. */
  cluster: ClusterSettings | null;
  /** Cluster mode: where round trips report whether the store answered. */
  contact: StoreContact | null;
  executor: RunExecutor;
  logger: SchedulerLogger;
  events: EventSink;
  /** A run that starts later than this after its planned time (ms) is a misfire. */
  misfireThreshold: number;
  random: () => number;
  /** Whether fires may be planned (the scheduler runs). */
  planning(): boolean;
  /** Whether the task waits for another replica's lease (cluster mode); false otherwise. */
  standby(task: ScheduledTask): boolean;
  /** The fencing token of a task run under a lease (cluster mode), else null. */
  leaseToken(task: ScheduledTask): number | null;
  /** Called after a batch of fires was planned or a run ended, to wake idle waiters. */
  changed(): void;
  /** Cluster mode: what a claim of the task carries (see TickClaimerDeps.terms). */
  claimTerms?: TickClaimerDeps['terms'];
  /** Cluster mode: the store refused a tick as paused, stale or exhausted. */
  claimRefused?: TickClaimerDeps['refused'];
  /** Cluster mode: whether a tick won early, after its wait, may still start. */
  claimCurrent?: TickClaimerDeps['current'];
}

/**
 * When each task fires next, and what happens when that time comes: one logical loop per task
 * (plan the next fire time, wait, hand the run to the RunExecutor, repeat) on a shared timer
 * queue, with the misfire and overlap policies and the runs held behind a running one.
 *
 * A wake-up works in two phases: every due task is started first, then the next fire times of
 * calendar and fixed-rate tasks are planned, so planning never delays a start.
 */
export class FirePlanner {
  private readonly timers = new TimerQueue<ScheduledTask>({
    onDue: (task) => this.onDue(task),
    onBatchEnd: () => {
      this.planBatch();
      this.claimer?.flush();
    },
    onClockSetBack: (ms) => this.onClockSetBack(ms),
  });
  private readonly toPlan: ScheduledTask[] = [];
  private readonly held = new HeldRuns();
  /** Cluster mode: claims the ticks of deterministic schedules; null for one process. */
  private readonly claimer: TickClaimer | null;

  constructor(private readonly deps: FirePlannerDeps) {
    this.claimer = deps.cluster
      ? new TickClaimer({
          cluster: deps.cluster,
          logger: deps.logger,
          executor: deps.executor,
          contact: deps.contact!,
          planning: () => deps.planning(),
          decide: (task, scheduledAt, lateness, token) =>
            this.decide(task, scheduledAt, lateness, token),
          terms: deps.claimTerms,
          refused: deps.claimRefused,
          current: deps.claimCurrent,
          changed: () => deps.changed(),
        })
      : null;
  }

  /** True when no fire is planned, and none waits for its claim or for the store's clock. */
  get empty(): boolean {
    return this.timers.size === 0 && this.toPlan.length === 0 && !this.claimer?.busy;
  }

  /**
   * Cluster mode: claims once the ticks nobody claimed while every replica was down (see
   * TickClaimer.catchUp).
   */
  catchUp(tasks: Iterable<ScheduledTask>, now: number): Promise<void> {
    return this.claimer?.catchUp(tasks, now) ?? Promise.resolve();
  }

  /** Cluster mode: the ticks this replica claimed since it started (a copy); null without a cluster. */
  claimCounts(): ClaimCounts | null {
    return this.claimer && { ...this.claimer.claims };
  }

  /** Plans the task's next fire time from `fromMs` and queues the wake-up. */
  plan(task: ScheduledTask, fromMs: number): void {
    if (!this.deps.planning() || task.paused || this.deps.standby(task)) return;
    // A claimed tick is planned on the store's clock, where every replica races for it fairly:
    // due here when the store's clock reaches it. It is planned from the earlier of the two
    // clocks' now: from the store's, a replica whose clock is ahead plans the ticks it is ahead
    // of; never from later than this clock's, so a newly measured offset cannot jump past a tick
    // (the trigger never plans its last fire time again).
    const offset = this.storeOffset(task);
    const base = Math.max(fromMs, task.notBefore);
    const from = Math.max(base + Math.min(offset, 0), this.catchUpBehindStore(task, base, offset));
    const wait = this.nextWait(task, from);
    if (wait === null) return;
    const plannedAt = from + wait;
    const { jitter } = task.policies;
    task.jitterMs = jitter > 0 ? Math.floor(this.jitterFraction(task, plannedAt) * jitter) : 0;
    task.storeOffsetMs = offset;
    this.timers.schedule(task, plannedAt + task.jitterMs - offset);
    // Checked here rather than in emitEvent: this runs once per run, and the Date is not free.
    if (this.deps.events.wants('scheduled')) {
      emitEvent(this.deps.events, task, { type: 'scheduled', nextRunAt: new Date(plannedAt) });
    }
  }

  /**
   * A store ahead of this clock by more than the claim tolerance (its clock, or this one, is
   * wrong): the ticks since the task's last fire up to the store's now minus the tolerance are past
   * there. Planned from this clock, each would be claimed and run at once, back to back; they are
   * claimed as late ticks instead (as after an outage: the newest runs as the misfire policy says,
   * the older ones are recorded missed). Answers where planning goes on from: the store's now
   * minus the tolerance, or -Infinity when the store is not that far ahead.
   */
  private catchUpBehindStore(task: ScheduledTask, base: number, offset: number): number {
    const floor = base + offset - (this.deps.cluster?.claimToleranceMs ?? Infinity);
    if (floor <= base) return -Infinity;
    const { lastFireAt } = task.triggerState;
    // A task that never fired here has nothing to catch up: it starts at the store's now.
    if (lastFireAt !== null) this.claimer?.catchUpBetween(task, lastFireAt, floor);
    return floor;
  }

  /**
   * Cluster: the store's clock minus this one's, as the coordinator measured it, for a task whose
   * ticks are claimed; 0 for leased and local tasks (they keep this clock) and while unknown.
   */
  private storeOffset(task: ScheduledTask): number {
    if (!this.claimed(task)) return 0;
    return storeClockOffset(this.deps.cluster!.coordinator) ?? 0;
  }

  /** Cluster: whether the task's ticks are claimed (a deterministic schedule, not 'local'). */
  private claimed(task: ScheduledTask): boolean {
    return this.deps.cluster !== null && task.clusterMode === 'claimed';
  }

  /**
   * Where in the jitter range a fire lands: in a cluster drawn from (task id, nominal time), so
   * that every replica wakes for a tick at the same jittered instant; else at random.
   */
  private jitterFraction(task: ScheduledTask, plannedAt: number): number {
    return this.deps.cluster === null
      ? this.deps.random()
      : seededFraction(`${task.id}:${plannedAt}`);
  }

  /** Forgets the task's planned fire. */
  unplan(task: ScheduledTask): void {
    this.timers.cancel(task);
  }

  /** Settles once no claim is in flight, or at `deadlineMs` (see TickClaimer.settled). */
  claimsSettled(deadlineMs: number): Promise<void> {
    return this.claimer?.settled(deadlineMs) ?? Promise.resolve();
  }

  /** Forgets every planned fire; nothing is left to keep the process alive. */
  clear(): void {
    this.timers.clear();
    this.toPlan.length = 0;
    this.claimer?.clear();
  }

  /** Asks the trigger to forget remembered plans, then plans from `fromMs` unless a run must end first. */
  replan(task: ScheduledTask, fromMs: number): void {
    this.unplan(task);
    const restarted = this.guardTrigger(task, () => {
      task.trigger.restart(task.triggerState);
      return true;
    });
    if (restarted && !task.awaitingRunEnd) this.plan(task, fromMs);
  }

  /** Holds a run behind the task's current one. */
  hold(task: ScheduledTask, run: HeldRun): void {
    this.held.hold(task, run);
  }

  /**
   * Drops a held fire (recorded as skipped) and, given `refusal` (shutdown, removal), refuses held
   * manual runs with it.
   */
  dropHeldRuns(task: ScheduledTask, why: string, refusal: Error | null): void {
    const dropped = this.held.remove(task, (run) => run.origin === 'schedule' || refusal !== null);
    for (const run of dropped) {
      if (run.origin === 'schedule') {
        const token = run.fencingToken ?? null;
        this.deps.executor.recordNotRun(task, 'skipped', run.scheduledAtMs, why, 'schedule', token);
      } else {
        run.waiter?.reject(refusal);
      }
    }
  }

  /** A run ended: start a held run, or plan a fixed-delay task's next fire once none goes. */
  runEnded(task: ScheduledTask): void {
    if (task.activeRuns === 0) {
      const run = this.held.next(task);
      if (run) {
        const { origin, scheduledAtMs, waiter, fencingToken = null } = run;
        this.deps.executor.start(task, origin, scheduledAtMs, waiter, fencingToken);
      }
    }
    if (task.awaitingRunEnd && task.activeRuns === 0) {
      task.awaitingRunEnd = false;
      this.plan(task, Date.now());
    }
    this.deps.changed();
  }

  /**
   * Asks the trigger, which may be a user's own, for its next wait. If it throws, or answers with
   * something that is not a wait, the task stops being scheduled (null) and the error is logged with
   * its name: a broken trigger must not take the timer queue, and every other task, down.
   */
  private nextWait(task: ScheduledTask, fromMs: number): number | null {
    const { trigger, triggerState } = task;
    const wait = this.guardTrigger(task, () => {
      if (!trigger.canFire(triggerState)) return null;
      const answer = trigger.nextWait(triggerState, fromMs);
      // A wait must also leave a valid Date (8.64e15 ms from the epoch at most).
      const valid = typeof answer === 'number' && answer >= 0 && answer <= 8.64e15 - fromMs;
      if (answer === null || valid) return answer;
      throw new Error(`nextWait returned ${String(answer)}, not a wait in ms`);
    });
    return wait ?? null;
  }

  /** Calls into the task's trigger; if that throws, logs it and stops planning the task (undefined). */
  private guardTrigger<T>(task: ScheduledTask, call: () => T): T | undefined {
    try {
      return call();
    } catch (error) {
      const type = task.describeTrigger().type;
      this.deps.logger.error(messages.triggerFailed(task.name, type, describeError(error).message));
      this.timers.cancel(task);
      return undefined;
    }
  }

  /**
   * A fire whose time a clock outside the planner decided (a Node timer that code written for
   * `@nestjs/schedule` holds): counted, then the overlap policy applies as to any fire.
   */
  fireExternally(task: ScheduledTask, scheduledAt: number): void {
    if (!this.deps.planning() || task.paused || this.deps.standby(task)) return;
    this.fire(task, scheduledAt, 0);
  }

  /** Phase one of a wake-up: the planned time came; apply misfire and overlap, start the run. */
  private onDue(task: ScheduledTask): void {
    // Lateness is on the store's clock for a claimed tick (its wake-up was planned on it).
    const scheduledAt = task.dueAt - task.jitterMs + task.storeOffsetMs;
    this.fire(task, scheduledAt, Date.now() - task.dueAt);
    // A fixed-delay trigger plans its next fire once no run of it goes (a skipped fire of a
    // Forever task must not come round again at once); the others plan in phase two.
    if (task.trigger.anchoredToRunEnd && task.activeRuns > 0) task.awaitingRunEnd = true;
    else this.toPlan.push(task);
  }

  /**
   * Counts a fire; then, in a cluster, a tick of a deterministic schedule waits for the batch's
   * claim (every replica counts it, one runs it); else the policies decide at once.
   */
  private fire(task: ScheduledTask, scheduledAt: number, lateness: number): void {
    // If counting the fire fails the fire still runs; planning the next one stops the task.
    this.guardTrigger(task, () => task.trigger.advance(task.triggerState, scheduledAt));
    if (this.claimed(task)) {
      // Due here when the wake-up was (for a claimed tick, when the store's clock reached it).
      this.claimer!.add({ task, scheduledAt, dueAt: Date.now() - lateness });
      return;
    }
    this.decide(task, scheduledAt, lateness, this.deps.leaseToken(task));
  }

  /** Applies the misfire and overlap policies to a fire: run it, hold it, or record it. */
  private decide(
    task: ScheduledTask,
    scheduledAt: number,
    lateness: number,
    fencingToken: number | null,
  ): void {
    const { executor } = this.deps;
    const decision = decideFire(task.policies, this.deps.misfireThreshold, {
      lateness,
      activeRuns: task.activeRuns,
      hasQueuedFire: this.held.hasFire(task),
    });
    if (decision.action === 'run')
      executor.start(task, 'schedule', scheduledAt, null, fencingToken);
    else if (decision.action === 'queue') {
      this.held.hold(task, {
        origin: 'schedule',
        scheduledAtMs: scheduledAt,
        waiter: null,
        fencingToken,
      });
    } else {
      const { action, why } = decision;
      executor.recordNotRun(task, action, scheduledAt, why, 'schedule', fencingToken);
    }
  }

  /** Phase two of a wake-up: plan the next fire of every task that fired on a calendar or fixed rate. */
  private planBatch(): void {
    if (this.toPlan.length === 0) return;
    const now = Date.now();
    for (const task of this.toPlan) this.plan(task, now);
    this.toPlan.length = 0;
    this.deps.changed();
  }

  /**
   * The system clock was set back by `ms`: interval tasks keep their real-time rate (their wake-ups
   * move back with the clock); wall-clock tasks are planned again from the new now, so they fire
   * when the wall clock reaches their next time (an OrTrigger with an interval child too).
   */
  private onClockSetBack(ms: number): void {
    // From just before now: a wall time due at this very instant still fires.
    const from = Date.now() - 1;
    for (const task of this.timers.items()) {
      // A cluster's anchored fixed rate is a grid of wall-clock instants every replica shares.
      if (task.trigger.followsWallClock || holdsAnchor(task.triggerState)) this.replan(task, from);
      else this.timers.schedule(task, task.dueAt - ms);
    }
  }
}
