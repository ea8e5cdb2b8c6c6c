import { setTimeout as sleep } from 'node:timers/promises';
import { loadAdapter, type AdapterId } from './adapters/adapters.js';
import { childArgs, isEntryPoint, reportAndExit } from './child-process.js';
import { collectGarbage, mainThreadCpuMs, now } from './clock.js';

/** What the orchestrator asks of one footprint child. */
export interface FootprintArgs {
  adapter: AdapterId;
  tasks: number;
  intervalMs: number;
  idleSeconds: number;
  settleSeconds: number;
  /** Tasks fire once at start (ours only), so the cost per task includes one history record. */
  ranOnce?: boolean;
}

/** Cost of holding `tasks` registered tasks that do not fire. */
export interface FootprintResult {
  /** Creating and initialising the application context, with no task (code already loaded). */
  bootMs: number;
  /** Adding the tasks to the running scheduler. */
  registerMs: number;
  heapPerTask: number;
  rssPerTask: number;
  /** CPU time of the whole process (every thread) over the idle window, as % of one core. */
  idleCpuPercent: number;
  /** CPU time of the main thread alone (where schedulers run), or -1 where /proc is missing. */
  idleMainThreadCpuPercent: number;
}

/**
 * Boots the application, measures its heap and RSS with zero tasks (the baseline, in the same
 * process so that the code loaded and the JIT state are the same), registers the tasks, measures
 * again; the difference divided by the task count is the cost per task. Every measure follows
 * full collections. Then it sleeps through the idle window and reads the CPU time spent.
 */
async function measureFootprint(args: FootprintArgs): Promise<FootprintResult> {
  // Loading code is left out of boot time: ours is TypeScript compiled on the fly here.
  const adapter = await loadAdapter(args.adapter);
  const bootStart = now();
  const scheduler = await adapter.boot();
  const bootMs = now() - bootStart;

  collectGarbage();
  const baseline = process.memoryUsage();
  const registerStart = now();
  for (let i = 0; i < args.tasks; i++) {
    if (args.ranOnce) scheduler.addRanOnce!(`task-${i}`, args.intervalMs);
    else scheduler.addInterval(`task-${i}`, args.intervalMs);
  }
  const registerMs = now() - registerStart;
  if (args.ranOnce) await scheduler.whenRanOnce!(args.tasks);
  collectGarbage();
  const loaded = process.memoryUsage();

  await sleep(args.settleSeconds * 1_000);
  collectGarbage();
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
  const idleStart = now();
  await sleep(args.idleSeconds * 1_000);
  const cpu = process.cpuUsage(cpuBefore);
  const mainMs = mainThreadCpuMs() - mainBefore;
  const idleMs = now() - idleStart;
  await scheduler.close();

  return {
    bootMs,
    registerMs,
    heapPerTask: (loaded.heapUsed - baseline.heapUsed) / args.tasks,
    rssPerTask: (loaded.rss - baseline.rss) / args.tasks,
    idleCpuPercent: ((cpu.user + cpu.system) / 1_000 / idleMs) * 100,
    idleMainThreadCpuPercent: Number.isNaN(mainMs) ? -1 : (mainMs / idleMs) * 100,
  };
}

if (isEntryPoint(import.meta.url)) {
  reportAndExit(await measureFootprint(childArgs<FootprintArgs>()));
}
