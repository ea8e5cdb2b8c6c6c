import { messages } from '../errors.js';
import type { TriggerState } from '../triggers/trigger-state.js';
import type { Coordinator } from './coordinator.js';
import { describeError } from './run-record.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { SchedulerLogger } from './scheduler-logger.js';

/** What the keeper needs from its scheduler. */
export interface AnchorKeeperDeps {
  coordinator: Coordinator;
  logger: SchedulerLogger;
  /** The task's state holds its anchors now: plan it from `fromMs`, the instant they were proposed at. */
  anchored(task: ScheduledTask, fromMs: number): void;
  /** The tasks of one answer, once all of them are planned (a kept anchor may have ticks due). */
  settled(tasks: ScheduledTask[]): void;
  /**
   * How many times the task's trigger was set through the cluster: part of the anchor's key, so
   * that a trigger set again (a new `Once` after one that ran) gets a new anchor.
   */
  triggerVersion(task: ScheduledTask): number;
}

/** One task of a request in flight, and the state its anchors go into. */
interface Asked {
  task: ScheduledTask;
  state: TriggerState;
  count: number;
}

/** The longest wait between two tries while the store cannot be reached (ms). */
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Cluster mode: before a task whose fire times count from an instant of its own (fixed-rate Every,
 * Once) is planned, asks the store for that instant, the anchor, which the first replica to
 * propose one set for every replica. Tasks queued together (all of them at start) are asked for
 * in one round trip. A task waits, unplanned, until its anchors come; a failed request is made
 * again on a timer, with proposals from the new instant.
 */
export class AnchorKeeper {
  /** Tasks without their anchors yet: queued, or asked for in a request in flight. */
  private readonly waiting = new Set<ScheduledTask>();
  private readonly queued = new Set<ScheduledTask>();
  private inFlight: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private stopped = false;

  constructor(private readonly deps: AnchorKeeperDeps) {}

  /** Whether the task's trigger counts from an anchor the cluster must agree on. */
  static needs(task: ScheduledTask): boolean {
    // Counted from the proposals themselves, though each names its schedule in JSON: only the
    // trigger knows (a custom one too), and this runs at start, register, resume and setTrigger.
    return task.trigger.proposeAnchors(task.triggerState, 0).length > 0;
  }

  /** Queues the task: it is not planned until its anchors come (see `flush`). */
  add(task: ScheduledTask): void {
    if (this.stopped) return;
    this.waiting.add(task);
    this.queued.add(task);
  }

  /** Forgets the task (removed, or its trigger replaced): an answer for it is dropped. */
  remove(task: ScheduledTask): void {
    this.waiting.delete(task);
    this.queued.delete(task);
  }

  /** Whether the task waits for its anchors. */
  isWaiting(task: ScheduledTask): boolean {
    return this.waiting.has(task);
  }

  /**
   * Asks for the anchors of every queued task in one round trip, proposing them from `nowMs`;
   * resolves once they are in the tasks' states and planned (or the request failed and a retry is
   * set). While a request is in flight, the queue goes right after it.
   */
  flush(nowMs = Date.now()): Promise<void> {
    if (this.inFlight !== null) return this.inFlight.then(() => this.flush());
    if (this.stopped || this.queued.size === 0) return Promise.resolve();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const asked: Asked[] = [];
    const proposals = [];
    for (const task of this.queued) {
      const state = task.triggerState;
      const from = Math.max(nowMs, task.notBefore);
      const mine = task.trigger.proposeAnchors(state, from);
      asked.push({ task, state, count: mine.length });
      const version = this.deps.triggerVersion(task);
      for (const { schedule, proposedAt } of mine) {
        const key = version === 0 ? schedule : `${schedule}#${version}`;
        proposals.push({ taskId: task.id, schedule: key, proposedAt });
      }
    }
    this.queued.clear();
    this.inFlight = this.deps.coordinator
      .anchors(proposals)
      .then(
        (anchors) => this.answered(asked, anchors, nowMs),
        (error: unknown) => this.failed(asked, error),
      )
      .catch((error: unknown) => this.deps.logger.error(describeError(error).message))
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** Stops: nothing more is asked for or planned. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.waiting.clear();
    this.queued.clear();
  }

  private answered(asked: Asked[], anchors: number[], nowMs: number): void {
    this.failures = 0;
    const settled: ScheduledTask[] = [];
    let next = 0;
    for (const { task, state, count } of asked) {
      const mine = anchors.slice(next, next + count);
      next += count;
      // Removed, or given another trigger (whose state is asked for on its own) meanwhile.
      if (this.stopped || !this.waiting.has(task) || task.triggerState !== state) continue;
      if (this.queued.has(task)) continue;
      task.trigger.setAnchors(state, mine);
      // The anchor holds the proposer's initial delay; this replica's own would push the first
      // ticks past it, and they would be lost if the proposer stopped before running them.
      task.notBefore = 0;
      this.waiting.delete(task);
      this.deps.anchored(task, nowMs);
      settled.push(task);
    }
    if (settled.length > 0) this.deps.settled(settled);
  }

  private failed(asked: Asked[], error: unknown): void {
    if (this.failures === 0) {
      this.deps.logger.error(messages.anchorsFailed(asked.length, describeError(error).message));
    }
    this.failures++;
    for (const { task, state } of asked) {
      if (this.waiting.has(task) && task.triggerState === state) this.queued.add(task);
    }
    if (this.stopped || this.timer !== null) return;
    const delay = Math.min(1_000 * 2 ** (this.failures - 1), MAX_RETRY_DELAY_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
  }
}
