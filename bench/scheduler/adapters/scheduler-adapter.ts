import { now } from '../clock.js';

/**
 * Called when a run starts, with the time the library planned it for (ms, same clock as `now()`);
 * returns the start it read, so an adapter that needs it does not read the clock again. How
 * "planned" is known differs per library; each adapter documents its definition.
 */
export type IntervalRunListener = (plannedAt: number) => number;

/** Called when a cron run starts; the scenario measures it against the whole second. */
export type CronRunListener = () => void;

/** A booted application with one scheduler library, driven the way its users drive it. */
export interface BenchScheduler {
  /** A task every `intervalMs`; without a listener it registers a shared no-op handler. */
  addInterval(name: string, intervalMs: number, onRun?: IntervalRunListener): void;
  /** A task on a cron expression with seconds. */
  addCron(name: string, expression: string, onRun: CronRunListener): void;
  /** Ours only: a task every `intervalMs` that fires once at once (`firstRunStrategy: 'immediate'`). */
  addRanOnce?(name: string, intervalMs: number): void;
  /** Ours only: resolves once `count` tasks added with `addRanOnce` have run. */
  whenRanOnce?(count: number): Promise<void>;
  /** Stops every timer and closes the application. */
  close(): Promise<void>;
}

/** One library (or one configuration of ours) under test. */
export interface SchedulerAdapter {
  /** Boots a Nest application context holding the scheduler, with no task yet. */
  boot(): Promise<BenchScheduler>;
}

/** The handler of tasks that never fire during a measurement. */
export function noop(): void {}

/**
 * A `setInterval` handler that reports, for each run, the previous run's start + interval
 * (registration + interval for the first) as the peer's own plan. Node re-arms an interval from
 * its whole-ms loop clock, read just before the callback, so its real plan is up to 1 ms earlier:
 * this stand-in under-counts the peer's delay by up to 1 ms, in its favour.
 */
export function previousStartPlan(intervalMs: number, onRun: IntervalRunListener): () => void {
  let plannedAt = now() + intervalMs;
  return () => {
    plannedAt = onRun(plannedAt) + intervalMs;
  };
}
