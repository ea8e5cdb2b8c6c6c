import { messages } from '../errors.js';
import type { BaseTrigger } from '../triggers/base.trigger.js';
import { rebuildTrigger } from '../triggers/trigger-rebuild.js';
import { LoopController } from '../triggers/loop-controller.js';
import type {
  ClaimRefusal,
  ControlChange,
  ControlState,
  Coordinator,
  InFlightRun,
  SharedTaskState,
  TickClaim,
} from './coordinator.js';
import { syncedRunStats } from './cluster-run-stats.js';
import { describeError } from './run-record.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { SchedulerLogger } from './scheduler-logger.js';

/** What the sync needs from its scheduler: the tasks, and the local changes it applies. */
export interface ControlSyncDeps {
  coordinator: Coordinator;
  intervalMs: number;
  /** How long a run's in-flight mark lasts unless renewed (ms). */
  inFlightTtlMs: number;
  logger: SchedulerLogger;
  tasks(): Iterable<ScheduledTask>;
  pause(task: ScheduledTask): void;
  resume(task: ScheduledTask): void;
  /** Throws when the trigger does not fit the task. */
  setTrigger(task: ScheduledTask, trigger: BaseTrigger): void;
  /** The runs going on here under a tick's fencing token: their in-flight marks are renewed. */
  runsWithTokens(): InFlightRun[];
  /** The task's loop budget is spent cluster-wide: plan it no more. */
  exhausted(task: ScheduledTask): void;
}

/** The versions of a task's control state this replica has applied. */
interface Applied {
  version: number;
  triggerVersion: number;
}

const NONE: Applied = { version: 0, triggerVersion: 0 };

/**
 * Cluster mode: keeps pause, resume and setTrigger the same on every replica. A change is written
 * to the store first and applied here once committed; every `intervalMs` one read brings the
 * state of all tasks, and whatever grew since is applied (with the usual events). A trigger comes
 * as its description and is rebuilt here. Claims carry the version applied, so the store refuses
 * ticks planned with a trigger it replaced. The same read renews the in-flight marks of this
 * replica's runs (overlap 'skip'), which expire once it stops, and brings each task's run totals
 * in the store, which metadata shows instead of this replica's own.
 */
export class ControlSync {
  private readonly applied = new WeakMap<ScheduledTask, Applied>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pulling: Promise<void> | null = null;
  private failing = false;
  private stopped = false;

  constructor(private readonly deps: ControlSyncDeps) {}

  /** How many control changes set the task's trigger, as this replica applied them (0: none). */
  triggerVersionOf(task: ScheduledTask): number {
    return (this.applied.get(task) ?? NONE).triggerVersion;
  }

  /** The control version this replica plans the task with (0 before any change). */
  versionOf(task: ScheduledTask): number {
    return (this.applied.get(task) ?? NONE).version;
  }

  /** What a claim of the task carries: the control version, the loop budget, the in-flight mark. */
  claimTerms(task: ScheduledTask): Omit<TickClaim, 'taskId' | 'scheduledAt'> {
    const { trigger, policies } = task;
    return {
      version: this.versionOf(task),
      maxLoopCount: trigger instanceof LoopController ? (trigger.maxLoopCount ?? null) : null,
      inFlightTtlMs: policies.overlap === 'skip' ? this.deps.inFlightTtlMs : null,
    };
  }

  /** The store refused a tick for the task's shared state: catch up with it. */
  refused(task: ScheduledTask, reason: ClaimRefusal): void {
    if (reason !== 'exhausted') {
      // Paused or stale: another replica changed the task since the last sync.
      void this.pull();
      return;
    }
    // Spent cluster-wide: this replica's own count may be lower (it started later); stop here too.
    const { trigger, triggerState } = task;
    if (trigger instanceof LoopController && trigger.maxLoopCount !== undefined) {
      triggerState.loopCount = Math.max(triggerState.loopCount, trigger.maxLoopCount);
    }
    this.deps.exhausted(task);
  }

  /**
   * Whether a tick claimed with control version `version` may still start: reads the shared state
   * again (in a read begun now, not one already in flight), then answers false if the task is
   * paused or its trigger was replaced since. While the store cannot be read, as last known here.
   */
  async current(task: ScheduledTask, version: number): Promise<boolean> {
    if (this.pulling) await this.pulling;
    await this.pull();
    return !task.paused && this.triggerVersionOf(task) <= version;
  }

  /**
   * Commits a change in the store, then applies it here; rejects, naming the task and the store,
   * if the store fails or does not answer in time (its timeout).
   */
  async write(task: ScheduledTask, change: ControlChange, trigger?: BaseTrigger): Promise<void> {
    const { coordinator } = this.deps;
    let state: ControlState;
    try {
      state = await coordinator.writeControl(task.id, change);
    } catch (cause) {
      const reason = describeError(cause).message;
      const message = messages.controlNotCommitted(
        task.name,
        change.kind,
        coordinator.kind,
        reason,
      );
      throw new Error(message, { cause });
    }
    this.apply(task, state, trigger);
  }

  /** Reads and applies the state of every task now, in one round trip (shared while in flight). */
  pull(): Promise<void> {
    this.pulling ??= this.read().finally(() => (this.pulling = null));
    return this.pulling;
  }

  /** Reads the state every interval until `stop`. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pull().finally(() => this.schedule());
    }, this.deps.intervalMs);
  }

  private async read(): Promise<void> {
    const tasks = [...this.deps.tasks()];
    const renew = { runs: this.deps.runsWithTokens(), ttlMs: this.deps.inFlightTtlMs };
    if (tasks.length === 0 && renew.runs.length === 0) return;
    let states: SharedTaskState[];
    try {
      const ids = tasks.map((task) => task.id);
      states = await this.deps.coordinator.readControl(ids, renew.runs.length ? renew : undefined);
    } catch (error) {
      // Logged once per outage; claims report the store's reachability on their own.
      if (!this.failing)
        this.deps.logger.warn(messages.controlSyncFailed(describeError(error).message));
      this.failing = true;
      return;
    }
    this.failing = false;
    tasks.forEach((task, index) => {
      const state = states[index];
      if (!state) return;
      // Metadata shows them with what this replica counts from now on (mergeRunStats). A task
      // that never ran anywhere keeps null: the same numbers, and idle tasks stay small.
      const none = state.stats === null && task.stats === null;
      task.sharedStats = none ? null : syncedRunStats(state.stats, task.stats);
      if (state.control) this.apply(task, state.control);
    });
  }

  /**
   * Applies a committed state newer than the one applied: the trigger first (the instance given by
   * this replica's own setTrigger, else rebuilt), then pause or resume. An older state (a read that
   * crossed a write) is ignored.
   */
  private apply(task: ScheduledTask, state: ControlState, given?: BaseTrigger): void {
    const applied = this.applied.get(task) ?? NONE;
    if (state.version <= applied.version) return;
    this.applied.set(task, { version: state.version, triggerVersion: state.triggerVersion });
    if (state.triggerVersion > applied.triggerVersion && state.trigger !== null) {
      try {
        const trigger = given ?? rebuildTrigger(state.trigger);
        if (trigger === null) throw new Error(`no built-in trigger is a ${state.trigger.type}`);
        this.deps.setTrigger(task, trigger);
      } catch (error) {
        const reason = describeError(error).message;
        this.deps.logger.error(messages.controlNotApplied(task.name, reason));
      }
    }
    // Null: never paused or resumed in the cluster; the task keeps its own (`disabled`) state.
    if (state.paused === true) this.deps.pause(task);
    else if (state.paused === false) this.deps.resume(task);
  }
}
