import type { RunWaiter } from './run-attempt.js';
import type { ScheduledTask } from './scheduled-task.js';

/** A run waiting for its task's current run to end (the 'queue' overlap policy). */
export interface HeldRun {
  origin: 'schedule' | 'manual';
  /** The nominal fire time of a held fire; null for a manual run. */
  scheduledAtMs: number | null;
  waiter: RunWaiter | null;
  /** The tick's fencing token, in cluster mode. */
  fencingToken?: number | null;
}

/**
 * Runs held behind a task's current run, first in first out, started one at a time as runs end:
 * at most one scheduled fire (the overlap policy's rule) and any number of manual runs. Only tasks
 * with held runs have an entry.
 */
export class HeldRuns {
  private readonly byTask = new Map<ScheduledTask, HeldRun[]>();

  hold(task: ScheduledTask, run: HeldRun): void {
    const queue = this.byTask.get(task);
    if (queue) queue.push(run);
    else this.byTask.set(task, [run]);
  }

  /** Whether a scheduled fire of the task is held. */
  hasFire(task: ScheduledTask): boolean {
    return this.byTask.get(task)?.some((run) => run.origin === 'schedule') ?? false;
  }

  /** Takes the oldest held run of the task, if any. */
  next(task: ScheduledTask): HeldRun | undefined {
    const queue = this.byTask.get(task);
    if (!queue) return undefined;
    const run = queue.shift();
    if (queue.length === 0) this.byTask.delete(task);
    return run;
  }

  /** Removes and returns the held runs of the task that `drop` selects. */
  remove(task: ScheduledTask, drop: (run: HeldRun) => boolean): HeldRun[] {
    const queue = this.byTask.get(task);
    if (!queue) return [];
    const kept = queue.filter((run) => !drop(run));
    if (kept.length > 0) this.byTask.set(task, kept);
    else this.byTask.delete(task);
    return queue.filter(drop);
  }
}
