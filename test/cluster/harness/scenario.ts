import { afterAll, beforeAll } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { ClusterRunRecord, Coordinator } from '../../../lib/index.js';
import { PostgresCoordinator } from '../../../lib/postgres/index.js';
import { RedisCoordinator } from '../../../lib/redis/index.js';
import { taskIdFromName } from '../../../lib/runner/task-id.js';
import { DATABASE_URL, requirePostgres } from '../postgres-server.js';
import { dropRedisPrefix, REDIS_URL, requireRedis } from '../servers.js';
import { removeBuild, ReplicaSet, type LedgerAnalysis, type StoreTarget } from './harness.js';
import type { LedgerLine } from './replica.js';

// What the harness specs share: a namespace per scenario and store, scenarios run on both stores
// side by side, the figures they print, and what they read back from the stores (history, clock).

const run = Date.now().toString(36);

/** The scenarios' namespaces so far, dropped by cleanUp(). */
export const targets: StoreTarget[] = [];

/** The figures of the scenarios, printed by the specs' afterAll. */
export const figures: Record<string, unknown> = {};

/** A namespace of the scenario's own on the shared store, or on `url` (a private server). */
export function target(store: StoreTarget['store'], scenario: string, url?: string): StoreTarget {
  const made: StoreTarget =
    store === 'redis'
      ? { store, url: url ?? REDIS_URL, namespace: `t${run}harness${scenario}` }
      : { store, url: url ?? DATABASE_URL, namespace: `t${run}_harness_${scenario}` };
  // A private server goes away with its data: nothing to drop.
  if (url === undefined) targets.push(made);
  return made;
}

/** Runs `scenario` on Redis and PostgreSQL side by side; every replica is stopped whatever happens. */
export async function onBothStores<T extends object>(
  name: string,
  scenario: (set: ReplicaSet, target: StoreTarget) => Promise<T>,
): Promise<Record<'redis' | 'postgres', T>> {
  const made = (['redis', 'postgres'] as const).map((store) => target(store, name));
  const sets = made.map((one) => new ReplicaSet(one));
  const began = Date.now();
  try {
    const [redis, postgres] = await Promise.all(sets.map((set, i) => scenario(set, made[i]!)));
    figures[name] = {
      redis: figuresOf(redis!),
      postgres: figuresOf(postgres!),
      lastReadyAfterMs: Math.round(Math.max(...sets.map(readyAt)) - began),
      tookMs: Date.now() - began,
    };
    return { redis: redis!, postgres: postgres! };
  } finally {
    await Promise.all(sets.map((set) => set.stopAll()));
    for (const set of sets) set.remove();
  }
}

function figuresOf(result: object): object {
  return 'lateness' in result ? summary(result as LedgerAnalysis) : result;
}

/** The figures of an analysis (extra fields a scenario adds are kept). */
export function summary({
  runs,
  duplicates,
  missing,
  perReplica,
  lateness,
  ...rest
}: LedgerAnalysis) {
  return {
    runs,
    duplicates: Object.keys(duplicates).length,
    missing: missing.length,
    perReplica,
    latenessMs: lateness,
    ...rest,
  };
}

/** The latest 'ready' time of the set (real clock). */
export function readyAt(set: ReplicaSet): number {
  return Math.max(...set.lines().map((line) => (line.type === 'ready' ? line.at : 0)));
}

/** The ledger lines of one type. */
export function linesOf<K extends LedgerLine['type']>(
  set: ReplicaSet,
  type: K,
): (LedgerLine & { type: K })[] {
  return set.lines().filter((line): line is LedgerLine & { type: K } => line.type === type);
}

/** Waits until `test` holds, polling; throws after `timeoutMs`. */
export async function until(what: string, test: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function coordinatorOf({ store, url, namespace }: StoreTarget): Coordinator {
  return store === 'redis'
    ? new RedisCoordinator({ url, prefix: namespace, historySize: 1_000 })
    : new PostgresCoordinator({ connectionString: url, schema: namespace, historySize: 1_000 });
}

/** The store's history of each named task (as replicas wrote it), oldest first. */
export async function historyOf(
  where: StoreTarget,
  names: readonly string[],
): Promise<Map<string, ClusterRunRecord[]>> {
  const coordinator = coordinatorOf(where);
  await coordinator.connect();
  try {
    const lists = await Promise.all(
      names.map((name) => coordinator.listHistory(taskIdFromName(name), 1_000)),
    );
    return new Map(names.map((name, i) => [name, lists[i]!.reverse()]));
  } finally {
    await coordinator.close();
  }
}

/**
 * The store's clock minus this process's real clock (ms): of a few reads, the one with the
 * shortest round trip, its error at most half that trip.
 */
export async function storeClockOffset({ store, url }: StoreTarget): Promise<number> {
  const now = () => performance.timeOrigin + performance.now();
  let read: () => Promise<number>;
  let close: () => Promise<unknown>;
  if (store === 'redis') {
    const client = new Redis(url);
    read = async () => {
      const [seconds, micros] = await client.time();
      return Number(seconds) * 1_000 + Number(micros) / 1_000;
    };
    close = () => client.quit();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    read = async () => {
      const { rows } = await client.query<{ now: number }>(
        'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now',
      );
      return Number(rows[0]!.now);
    };
    close = () => client.end();
  }
  try {
    await read(); // connected and warm
    let best = { trip: Infinity, offset: 0 };
    for (let i = 0; i < 10; i++) {
      const before = now();
      const storeNow = await read();
      const after = now();
      if (after - before < best.trip) {
        best = { trip: after - before, offset: storeNow - (before + after) / 2 };
      }
    }
    return Math.round(best.offset);
  } finally {
    await close();
  }
}

/** Drops the namespaces the scenarios made on the shared stores. */
export async function cleanUp(): Promise<void> {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  for (const { store, namespace } of targets.splice(0)) {
    if (store === 'redis') await dropRedisPrefix(namespace);
    else await admin.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
  }
  await admin.end();
}

/**
 * A harness spec's setup: both stores must answer first; at the end its figures are printed under
 * `label`, its namespaces dropped and the replicas' build removed.
 */
export function useHarness(label: string): void {
  beforeAll(async () => {
    await Promise.all([requireRedis(REDIS_URL), requirePostgres(DATABASE_URL)]);
  });
  afterAll(async () => {
    process.stdout.write(`cluster harness figures${label}:\n${JSON.stringify(figures, null, 1)}\n`);
    await cleanUp();
    await removeBuild();
  });
}
