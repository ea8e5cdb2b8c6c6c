/** Sizes and durations of the scheduler benchmark; `--quick` shrinks them for a smoke run. */
export interface BenchConfig {
  lateness: LatenessConfig;
  cron: LatenessConfig;
  footprint: FootprintConfig;
  cluster: ClusterConfig;
}

/** Cluster runs: `replicas` schedulers in one child per store, `tasks` crons on every second. */
export interface ClusterConfig {
  tasks: number;
  replicas: number;
  seconds: number;
  /** Boot, first claims and catch-up of every replica happen before the window. */
  warmupSeconds: number;
}

/** One lateness run: `tasks` tasks for `seconds`, after `warmupSeconds` whose fires are dropped. */
export interface LatenessConfig {
  tasks: number;
  intervalMs: number;
  seconds: number;
  warmupSeconds: number;
}

/** Footprint runs: one child per size; tasks never fire during the idle window. */
export interface FootprintConfig {
  sizes: number[];
  intervalMs: number;
  idleSeconds: number;
  /**
   * Pause after registration, so that lazy compilation and GC do not count as idle CPU. (V8's memory
   * reducer still runs full collections some 8 s after a large allocation, for every library alike;
   * the main-thread CPU figure leaves its helper threads out.)
   */
  settleSeconds: number;
}

/** On 2 cores the scheduler part takes about 4 minutes, quick about one; jobs.bench.ts adds ~25 s. */
export function benchConfig(quick: boolean): BenchConfig {
  return {
    lateness: {
      tasks: quick ? 100 : 1_000,
      intervalMs: 100,
      seconds: quick ? 2 : 10,
      warmupSeconds: quick ? 0.5 : 1,
    },
    cron: {
      tasks: quick ? 100 : 1_000,
      intervalMs: 1_000,
      seconds: quick ? 2 : 10,
      // A whole second, so that every task has fired once before measuring starts.
      warmupSeconds: 1,
    },
    footprint: {
      sizes: quick ? [1_000, 10_000] : [10_000, 100_000],
      intervalMs: 60_000,
      idleSeconds: quick ? 1 : 10,
      settleSeconds: quick ? 0.25 : 2,
    },
    cluster: {
      tasks: quick ? 100 : 1_000,
      replicas: 3,
      seconds: quick ? 2 : 10,
      warmupSeconds: quick ? 1 : 2,
    },
  };
}
