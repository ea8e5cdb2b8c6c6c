import type { BaseTrigger } from '../triggers/base.trigger.js';
import { holdsAnchor, type TriggerState } from '../triggers/trigger-state.js';
import type { ClusterLink } from './cluster-link.js';
import type { FirePlanner } from './fire-planner.js';
import type { ScheduledTask } from './scheduled-task.js';
import { emitEvent, type EventBody, type EventSink } from './scheduler-events.js';
import type { TaskCatalog } from './task-catalog.js';

/** What the controls need from their scheduler. */
export interface TaskControlsDeps {
  catalog: TaskCatalog;
  planner: FirePlanner;
  /** Cluster mode: where changes are committed first; null for one process. */
  link: ClusterLink | null;
  events: EventSink;
  /** Whether the scheduler runs (plans fires). */
  running(): boolean;
  /** A task stopped being planned: wake idle waiters. */
  changed(): void;
}

/**
 * What starts and changes a task's loop: its start, and pause, resume and setTrigger. A change is
 * applied at once in one process; in a cluster it is committed in the store through the
 * ClusterLink first, and applied here once committed (by the write, or by the sync for another
 * replica's change). Applying one unplans or replans the task, drops its held fires, and, in a
 * cluster, asks for anchors first where the trigger needs them.
 */
export class TaskControls {
  constructor(private readonly deps: TaskControlsDeps) {}

  /**
   * Starts a scheduled task's loop at `now`, after its initial delay; in a cluster, a task that
   * needs anchors is queued for them instead (the caller flushes the queue).
   */
  startLoop(task: ScheduledTask, now: number): void {
    if (task.phase !== 'scheduled') return;
    task.activeSince = now;
    if (task.initialDelay > 0) task.notBefore = now + task.initialDelay;
    // A paused (disabled) task asks for its anchors when it is resumed, not at a start long past.
    if (this.needsAnchors(task)) {
      if (!task.paused) this.deps.link!.queueAnchors(task);
    } else this.deps.planner.plan(task, now);
  }

  /** Stops planning the task; resolves once committed. */
  pause(task: ScheduledTask): Promise<void> {
    const { link } = this.deps;
    if (link) return link.write(task, { kind: 'pause' });
    this.pauseHere(task);
    return Promise.resolve();
  }

  /** Plans the task from now again; resolves once committed. */
  resume(task: ScheduledTask): Promise<void> {
    const { link } = this.deps;
    if (link) return link.write(task, { kind: 'resume' });
    this.resumeHere(task);
    return Promise.resolve();
  }

  /** Replaces the task's trigger; bad triggers throw before anything is written. */
  setTrigger(task: ScheduledTask, trigger: BaseTrigger): Promise<void> {
    const state = this.deps.catalog.checkReplacement(task, trigger);
    const { link } = this.deps;
    if (link) {
      return link.write(task, { kind: 'setTrigger', trigger: trigger.describe() }, trigger);
    }
    this.setTriggerHere(task, trigger, state);
    return Promise.resolve();
  }

  /** Applies a pause here. */
  pauseHere(task: ScheduledTask): void {
    if (task.paused) return;
    task.paused = true;
    this.deps.planner.unplan(task);
    this.deps.planner.dropHeldRuns(task, 'the task was paused', null);
    this.emit(task, { type: 'paused' });
    this.deps.changed();
  }

  /** Applies a resume here. */
  resumeHere(task: ScheduledTask): void {
    if (!task.paused) return;
    task.paused = false;
    task.activeSince = Date.now();
    this.emit(task, { type: 'resumed' });
    // A task paused since it started (disabled) has no anchor yet: one is asked for now.
    if (this.deps.running() && this.needsAnchors(task) && !holdsAnchor(task.triggerState)) {
      this.askAnchors(task);
    } else this.deps.planner.replan(task, Date.now());
  }

  /** Applies a new trigger here, with `state` when already made (checked), else a fresh one. */
  setTriggerHere(task: ScheduledTask, trigger: BaseTrigger, state?: TriggerState): void {
    const { catalog, planner, link } = this.deps;
    catalog.replaceTrigger(task, trigger, state);
    task.activeSince = Date.now();
    link?.forget(task);
    link?.track(task);
    planner.unplan(task);
    this.emit(task, { type: 'rescheduled', trigger: task.describeTrigger() });
    if (this.deps.running() && this.needsAnchors(task)) this.askAnchors(task);
    else if (!task.awaitingRunEnd) planner.plan(task, Date.now());
  }

  private needsAnchors(task: ScheduledTask): boolean {
    return this.deps.link?.needsAnchors(task) ?? false;
  }

  /** Asks the cluster for the task's anchors now; it is planned when they come. */
  private askAnchors(task: ScheduledTask): void {
    this.deps.link!.queueAnchors(task);
    void this.deps.link!.flushAnchors();
  }

  private emit(task: ScheduledTask, body: EventBody): void {
    emitEvent(this.deps.events, task, body);
  }
}
