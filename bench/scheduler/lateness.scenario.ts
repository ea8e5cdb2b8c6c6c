import { summarize, type LatenessStats } from '../report.js';
import { loadAdapter, type AdapterId } from './adapters/adapters.js';
import type { BenchScheduler } from './adapters/scheduler-adapter.js';
import type { LatenessConfig } from './bench-config.js';
import { childArgs, isEntryPoint, reportAndExit } from './child-process.js';
import { nearestWholeSecond, now, sleep } from './clock.js';

/** What the orchestrator asks of one lateness child. */
export interface LatenessArgs extends LatenessConfig {
  adapter: AdapterId;
  kind: 'interval' | 'cron';
}

/** Lateness of the runs that started inside the measured window, and what they cost. */
export interface LatenessResult extends LatenessStats {
  expectedFires: number;
  /** CPU time over the window, as % of one core. */
  cpuPercent: number;
}

const CRON_EVERY_SECOND = '* * * * * *';

/**
 * Registers `tasks` tasks with no-op bodies and records, for every run that starts inside the
 * window, its start minus its planned time:
 * - interval: the planned time each library reports or implies (see the adapters);
 * - cron: the whole second the fire belongs to, the nearest one, so that an early fire counts as
 *   negative lateness instead of almost a second late. Same rule for every library.
 * Runs before the window (warm-up: JIT, first fires spread by registration) are left out.
 */
async function measureLateness(args: LatenessArgs): Promise<LatenessResult> {
  const scheduler = await (await loadAdapter(args.adapter)).boot();
  const windowMs = args.seconds * 1_000;
  // Generous: a fixed-rate library cannot fire more than once per interval and task.
  const samples = new Float64Array(Math.ceil(args.tasks * (windowMs / args.intervalMs + 2)));
  let count = 0;
  let from = Infinity;
  let until = -Infinity;
  const record = (startedAt: number, plannedAt: number) => {
    if (startedAt >= from && startedAt < until && count < samples.length) {
      samples[count++] = startedAt - plannedAt;
    }
  };

  register(scheduler, args, record);
  const registeredAt = now();
  from = registeredAt + args.warmupSeconds * 1_000;
  // Cron: start half a second before a whole second, so each second's fires are all in or all out.
  if (args.kind === 'cron') from = Math.ceil(from / 1_000) * 1_000 + 500;
  until = from + windowMs;

  await sleep(from - now());
  const cpuBefore = process.cpuUsage();
  await sleep(until - now());
  const cpu = process.cpuUsage(cpuBefore);
  await scheduler.close();

  return {
    ...summarize(samples.subarray(0, count)),
    expectedFires: args.tasks * (windowMs / args.intervalMs),
    cpuPercent: ((cpu.user + cpu.system) / 1_000 / windowMs) * 100,
  };
}

function register(
  scheduler: BenchScheduler,
  args: LatenessArgs,
  record: (startedAt: number, plannedAt: number) => void,
): void {
  for (let i = 0; i < args.tasks; i++) {
    const name = `task-${i}`;
    if (args.kind === 'interval') {
      scheduler.addInterval(name, args.intervalMs, (plannedAt) => record(now(), plannedAt));
    } else {
      scheduler.addCron(name, CRON_EVERY_SECOND, () => {
        const startedAt = now();
        record(startedAt, nearestWholeSecond(startedAt));
      });
    }
  }
}

if (isEntryPoint(import.meta.url)) {
  reportAndExit(await measureLateness(childArgs<LatenessArgs>()));
}
