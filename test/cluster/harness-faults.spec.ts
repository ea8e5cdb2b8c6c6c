import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  analyse,
  duplicatesOf,
  removeBuild,
  ReplicaSet,
  sleep,
  type StoreTarget,
} from './harness/harness.js';
import {
  cleanUp,
  figures,
  historyOf,
  linesOf,
  onBothStores,
  readyAt,
  summary,
  target,
  until,
} from './harness/scenario.js';
import { messages } from '../../lib/errors.js';
import { DATABASE_URL, requirePostgres, startPrivatePostgres } from './postgres-server.js';
import { REDIS_URL, requireRedis, startPrivateRedis } from './servers.js';

// The scenario harness of cluster mode, part 2: faults. A leader (`Forever`) task's holder
// SIGKILLed or SIGSTOPped, and the store down for 3 s on a private server of each kind, while
// replicas run secondly cron tasks. Each scenario runs on Redis and PostgreSQL at once.

const TASKS = 10;
const LEASE_TTL = 3_000;
const RENEW_EVERY = LEASE_TTL / 3;
const withLeader = { tasks: TASKS, forever: true, leaseTtlMs: LEASE_TTL };

beforeAll(async () => {
  await Promise.all([requireRedis(REDIS_URL), requirePostgres(DATABASE_URL)]);
});

afterAll(async () => {
  process.stdout.write(`cluster harness figures (faults):\n${JSON.stringify(figures, null, 1)}\n`);
  await cleanUp();
  await removeBuild();
});

/** The replica leading the `leader` task now: the last to say so in the ledger. */
function holder(set: ReplicaSet): { replica: string; epoch: number; at: number } {
  const leads = linesOf(set, 'lead');
  if (leads.length === 0) throw new Error('no replica leads the Forever task');
  return leads.at(-1)!;
}

/** Sleeps until `ms` past a whole second (real clock): mid-second, between two ticks' runs. */
function toMidSecond(ms = 500): Promise<void> {
  return sleep((ms - (Date.now() % 1_000) + 1_000) % 1_000);
}

describe('cluster harness: faults (real time)', () => {
  it("SIGKILL of the leader task's holder: another takes over in time; no cron tick lost or run twice", async () => {
    const results = await onBothStores('kill', async (set) => {
      await set.start([withLeader, withLeader, withLeader]);
      const from = readyAt(set) + 1_000;
      await until('a replica leads', () => linesOf(set, 'fenced').length > 0);
      await sleep(2_000);
      await toMidSecond();
      const victim = holder(set);
      const killedAt = Date.now();
      await set.replicas.find((replica) => replica.name === victim.replica)!.kill();
      await sleep(LEASE_TTL + RENEW_EVERY + 2_000);
      const to = Date.now() - 1_000;
      await set.stopAll();
      const runs = set.runs();
      expect(duplicatesOf(runs)).toEqual({});
      expect(runs.filter((r) => r.replica === victim.replica && r.startedAt > killedAt)).toEqual(
        [],
      );
      const next = linesOf(set, 'lead').find((lead) => lead.at > killedAt);
      expect(next).toBeDefined();
      expect(next!.replica).not.toBe(victim.replica);
      expect(next!.epoch).toBeGreaterThan(victim.epoch);
      const takeoverMs = Math.round(next!.at - killedAt);
      expect(takeoverMs).toBeLessThanOrEqual(LEASE_TTL + RENEW_EVERY + 1_000);
      // At most once: the tick the victim was in may be lost with it (claimed, not run yet); it
      // died mid-second, after that tick's runs, so none is expected.
      const result = analyse(runs, { tasks: TASKS, from, to });
      const lostWithVictim = result.missing.filter((key) => {
        const tick = Number(key.split('@')[1]);
        return tick > killedAt - 1_000 && tick <= killedAt;
      });
      expect(result.missing.filter((key) => !lostWithVictim.includes(key))).toEqual([]);
      return { ...result, takeoverMs, lostWithVictim: lostWithVictim.length };
    });
    for (const result of Object.values(results)) expect(result.duplicates).toEqual({});
  }, 90_000);

  it('SIGSTOP of the holder past its lease, then SIGCONT: it aborts its run; its late claims and stale writes are refused', async () => {
    await onBothStores('stop', async (set, where) => {
      await set.start([withLeader, withLeader, withLeader]);
      const from = readyAt(set) + 1_000;
      await until('a replica leads', () => linesOf(set, 'fenced').length > 0);
      await sleep(2_000);
      await toMidSecond();
      const frozen = holder(set);
      const frozenProcess = set.replicas.find((replica) => replica.name === frozen.replica)!;
      const stoppedAt = Date.now();
      frozenProcess.pause();
      await sleep(LEASE_TTL + RENEW_EVERY + 1_500);
      const next = linesOf(set, 'lead').find((lead) => lead.at > stoppedAt);
      const resumedAt = Date.now();
      frozenProcess.resume();
      await sleep(3_000);
      const to = Date.now() - 1_000;
      await set.stopAll();
      const lines = set.lines();
      const runs = set.runs();

      // Another replica took the lease while it was frozen, under a higher epoch.
      expect(next).toBeDefined();
      expect(next!.replica).not.toBe(frozen.replica);
      expect(next!.epoch).toBeGreaterThan(frozen.epoch);
      // Thawed, it aborted its run with LeaseLostError.
      const abort = linesOf(set, 'abort').find((line) => line.replica === frozen.replica);
      expect(abort).toMatchObject({ epoch: frozen.epoch, reason: 'LeaseLostError' });
      expect(abort!.at).toBeGreaterThan(resumedAt);
      // Whatever it wrote to the fenced resource after the thaw was refused as stale.
      const staleWrites = linesOf(set, 'fenced').filter(
        (line) => line.replica === frozen.replica && line.at > resumedAt,
      );
      expect(staleWrites.filter((line) => line.accepted)).toEqual([]);
      // Its late claims were refused: the ticks of its freeze ran once, elsewhere.
      expect(duplicatesOf(runs)).toEqual({});
      const frozenTicks = runs.filter(
        (run) =>
          run.replica === frozen.replica &&
          run.scheduledAt > stoppedAt &&
          run.scheduledAt <= resumedAt,
      );
      expect(frozenTicks).toEqual([]);
      const result = analyse(runs, { tasks: TASKS, from, to });
      expect(result.missing).toEqual([]);
      // The store's history: one record per tick, under the token of the replica that ran it.
      const names = Array.from({ length: TASKS }, (_, i) => `tick-${i}`);
      const histories = await historyOf(where, names);
      const staleRecords: string[] = [];
      for (const run of runs) {
        const records = histories
          .get(run.task)!
          .filter((record) => record.scheduledAt?.getTime() === run.scheduledAt);
        expect(records).toHaveLength(1);
        const [record] = records;
        if (record!.instanceId !== run.replica || record!.fencingToken !== run.fencingToken) {
          staleRecords.push(`${run.task}@${run.scheduledAt}`);
        }
      }
      expect(staleRecords).toEqual([]);
      return {
        ...result,
        frozenMs: resumedAt - stoppedAt,
        takeoverMs: Math.round(next!.at - stoppedAt),
        abortedAfterThawMs: Math.round(abort!.at - resumedAt),
        staleWritesRefused: staleWrites.length,
        lines: lines.length,
      };
    });
  }, 90_000);

  it('the store down for 3 s (private servers): each tick run once or recorded missed once, 0 duplicates', async () => {
    // Persistent, as a production Redis: a restart without it would come back empty, the
    // history with it.
    const redisDir = mkdtempSync(join(tmpdir(), 'aioclock-redis-'));
    const redis = await startPrivateRedis(undefined, redisDir);
    const redisPort = Number(new URL(redis.url).port);
    let redisNow = redis;
    const postgres = await startPrivatePostgres();
    const servers: Record<
      StoreTarget['store'],
      { url: string; down(): Promise<void>; up(): Promise<void> }
    > = {
      redis: {
        url: redis.url,
        down: () => redisNow.stop(),
        up: async () => void (redisNow = await startPrivateRedis(redisPort, redisDir)),
      },
      postgres: { url: postgres.url, down: postgres.stop, up: postgres.start },
    };
    try {
      const results = await Promise.all(
        (['redis', 'postgres'] as const).map((store) =>
          outage(target(store, 'outage', servers[store].url), servers[store]),
        ),
      );
      figures.outage = { redis: results[0], postgres: results[1] };
    } finally {
      await redisNow.stop();
      rmSync(redisDir, { recursive: true, force: true });
      await postgres.remove();
    }
  }, 90_000);
});

/** 3 replicas on `where`; the server down for 3 s mid-run: judged on the ledger and the history. */
async function outage(
  where: StoreTarget,
  server: { down(): Promise<void>; up(): Promise<void> },
): Promise<object> {
  const set = new ReplicaSet(where);
  try {
    await set.start([{ tasks: TASKS }, { tasks: TASKS }, { tasks: TASKS }]);
    const from = readyAt(set) + 1_000;
    await sleep(3_000);
    await toMidSecond();
    const downAt = Date.now();
    await server.down();
    await sleep(3_000);
    await server.up();
    const upAt = Date.now();
    await sleep(6_000);
    const to = Date.now() - 1_000;
    const names = Array.from({ length: TASKS }, (_, i) => `tick-${i}`);
    const histories = await historyOf(where, names);
    await set.stopAll();
    const runs = set.runs();
    expect(duplicatesOf(runs)).toEqual({});
    const before = analyse(runs, { tasks: TASKS, from, to: downAt - 1_000 });
    const during = analyse(runs, { tasks: TASKS, from: downAt, to: upAt });
    const after = analyse(runs, { tasks: TASKS, from: upAt + 1_000, to });
    expect(before.missing).toEqual([]);
    // The client reconnects on its own (ioredis' retry delay grows to 2 s): then every tick runs.
    expect(after.missing.filter((key) => +key.split('@')[1]! > upAt + 2_500)).toEqual([]);
    // Per policy (runOnce): each tick of the window is in the history once, run or missed; the
    // outage's newest runs late unless a tick due then runs anyway, the others are missed.
    const first = Math.ceil(from / 1_000) * 1_000;
    const last = Math.floor(to / 1_000) * 1_000;
    const notOnce: string[] = [];
    let missed = 0;
    for (const name of names) {
      for (let tick = first; tick <= last; tick += 1_000) {
        const records = histories.get(name)!.filter((r) => r.scheduledAt?.getTime() === tick);
        const ran = runs.filter((run) => run.task === name && run.scheduledAt === tick).length;
        const status = records[0]?.status;
        if (records.length !== 1 || (status === 'succeeded') !== (ran === 1)) {
          notOnce.push(`${name}@${tick}: ${records.map((r) => r.status).join(',')} ran ${ran}`);
        }
        if (status === 'missed') missed++;
      }
    }
    expect(notOnce).toEqual([]);
    expect(missed).toBeGreaterThan(0);
    // The outage is logged once per replica, and its end.
    const kind = where.store;
    const logs = set.replicas.map((replica) => set.log(replica.name)).join('');
    const unreachable = logs.split(messages.storeUnreachable(kind, '')).length - 1;
    const reachable = logs.split(messages.storeReachable(kind)).length - 1;
    expect(unreachable).toBe(3);
    expect(reachable).toBe(3);
    return {
      before: summary(before),
      during: { ...summary(during), ticks: Math.floor(upAt / 1e3) - Math.ceil(downAt / 1e3) + 1 },
      after: summary(after),
      recordedMissed: missed,
      unreachableLogged: unreachable,
      reachableLogged: reachable,
    };
  } finally {
    await set.stopAll();
    set.remove();
  }
}
