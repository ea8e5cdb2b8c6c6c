import { readFileSync } from 'node:fs';

/**
 * Wall-clock milliseconds with sub-millisecond resolution. Schedulers plan in Date.now() time, so
 * the monotonic clock is aligned to it at the instant Date.now() ticks to a new millisecond;
 * Date.now() itself is too coarse (1 ms) for lateness of a fraction of a millisecond.
 */
export const now: () => number = (() => {
  // The first performance.now() call initialises perf_hooks (about 1 ms): not inside the tick.
  for (let i = 0; i < 1_000; i++) performance.now();
  // A read just after a tick can only be late, so the largest offset of a few ticks is the best.
  let offset = -Infinity;
  for (let round = 0; round < 5; round++) {
    const start = Date.now();
    let tick = start;
    while (tick === start) tick = Date.now();
    offset = Math.max(offset, tick - performance.now());
  }
  return () => offset + performance.now();
})();

/** The whole second nearest to `ms`: the slot a `* * * * * *` fire belongs to, even if early. */
export function nearestWholeSecond(ms: number): number {
  return Math.round(ms / 1_000) * 1_000;
}

/** Full collections until the heap stops shrinking; needs `--expose-gc`. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('Run the benchmark with node --expose-gc');
  for (let i = 0; i < 3; i++) gc();
}

/**
 * CPU ms of the main thread, from Linux's /proc. process.cpuUsage() also counts V8's GC helper
 * threads and the TypeScript loader's worker, whose work (idle-time collections, module loading) says
 * nothing about the scheduler itself. NaN where /proc is missing.
 */
export function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticksPerMs = 100 / 1_000; // USER_HZ is 100 on Linux
    return (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
  } catch {
    return Number.NaN;
  }
}
