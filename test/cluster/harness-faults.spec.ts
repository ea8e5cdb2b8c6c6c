import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyse, duplicatesOf, ReplicaSet, sleep, type StoreTarget } from './harness/harness.js';
import {
  figures,
  historyOf,
  linesOf,
  onBothStores,
  readyAt,
  summary,
  target,
  until,
  useHarness,
} from './harness/scenario.js';
import { messages } from '../../lib/errors.js';
import { startPrivatePostgres } from './postgres-server.js';
import { startPrivateRedis } from './servers.js';

// The scenario harness of cluster mode, part 2: faults. A leader (`Forever`) task's holder
// SIGKILLed or SIGSTOPped, and the store down for 3 s on a private server of each kind, while
// replicas run secondly cron tasks. Each scenario runs on Redis and PostgreSQL at once.

const TASKS = 10;
const LEASE_TTL = 3_000;
const RENEW_EVERY = LEASE_TTL / 3;
const withLeader = { tasks: TASKS, forever: true, leaseTtlMs: LEASE_TTL };

useHarness(' (faults)');

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
  // One window for two faults: the holder SIGKILLed, then the next holder SIGSTOPped.
  it('leader task: holder SIGKILLed, another takes over in time; next holder SIGSTOPped past its lease aborts on SIGCONT, its late claims and stale writes refused; cron ticks once', async () => {
    await onBothStores('leader', async (set, where) => {
      await set.start([withLeader, withLeader, withLeader]);
      const from = readyAt(set) + 1_000;
      await until('a replica leads', () => linesOf(set, 'fenced').length > 0);
      await sleep(1_000);
      const processOf = (name: string) => set.replicas.find((one) => one.name === name)!;

      // SIGKILL mid-second, between two ticks' runs.
      await toMidSecond();
      const killed = holder(set);
      const killedAt = Date.now();
      await processOf(killed.replica).kill();
      await until(
        'another replica leads after the kill',
        () => holder(set).at > killedAt,
        LEASE_TTL + RENEW_EVERY + 5_000,
      );
      const heir = holder(set);
      expect(heir.replica).not.toBe(killed.replica);
      expect(heir.epoch).toBeGreaterThan(killed.epoch);
      const killTakeoverMs = Math.round(heir.at - killedAt);
      expect(killTakeoverMs).toBeLessThanOrEqual(LEASE_TTL + RENEW_EVERY + 1_000);

      // SIGSTOP the heir for longer than its lease, then SIGCONT.
      await sleep(1_000);
      await toMidSecond();
      const frozen = holder(set);
      const stoppedAt = Date.now();
      processOf(frozen.replica).pause();
      await sleep(LEASE_TTL + RENEW_EVERY + 1_500);
      const resumedAt = Date.now();
      processOf(frozen.replica).resume();
      await sleep(3_000);
      const to = Date.now() - 1_000;
      await set.stopAll();
      const runs = set.runs();

      // While it was frozen, the last replica took the lease, under a higher epoch.
      const third = linesOf(set, 'lead').find((lead) => lead.at > stoppedAt);
      expect(third).toBeDefined();
      expect(third!.replica).not.toBe(frozen.replica);
      expect(third!.epoch).toBeGreaterThan(frozen.epoch);
      // Thawed, it aborted its run with LeaseLostError.
      const abort = linesOf(set, 'abort').find((line) => line.replica === frozen.replica);
      expect(abort).toMatchObject({ epoch: frozen.epoch, reason: 'LeaseLostError' });
      expect(abort!.at).toBeGreaterThan(resumedAt);
      // The new holder wrote to the fenced resource before the thaw; whatever the thawed one
      // wrote after it was refused as stale (a write sent before the freeze may be answered after).
      const fenced = linesOf(set, 'fenced');
      const newWrite = fenced.find((line) => line.replica === third!.replica && line.accepted);
      expect(newWrite!.at).toBeLessThan(resumedAt);
      const staleWrites = fenced.filter(
        (line) => line.replica === frozen.replica && line.sentAt > resumedAt,
      );
      expect(staleWrites.filter((line) => line.accepted)).toEqual([]);

      // Cron ticks: none twice; none run by the killed replica after its death, nor by the
      // frozen one for a tick of its freeze (its late claims were refused).
      expect(duplicatesOf(runs)).toEqual({});
      expect(runs.filter((r) => r.replica === killed.replica && r.startedAt > killedAt)).toEqual(
        [],
      );
      const frozenTicks = runs.filter(
        (run) =>
          run.replica === frozen.replica &&
          run.scheduledAt > stoppedAt &&
          run.scheduledAt <= resumedAt,
      );
      expect(frozenTicks).toEqual([]);
      // None lost: at most once allows losing a tick the killed replica had claimed but not run;
      // it died mid-second, after that tick's runs, so none is expected there either.
      const result = analyse(runs, { tasks: TASKS, from, to });
      const lostWithKilled = result.missing.filter((key) => {
        const tick = Number(key.split('@')[1]);
        return tick > killedAt - 1_000 && tick <= killedAt;
      });
      expect(result.missing.filter((key) => !lostWithKilled.includes(key))).toEqual([]);

      // The store's history: one record per tick run, under the token of the replica that ran it
      // (no record written with another's, or a stale, token).
      const names = Array.from({ length: TASKS }, (_, i) => `tick-${i}`);
      const histories = await historyOf(where, names);
      const notTheRun: string[] = [];
      for (const run of runs) {
        const records = histories
          .get(run.task)!
          .filter((record) => record.scheduledAt?.getTime() === run.scheduledAt);
        const [record] = records;
        if (
          records.length !== 1 ||
          record!.instanceId !== run.replica ||
          record!.fencingToken !== run.fencingToken
        ) {
          notTheRun.push(`${run.task}@${run.scheduledAt}`);
        }
      }
      expect(notTheRun).toEqual([]);
      return {
        ...result,
        killTakeoverMs,
        lostWithKilled: lostWithKilled.length,
        frozenMs: resumedAt - stoppedAt,
        stopTakeoverMs: Math.round(third!.at - stoppedAt),
        abortedAfterThawMs: Math.round(abort!.at - resumedAt),
        staleWritesAfterThaw: staleWrites.length,
      };
    });
  }, 150_000);

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
  }, 150_000);
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
