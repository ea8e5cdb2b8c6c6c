import { LeaseLostError, messages } from '../errors.js';
import type { Coordinator } from './coordinator.js';
import { describeError } from './run-record.js';
import type { StoreContact } from './store-contact.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { SchedulerLogger } from './scheduler-logger.js';

/** What the keeper needs from its scheduler. */
export interface LeaseKeeperDeps {
  coordinator: Coordinator;
  /** Who holds leases in the store: unique to this process (ClusterSettings.claimerId). */
  holderId: string;
  /** How long a lease lasts unless renewed (ms); it is renewed every third of that. */
  ttlMs: number;
  logger: SchedulerLogger;
  /** Where round trips report whether the store answered. */
  contact: StoreContact;
  /** This replica now holds the task's lease: plan it. */
  gained(task: ScheduledTask): void;
  /** This replica no longer holds it (taken, or not renewed in time): stop it, abort its runs. */
  lost(task: ScheduledTask, reason: LeaseLostError): void;
}

/**
 * Keeps the leases of the tasks that run on one replica at a time: those without deterministic
 * fire times (fixed-delay Every, Forever, custom triggers). Every third of the lease's life it
 * takes or renews all of them in one round trip. A lease it cannot renew is given up locally
 * before the store lets another replica take it, so two replicas never run one such task at once
 * (clocks permitting).
 */
export class LeaseKeeper {
  private readonly tasks = new Set<ScheduledTask>();
  /** Leases held: the epoch, and when (monotonic ms) the store last confirmed it. */
  private readonly held = new Map<ScheduledTask, { epoch: number; confirmedAt: number }>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private failing = false;

  constructor(private readonly deps: LeaseKeeperDeps) {}

  /** Adds a task whose lease to keep; taken at the next round. */
  add(task: ScheduledTask): void {
    this.tasks.add(task);
  }

  /** Forgets a task (removed); its lease, if held, expires by itself. */
  remove(task: ScheduledTask): void {
    this.tasks.delete(task);
    this.held.delete(task);
  }

  /** Whether the task is one of the keeper's and this replica does not hold its lease. */
  standby(task: ScheduledTask): boolean {
    return this.tasks.has(task) && !this.held.has(task);
  }

  /** The epoch of the task's lease while held (its fencing token), else null. */
  epochOf(task: ScheduledTask): number | null {
    return this.held.get(task)?.epoch ?? null;
  }

  /** Tasks whose lease this replica holds, by name. */
  heldTaskNames(): string[] {
    return [...this.held.keys()].map((task) => task.name);
  }

  /** Takes the leases now, then keeps them. */
  start(): Promise<void> {
    this.running = true;
    return this.round();
  }

  /** Stops renewing and releases the leases held, so another replica takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const ids = [...this.held.keys()].map((task) => task.id);
    this.held.clear();
    if (ids.length === 0) return;
    try {
      await this.deps.coordinator.releaseLeases(this.deps.holderId, ids);
    } catch (error) {
      this.deps.logger.warn(messages.leaseReleaseFailed(describeError(error).message));
    }
  }

  private async round(): Promise<void> {
    const tasks = [...this.tasks];
    const askedAt = performance.now();
    try {
      if (tasks.length > 0) {
        // A request that never answers (a half-open connection) counts as failed after a renewal
        // period, so that leases not confirmed in time are still given up.
        const outcomes = await withTimeout(
          this.deps.coordinator.holdLeases(
            this.deps.holderId,
            tasks.map((task) => task.id),
            this.deps.ttlMs,
          ),
          this.renewEvery(),
        );
        if (!this.running) return;
        tasks.forEach((task, index) => this.settle(task, outcomes[index], askedAt));
      }
      this.failing = false;
      if (tasks.length > 0) this.deps.contact.answered();
    } catch (error) {
      this.deps.contact.failed();
      if (!this.failing) {
        this.deps.logger.error(messages.leaseRenewFailed(describeError(error).message));
      }
      this.failing = true;
      this.dropExpired();
    } finally {
      this.schedule();
    }
  }

  private settle(
    task: ScheduledTask,
    outcome: Awaited<ReturnType<Coordinator['holdLeases']>>[number] | undefined,
    askedAt: number,
  ): void {
    if (!this.tasks.has(task)) return; // removed meanwhile
    const had = this.held.get(task);
    if (outcome?.held) {
      this.held.set(task, { epoch: outcome.epoch, confirmedAt: askedAt });
      if (had === undefined) this.deps.gained(task);
      else if (had.epoch !== outcome.epoch) {
        // Lost and taken again between two rounds: what ran under the old epoch is stale.
        this.deps.lost(task, new LeaseLostError(task.name));
        this.deps.gained(task);
      }
    } else if (had !== undefined) {
      this.held.delete(task);
      this.deps.lost(task, new LeaseLostError(task.name));
    }
  }

  /**
   * The store cannot be reached: a lease whose last confirmation is older than its life minus a
   * renewal period is given up here, before the store could hand it to another replica.
   */
  private dropExpired(): void {
    // The monotonic clock: a system clock set back must not keep a lease here longer.
    const limit = performance.now() - (this.deps.ttlMs - this.renewEvery());
    for (const [task, { confirmedAt }] of this.held) {
      if (confirmedAt > limit) continue;
      this.held.delete(task);
      this.deps.lost(task, new LeaseLostError(task.name));
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.round(), this.renewEvery());
  }

  private renewEvery(): number {
    return Math.max(1, Math.floor(this.deps.ttlMs / 3));
  }
}

/** The promise's answer, or a rejection once `ms` have passed without one. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
