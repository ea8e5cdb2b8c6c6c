// `npm run demo:cluster`: 3 replicas (processes) of a small app with 3 secondly tasks, in cluster
// mode on Redis (REDIS_URL or 127.0.0.1:6379), for about 20 s or until Ctrl-C; prints which replica
// ran each tick.
// The replicas are the scenario harness's (test/cluster/harness/replica.ts).
import { Redis } from 'ioredis';
import { ReplicaSet, removeBuild, sleep, type RunLine } from '../test/cluster/harness/harness.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `demo${Date.now().toString(36)}`;
const tasks = 3;
const set = new ReplicaSet({ store: 'redis', url, namespace: prefix });

const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const shown = new Set<number>();

/** Prints each second whose runs are all in, one line per tick. */
function print(runs: RunLine[], all: boolean): void {
  const byTick = new Map<number, RunLine[]>();
  for (const run of runs)
    byTick.set(run.scheduledAt, [...(byTick.get(run.scheduledAt) ?? []), run]);
  for (const [tick, ran] of [...byTick].sort(([a], [b]) => a - b)) {
    if (shown.has(tick) || (!all && ran.length < tasks)) continue;
    shown.add(tick);
    const who = ran
      .sort((a, b) => a.task.localeCompare(b.task))
      .map((run) => `${run.task} -> ${run.replica} (token ${run.fencingToken})`);
    console.log(`${time(tick)}  ${who.join('   ')}`);
  }
}

// Ctrl-C ends the demo early; without this listener Node would exit at once and leave the
// replicas' keys in Redis and their build in the temporary directory.
let interrupted = false;
process.once('SIGINT', () => (interrupted = true));

// The last ticks are printed once everything is stopped and cleaned up.
let runs: RunLine[] | undefined;
try {
  console.log(`Starting 3 replicas on ${url} (prefix ${prefix})...`);
  await set.start([{ tasks }, { tasks }, { tasks }]);
  console.log('Each tick below was claimed once, cluster-wide, and run by the replica shown.');
  for (let second = 0; second < 20 && !interrupted; second++) {
    await sleep(1_000);
    print(set.runs(), false);
  }
} finally {
  await set.stopAll();
  runs = set.runs();
  set.remove();
  await removeBuild();
  const redis = new Redis(url);
  const keys = await redis.keys(`{${prefix}}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
print(runs ?? [], true);
