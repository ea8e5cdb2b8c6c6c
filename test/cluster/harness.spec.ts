import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  analyse,
  duplicatesOf,
  removeBuild,
  ReplicaSet,
  sleep,
  type LedgerAnalysis,
  type StoreTarget,
} from './harness/harness.js';
import { messages } from '../../lib/errors.js';
import { DATABASE_URL, requirePostgres } from './postgres-server.js';
import { REDIS_URL, requireRedis, startPrivateRedis } from './servers.js';

// The scenario harness of cluster mode, real time, replicas as child processes on the real
// Redis and PostgreSQL. Each scenario runs on both stores at once (6 processes on this 2-core box)
// to keep the file near a minute: windows are 10-15 s, not the 60 s.

const TASKS = 10;
const CLAIM_TOLERANCE = 1_000; // the default claimTolerance
const IN_FLIGHT_TTL = 3_000; // the default inFlightTtl
const run = Date.now().toString(36);
const targets: StoreTarget[] = [];
const figures: Record<string, unknown> = {};

function target(store: StoreTarget['store'], scenario: string): StoreTarget {
  const made: StoreTarget =
    store === 'redis'
      ? { store, url: REDIS_URL, namespace: `t${run}harness${scenario}` }
      : { store, url: DATABASE_URL, namespace: `t${run}_harness_${scenario}` };
  targets.push(made);
  return made;
}

/** Runs `scenario` on Redis and PostgreSQL side by side; every replica is stopped whatever happens. */
async function onBothStores(
  name: string,
  scenario: (set: ReplicaSet) => Promise<LedgerAnalysis>,
): Promise<Record<'redis' | 'postgres', LedgerAnalysis>> {
  const sets = (['redis', 'postgres'] as const).map((store) => new ReplicaSet(target(store, name)));
  try {
    const [redis, postgres] = await Promise.all(sets.map(scenario));
    figures[name] = { redis: summary(redis!), postgres: summary(postgres!) };
    return { redis: redis!, postgres: postgres! };
  } finally {
    await Promise.all(sets.map((set) => set.stopAll()));
    for (const set of sets) set.remove();
  }
}

function summary({ runs, duplicates, missing, perReplica, lateness }: LedgerAnalysis) {
  return {
    runs,
    duplicates: Object.keys(duplicates).length,
    missing: missing.length,
    perReplica,
    latenessMs: lateness,
  };
}

/** The latest 'ready' time of the set (real clock). */
function readyAt(set: ReplicaSet): number {
  return Math.max(...set.lines().map((line) => (line.type === 'ready' ? line.at : 0)));
}

beforeAll(async () => {
  await Promise.all([requireRedis(REDIS_URL), requirePostgres(DATABASE_URL)]);
});

afterAll(async () => {
  process.stdout.write(`cluster harness figures:\n${JSON.stringify(figures, null, 1)}\n`);
  const redis = new Redis(REDIS_URL);
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  for (const { store, namespace } of targets) {
    if (store === 'redis') {
      const keys = await redis.keys(`{${namespace}}*`);
      if (keys.length > 0) await redis.del(...keys);
    } else await admin.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
  }
  await redis.quit();
  await admin.end();
  await removeBuild();
});

describe('cluster harness: replicas as processes, on Redis and PostgreSQL (real time)', () => {
  it('3 replicas, 10 secondly tasks, 15 s: each tick run once, by every replica in turn', async () => {
    const results = await onBothStores('steady', async (set) => {
      await set.start([{ tasks: TASKS }, { tasks: TASKS }, { tasks: TASKS }]);
      const from = readyAt(set) + 1_000;
      await sleep(15_000);
      const to = Date.now() - 1_000;
      await set.stopAll();
      expect(duplicatesOf(set.runs())).toEqual({});
      return analyse(set.runs(), { tasks: TASKS, from, to });
    });
    for (const result of Object.values(results)) {
      expect(result.duplicates).toEqual({});
      expect(result.missing).toEqual([]);
      expect(result.runs).toBeGreaterThanOrEqual(TASKS * 10);
      expect(Object.keys(result.perReplica).sort()).toEqual([
        'replica-0',
        'replica-1',
        'replica-2',
      ]);
      expect(result.lateness.p99).toBeLessThanOrEqual(500);
    }
  }, 60_000);

  it('clocks at -2 s, 0, +2 s: each tick once, none started before its time minus the tolerance', async () => {
    const results = await onBothStores('skew', async (set) => {
      await set.start([
        { tasks: TASKS, clockOffsetMs: -2_000 },
        { tasks: TASKS, clockOffsetMs: 0 },
        { tasks: TASKS, clockOffsetMs: 2_000 },
      ]);
      // The replica 2 s behind plans its first ticks 2 s late: start the window after that.
      const from = readyAt(set) + 3_000;
      await sleep(10_000);
      const to = Date.now() - 1_000;
      await set.stopAll();
      const runs = set.runs();
      expect(duplicatesOf(runs)).toEqual({});
      for (const { startedAt, scheduledAt } of runs) {
        expect(startedAt).toBeGreaterThanOrEqual(scheduledAt - CLAIM_TOLERANCE);
      }
      return analyse(runs, { tasks: TASKS, from, to });
    });
    for (const result of Object.values(results)) {
      expect(result.duplicates).toEqual({});
      expect(result.missing).toEqual([]);
    }
  }, 60_000);

  it('SIGKILL of one replica mid-run: the others carry on, no tick runs twice', async () => {
    await onBothStores('kill', async (set) => {
      const [victim] = await set.start([{ tasks: TASKS }, { tasks: TASKS }, { tasks: TASKS }]);
      const from = readyAt(set) + 1_000;
      // Mid-second, while runs of the tick just claimed may still be starting.
      await sleep(5_000 - (Date.now() % 1_000));
      const killedAt = Date.now();
      await victim!.kill();
      await sleep(8_000);
      const to = Date.now() - 1_000;
      await set.stopAll();
      const runs = set.runs();
      expect(duplicatesOf(runs)).toEqual({});
      expect(runs.filter((r) => r.replica === victim!.name && r.startedAt > killedAt)).toEqual([]);
      // After the kill, the two left run every tick; but overlap 'skip' (the default) is
      // cluster-wide, so a task whose run the victim had in flight is refused until the victim's
      // in-flight mark expires (cluster.inFlightTtl, 3 s by default, no longer renewed).
      const { missing } = analyse(runs, { tasks: TASKS, from: killedAt + 1_000, to });
      const tickOf = (key: string) => Number(key.split('@')[1]);
      expect(missing.filter((key) => tickOf(key) > killedAt + IN_FLIGHT_TTL)).toEqual([]);
      return analyse(runs, { tasks: TASKS, from, to });
    });
  }, 60_000);

  it('Redis down for 3 s (a private server): no tick runs twice; the ticks around it are reported', async () => {
    const server = await startPrivateRedis();
    const port = Number(new URL(server.url).port);
    let restarted = server;
    const set = new ReplicaSet({ store: 'redis', url: server.url, namespace: `t${run}outage` });
    try {
      await set.start([{ tasks: TASKS }, { tasks: TASKS }, { tasks: TASKS }]);
      const from = readyAt(set) + 1_000;
      await sleep(4_000 - (Date.now() % 1_000) + 500);
      const downAt = Date.now();
      await server.stop();
      await sleep(3_000);
      restarted = await startPrivateRedis(port);
      const upAt = Date.now();
      await sleep(6_000);
      const to = Date.now() - 1_000;
      await set.stopAll();
      const runs = set.runs();
      expect(duplicatesOf(runs)).toEqual({});
      const before = analyse(runs, { tasks: TASKS, from, to: downAt - 1_000 });
      const during = analyse(runs, { tasks: TASKS, from: downAt, to: upAt });
      const after = analyse(runs, { tasks: TASKS, from: upAt + 1_000, to });
      expect(before.missing).toEqual([]);
      // ioredis reconnects on its own (its retry delay grows to 2 s): from then on, every tick runs.
      expect(after.missing.filter((key) => +key.split('@')[1]! > upAt + 2_500)).toEqual([]);
      // At most once: no tick of the outage runs (each is recorded missed once when Redis is
      // back), and each replica says once that the store is gone and once that it is back.
      expect(during.runs).toBe(0);
      const logs = set.replicas.map((replica) => set.log(replica.name)).join('');
      expect(logs.split(messages.storeUnreachable('redis', '')).length - 1).toBe(3);
      expect(logs.split(messages.storeReachable('redis')).length - 1).toBe(3);
      figures.outage = {
        redis: {
          before: summary(before),
          during: {
            ...summary(during),
            ticks: Math.floor(upAt / 1e3) - Math.ceil(downAt / 1e3) + 1,
          },
          after: summary(after),
          unreachableLogged: logs.split(messages.storeUnreachable('redis', '')).length - 1,
          reachableLogged: logs.split(messages.storeReachable('redis')).length - 1,
        },
      };
    } finally {
      await set.stopAll();
      set.remove();
      await restarted.stop();
    }
  }, 60_000);
});
