import { setTimeout as sleep } from 'node:timers/promises';
import { summarize, type LatenessStats } from '../report.js';
import { loadAdapter, type AdapterId } from './adapters/adapters.js';
import type { BenchScheduler } from './adapters/scheduler-adapter.js';
import type { LatenessConfig } from './bench-config.js';
import type { ObserveMode } from './observability.js';
import { childArgs, isEntryPoint, reportAndExit } from './child-process.js';
import { mainThreadCpuMs, nearestWholeSecond, now } from './clock.js';

/** What the orchestrator asks of one lateness child. */
export interface LatenessArgs extends LatenessConfig {
  adapter: AdapterId;
  kind: 'interval' | 'cron';
  /** `ours` only: the metrics and tracing integrations it boots with (default 'off'). */
  observe?: ObserveMode;
}

/**
 * Lateness of the runs that started inside the measured window, and what they cost. The top-level
 * stats measure each start against the schedule the user asked for; `ownPlan` (interval only)
 * against the time the library itself planned.
 */
export interface LatenessResult extends LatenessStats {
  ownPlan?: LatenessStats;
  expectedFires: number;
  /** CPU time of the whole process over the window, as % of one core. */
  cpuPercent: number;
  /** CPU time of the main thread alone (where schedulers run), or -1 where /proc is missing. */
  mainThreadCpuPercent: number;
}

const CRON_EVERY_SECOND = '* * * * * *';

/**
 * Registers `tasks` tasks with no-op bodies and records, for every run that starts inside the
 * window, its start minus its planned time. Same rule for every library:
 * - interval, against the schedule: the k-th run of a task belongs at registration + k * interval
 *   (what "every 100 ms" promises; a timer that re-arms from its own late start drifts from it);
 * - interval, against the library's own plan: the time each library reports or implies for this
 *   run (see the adapters), which hides drift and shows each fire's own delay;
 * - cron: the whole second the fire belongs to, the nearest one, so that an early fire counts as
 *   negative lateness instead of almost a second late.
 * Runs before the window (warm-up: JIT, first fires spread by registration) are left out.
 */
async function measureLateness(args: LatenessArgs): Promise<LatenessResult> {
  const scheduler = await (await loadAdapter(args.adapter, args.observe)).boot();
  const windowMs = args.seconds * 1_000;
  // Generous: a fixed-rate library cannot fire more than once per interval and task.
  const capacity = Math.ceil(args.tasks * (windowMs / args.intervalMs + 2));
  const samples = new Float64Array(capacity);
  // Only intervals have a plan of the library's own; a cron's is the whole second.
  const ownPlanSamples = args.kind === 'interval' ? new Float64Array(capacity) : null;
  let count = 0;
  let overflow = 0;
  let from = Infinity;
  let until = -Infinity;
  const record: RunRecorder = (startedAt, scheduledAt, ownPlannedAt) => {
    if (startedAt < from || startedAt >= until) return;
    if (count === capacity) {
      overflow++;
      return;
    }
    if (ownPlanSamples !== null) ownPlanSamples[count] = startedAt - ownPlannedAt;
    samples[count++] = startedAt - scheduledAt;
  };

  register(scheduler, args, record);
  const registeredAt = now();
  from = registeredAt + args.warmupSeconds * 1_000;
  // Cron: start half a second before a whole second, so each second's fires are all in or all out.
  if (args.kind === 'cron') from = Math.ceil(from / 1_000) * 1_000 + 500;
  until = from + windowMs;

  await sleep(from - now());
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
  await sleep(until - now());
  const cpu = process.cpuUsage(cpuBefore);
  const mainMs = mainThreadCpuMs() - mainBefore;
  await scheduler.close();
  if (overflow > 0) {
    throw new Error(`${args.adapter} ran ${overflow} more times than ${capacity} in the window`);
  }

  return {
    ...summarize(samples.subarray(0, count)),
    ownPlan: ownPlanSamples === null ? undefined : summarize(ownPlanSamples.subarray(0, count)),
    expectedFires: args.tasks * (windowMs / args.intervalMs),
    cpuPercent: ((cpu.user + cpu.system) / 1_000 / windowMs) * 100,
    mainThreadCpuPercent: Number.isNaN(mainMs) ? -1 : (mainMs / windowMs) * 100,
  };
}

/** One run's start, the schedule's time for it, and the library's own planned time for it. */
type RunRecorder = (startedAt: number, scheduledAt: number, ownPlannedAt: number) => void;

function register(scheduler: BenchScheduler, args: LatenessArgs, record: RunRecorder): void {
  for (let i = 0; i < args.tasks; i++) {
    const name = `task-${i}`;
    if (args.kind === 'interval') {
      const registeredAt = now();
      let runs = 0;
      scheduler.addInterval(name, args.intervalMs, (ownPlannedAt) => {
        const startedAt = now();
        runs++;
        record(startedAt, registeredAt + runs * args.intervalMs, ownPlannedAt);
        return startedAt;
      });
    } else {
      scheduler.addCron(name, CRON_EVERY_SECOND, () => {
        const startedAt = now();
        const second = nearestWholeSecond(startedAt);
        record(startedAt, second, Number.NaN);
      });
    }
  }
}

if (isEntryPoint(import.meta.url)) {
  reportAndExit(await measureLateness(childArgs<LatenessArgs>()));
}
