import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AioClockModule,
  Cron,
  InMemoryCoordinator,
  TaskRegistry,
  type Coordinator,
  type TaskContext,
} from '../../lib/index.js';
import { PostgresCoordinator } from '../../lib/postgres/index.js';
import { RedisCoordinator } from '../../lib/redis/index.js';
import { summarize, type LatenessStats } from '../report.js';
import type { ClusterConfig } from './bench-config.js';
import { childArgs, isEntryPoint, reportAndExit } from './child-process.js';
import { now } from './clock.js';

/** Where the replicas of one cluster child agree. */
export type ClusterStore = 'memory' | 'redis' | 'postgres';

/** What the orchestrator asks of one cluster child. */
export interface ClusterArgs extends ClusterConfig {
  store: ClusterStore;
  redisUrl: string;
  databaseUrl: string;
}

/** Lateness of the ticks inside the window, and what the store was asked for them. */
export interface ClusterResult extends LatenessStats {
  /** Runs of a (task, tick) beyond the first: must be 0. */
  duplicates: number;
  /** (task, tick) pairs of the window that no replica ran: must be 0. */
  missing: number;
  /** claimTicks calls / wake-ups, over all replicas (a wake-up: one replica, one nominal second). */
  roundTripsPerWakeUp: number;
  /** The same ratio of the replica with the most calls per wake-up. */
  worstReplicaRoundTrips: number;
  /** Ticks carried by one claimTicks call, on average. */
  ticksPerClaim: number;
  /** appendHistory calls per run (the run's record, written by the replica that ran it). */
  historyWritesPerRun: number;
  /** Smallest share of the window's runs that one replica ran (1/3 when spread evenly). */
  smallestReplicaShare: number;
  /** CPU time of the whole process (all replicas) over the window, as % of one core. */
  cpuPercent: number;
}

const EVERY_SECOND = '* * * * * *';

/** Per replica: claim calls and the nominal seconds (wake-ups) they carried, inside the window. */
interface ClaimCount {
  calls: number;
  ticks: number;
  seconds: Set<number>;
}

/**
 * `replicas` Nest application contexts in this one process, each with `tasks` tasks on
 * `* * * * * *` (UTC), sharing one store: one InMemoryCoordinator for all ('memory'), or one
 * RedisCoordinator / PostgresCoordinator per replica, each with its own connection, under a prefix
 * or schema of this run's own, removed afterwards.
 */
async function measureCluster(args: ClusterArgs): Promise<ClusterResult> {
  const runId = `bench${Date.now().toString(36)}`;
  const coordinators = makeCoordinators(args, runId);
  const claims = new Map<string, ClaimCount>();
  let historyWrites = 0;
  let from = Infinity;
  let until = -Infinity;
  const inWindow = (scheduledAt: number) => scheduledAt >= from && scheduledAt < until;

  // Counted at the port itself, so that every store is counted alike; the instanceId argument
  // says which replica asked (the in-memory coordinator is one object shared by all three).
  for (const coordinator of new Set(coordinators)) {
    const claimTicks = coordinator.claimTicks.bind(coordinator);
    coordinator.claimTicks = (instanceId, ticks, toleranceMs) => {
      const seconds = ticks.map((tick) => tick.scheduledAt).filter(inWindow);
      if (seconds.length > 0) {
        let count = claims.get(instanceId);
        if (count === undefined) claims.set(instanceId, (count = emptyCount()));
        count.calls++;
        count.ticks += ticks.length;
        for (const second of seconds) count.seconds.add(second);
      }
      return claimTicks(instanceId, ticks, toleranceMs);
    };
    const appendHistory = coordinator.appendHistory.bind(coordinator);
    coordinator.appendHistory = (record) => {
      if (record.scheduledAt !== null && inWindow(record.scheduledAt.getTime())) historyWrites++;
      return appendHistory(record);
    };
  }

  const windowMs = args.seconds * 1_000;
  const capacity = args.tasks * (args.seconds + 2) * args.replicas;
  const samples = new Float64Array(capacity);
  const ran = new Map<string, number>();
  const byReplica = new Map<string, number>();
  let count = 0;
  const apps: INestApplicationContext[] = [];
  try {
    for (let r = 0; r < args.replicas; r++) {
      const replica = `replica-${r}`;
      const app = await bootReplica(coordinators[r], replica);
      apps.push(app);
      const registry = app.get(TaskRegistry);
      for (let i = 0; i < args.tasks; i++) {
        registry.addTask({
          name: `task-${i}`,
          trigger: new Cron(EVERY_SECOND, { tz: 'UTC' }),
          handler: (context: TaskContext) => {
            const startedAt = now();
            const scheduledAt = context.scheduledAt!.getTime();
            if (!inWindow(scheduledAt)) return;
            if (count < capacity) samples[count++] = startedAt - scheduledAt;
            const key = `${context.taskName}@${scheduledAt}`;
            ran.set(key, (ran.get(key) ?? 0) + 1);
            byReplica.set(replica, (byReplica.get(replica) ?? 0) + 1);
          },
        });
      }
    }
    // The first whole second after the warm-up: every replica has planned and claimed before it.
    from = Math.ceil((now() + args.warmupSeconds * 1_000) / 1_000) * 1_000;
    until = from + windowMs;
    await sleep(from - 500 - now());
    const cpuBefore = process.cpuUsage();
    await sleep(until - 500 - now());
    const cpu = process.cpuUsage(cpuBefore);
    // The window's last ticks and their history writes settle.
    await sleep(until + 700 - now());
    const runs = [...ran.values()].reduce((sum, runsOfTick) => sum + runsOfTick, 0);
    const counts = [...claims.values()];
    const calls = counts.reduce((sum, c) => sum + c.calls, 0);
    const wakeUps = counts.reduce((sum, c) => sum + c.seconds.size, 0);
    return {
      ...summarize(samples.subarray(0, count)),
      duplicates: runs - ran.size,
      missing: args.tasks * args.seconds - ran.size,
      roundTripsPerWakeUp: calls / wakeUps,
      worstReplicaRoundTrips: Math.max(...counts.map((c) => c.calls / c.seconds.size)),
      ticksPerClaim: counts.reduce((sum, c) => sum + c.ticks, 0) / calls,
      historyWritesPerRun: historyWrites / runs,
      smallestReplicaShare:
        byReplica.size < args.replicas ? 0 : Math.min(...byReplica.values()) / runs,
      cpuPercent: ((cpu.user + cpu.system) / 1_000 / windowMs) * 100,
    };
  } finally {
    for (const app of apps) await app.close();
    await removeStoreData(args, runId);
  }
}

function emptyCount(): ClaimCount {
  return { calls: 0, ticks: 0, seconds: new Set() };
}

function makeCoordinators(args: ClusterArgs, runId: string): Coordinator[] {
  const replicas = Array.from({ length: args.replicas });
  switch (args.store) {
    case 'memory': {
      const shared = new InMemoryCoordinator();
      return replicas.map(() => shared);
    }
    case 'redis':
      return replicas.map(() => new RedisCoordinator({ url: args.redisUrl, prefix: runId }));
    case 'postgres':
      return replicas.map(
        () => new PostgresCoordinator({ connectionString: args.databaseUrl, schema: runId }),
      );
  }
}

async function bootReplica(
  coordinator: Coordinator,
  instanceId: string,
): Promise<INestApplicationContext> {
  @Module({
    imports: [
      AioClockModule.forRoot({
        logger: false,
        timeZone: 'UTC',
        cluster: { coordinator, instanceId },
      }),
    ],
  })
  class ReplicaModule {}
  return NestFactory.createApplicationContext(ReplicaModule, { logger: false });
}

/** Deletes this run's keys (Redis) or drops its schema (PostgreSQL); the servers stay shared. */
async function removeStoreData(args: ClusterArgs, runId: string): Promise<void> {
  if (args.store === 'redis') {
    const { Redis } = await import('ioredis');
    const redis = new Redis(args.redisUrl);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `{${runId}}*`, 'COUNT', 1_000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      await redis.quit();
    }
  } else if (args.store === 'postgres') {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: args.databaseUrl });
    try {
      await pool.query(`DROP SCHEMA IF EXISTS "${runId}" CASCADE`);
    } finally {
      await pool.end();
    }
  }
}

if (isEntryPoint(import.meta.url)) {
  reportAndExit(await measureCluster(childArgs<ClusterArgs>()));
}
