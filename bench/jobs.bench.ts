import { fileURLToPath } from 'node:url';
import PQueue from 'p-queue';
import { Piscina } from 'piscina';
import { TaskSupervisor } from '../lib/background/index.js';
import { isEntryPoint } from './scheduler/child-process.js';
import { collectGarbage } from './scheduler/clock.js';

const INLINE_JOBS = 100_000;
const THREAD_JOBS = 10_000;
const THREADS = 2;
const ITERATIONS = 2_000;
const CPU_MODULE = new URL('../test/fixtures/background/cpu.mjs', import.meta.url);

type Row = Record<string, string | number>;

const noop = async (): Promise<void> => {};

async function timed(run: () => Promise<void>): Promise<number> {
  collectGarbage();
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Best time of each contender over `rounds`, taking turns within each round so that a noisy
 * neighbour on a small machine slows all of them alike rather than one of them.
 */
async function race<K extends string>(
  rounds: number,
  contenders: Record<K, () => Promise<void>>,
): Promise<Record<K, number>> {
  const best = {} as Record<K, number>;
  const names = Object.keys(contenders) as K[];
  for (const name of names) best[name] = Infinity;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) best[name] = Math.min(best[name], await timed(contenders[name]));
  }
  return best;
}

async function pQueueRun(concurrency: number): Promise<void> {
  const queue = new PQueue({ concurrency });
  for (let i = 0; i < INLINE_JOBS; i++) void queue.add(noop);
  await queue.onIdle();
}

async function supervisorRun(concurrency: number, awaitResults: boolean): Promise<void> {
  const supervisor = new TaskSupervisor({
    pools: { inline: { poolSize: concurrency, reserveNormal: 0 } },
  });
  if (awaitResults) {
    const results: Promise<unknown>[] = new Array(INLINE_JOBS);
    for (let i = 0; i < INLINE_JOBS; i++) results[i] = supervisor.submit(noop).result;
    await Promise.all(results);
  } else {
    for (let i = 0; i < INLINE_JOBS; i++) supervisor.submit(noop);
    await supervisor.whenIdle();
  }
  await supervisor.shutdown();
}

// Two ways to use the supervisor: fire and wait for idle (like p-queue's add + onIdle), and
// await every job's result promise (what p-queue's add always allocates).
async function inlineRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const concurrency of [1, 8, 64]) {
    const best = await race(7, {
      pQueue: () => pQueueRun(concurrency),
      idle: () => supervisorRun(concurrency, false),
      results: () => supervisorRun(concurrency, true),
    });
    const rate = (ms: number) => Math.round(INLINE_JOBS / (ms / 1000));
    rows.push({
      concurrency,
      'p-queue jobs/s': rate(best.pQueue),
      'ours jobs/s (whenIdle)': rate(best.idle),
      'ratio (whenIdle)': (best.pQueue / best.idle).toFixed(2),
      'ours jobs/s (await result)': rate(best.results),
      'ratio (await result)': (best.pQueue / best.results).toFixed(2),
    });
  }
  return rows;
}

type Batch = () => Promise<void>;

async function bareThreads(): Promise<{ batch: Batch; close: () => Promise<void> }> {
  const pool = new Piscina({
    filename: fileURLToPath(CPU_MODULE),
    minThreads: THREADS,
    maxThreads: THREADS,
  });
  await Promise.all(Array.from({ length: THREADS * 4 }, () => pool.run({ iterations: 1 })));
  const batch = async () => {
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < THREAD_JOBS; i++) runs.push(pool.run({ iterations: ITERATIONS }));
    await Promise.all(runs);
  };
  return { batch, close: () => pool.destroy() };
}

async function supervisedThreads(): Promise<{ batch: Batch; close: () => Promise<void> }> {
  const supervisor = new TaskSupervisor({
    pools: { thread: { poolSize: THREADS, reserveNormal: 0 } },
  });
  const work = (iterations: number) => ({ module: CPU_MODULE, fn: 'burn', args: [iterations] });
  await supervisor.waitAll(Array.from({ length: THREADS * 4 }, () => supervisor.submit(work(1))));
  const batch = async () => {
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < THREAD_JOBS; i++) runs.push(supervisor.submit(work(ITERATIONS)).result);
    await Promise.all(runs);
  };
  return { batch, close: () => supervisor.shutdown() };
}

async function threadRows(): Promise<Row[]> {
  const bare = await bareThreads();
  const ours = await supervisedThreads();
  const best = await race(7, { bare: bare.batch, ours: ours.batch });
  await bare.close();
  await ours.close();
  const perJob = (ms: number) => ((ms * 1000) / THREAD_JOBS).toFixed(1);
  return [
    {
      jobs: THREAD_JOBS,
      threads: THREADS,
      'bare piscina µs/job': perJob(best.bare),
      'ours µs/job': perJob(best.ours),
      'ratio (ours / bare)': (best.ours / best.bare).toFixed(2),
    },
  ];
}

/** Prints inline throughput against p-queue and thread overhead against bare piscina. */
export async function runJobsBench(): Promise<void> {
  console.log(`\nInline: ${INLINE_JOBS} no-op jobs (best of 7; ratio = ours / p-queue throughput)`);
  console.table(await inlineRows());
  console.log(`\nThreads: ${THREAD_JOBS} jobs of ${ITERATIONS} iterations (best of 7)`);
  console.table(await threadRows());
}

if (isEntryPoint(import.meta.url)) {
  await runJobsBench();
}
