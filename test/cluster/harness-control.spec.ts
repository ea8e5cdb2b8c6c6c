import { describe, it, expect } from '@jest/globals';
import { duplicatesOf, sleep, type ReplicaProcess, type RunLine } from './harness/harness.js';
import type { ReplicaReply } from './harness/replica.js';
import { historyOf, linesOf, onBothStores, until, useHarness } from './harness/scenario.js';

// The scenario harness of cluster mode, part 3: control. The harness drives one replica's
// registry (pause, resume, setTrigger, runTask) over an IPC channel and reads in the ledger what
// every replica ran, on Redis and PostgreSQL side by side.

const TASKS = 3;
/** cluster.syncInterval, the library's default: how often a replica reads the shared control. */
const SYNC_MS = 1_000;
const EVERY_2S = '*/2 * * * * *';

useHarness(' (control)');

/** A command's answer, which must be a success. */
function succeeded(reply: ReplicaReply): Extract<ReplicaReply, { ok: true }> {
  if (!reply.ok) throw new Error(`the command failed: ${reply.error}: ${reply.message}`);
  return reply;
}

/**
 * Asks every replica for its view of `task` until each one's satisfies `test`; answers how long
 * after `since` (real clock) the last one did.
 */
async function seenByAll(
  replicas: readonly ReplicaProcess[],
  task: string,
  test: (view: Extract<ReplicaReply, { ok: true }>) => boolean,
  since: number,
): Promise<number> {
  const seenAt = new Map<string, number>();
  const deadline = Date.now() + 10_000;
  while (seenAt.size < replicas.length) {
    if (Date.now() > deadline) throw new Error(`not every replica saw the change of ${task}`);
    for (const replica of replicas.filter((one) => !seenAt.has(one.name))) {
      const view = succeeded(await replica.command({ op: 'describe', task }));
      if (test(view)) seenAt.set(replica.name, view.at);
    }
    await sleep(50);
  }
  return Math.round(Math.max(...seenAt.values()) - since);
}

/** The ticks of `task` every `stepMs` within [from, to] (epoch ms) that no run in the ledger has. */
function missingTicks(
  runs: readonly RunLine[],
  task: string,
  { from, to, stepMs = 1_000 }: { from: number; to: number; stepMs?: number },
): number[] {
  const ran = new Set(runs.filter((run) => run.task === task).map((run) => run.scheduledAt));
  const missing: number[] = [];
  for (let tick = Math.ceil(from / stepMs) * stepMs; tick <= to; tick += stepMs) {
    if (!ran.has(tick)) missing.push(tick);
  }
  return missing;
}

describe('cluster harness: control from one replica reaches all (real time)', () => {
  it('pause stops runs on every replica within one sync interval, resume and setTrigger reach all, one requestId from 3 replicas runs once', async () => {
    await onBothStores('control', async (set, where) => {
      const replicas = await set.start([0, 1, 2].map(() => ({ tasks: TASKS, control: true })));
      const [first, second, third] = replicas as [ReplicaProcess, ReplicaProcess, ReplicaProcess];
      const ranTasks = () => new Set(set.runs().map((run) => run.task));
      await until('every task ran', () => ranTasks().size === TASKS, 30_000);
      const runsOf = (task: string, after: number) =>
        set.runs().filter((run) => run.task === task && run.startedAt > after);

      // Pause on one replica: no replica starts a run of it one sync interval after the pause
      // resolved, while the other tasks run on.
      const paused = succeeded(await first.command({ op: 'pause', task: 'tick-0' }));
      expect(paused.paused).toBe(true);
      const pauseSeenByAllMs = await seenByAll(replicas, 'tick-0', (v) => v.paused, paused.at);
      await sleep(3_000);
      expect(runsOf('tick-0', paused.at + SYNC_MS)).toEqual([]);
      // Stronger, and load-proof: claims are judged on the store, so no tick of it whose nominal
      // time comes after the commit (before paused.at) runs anywhere, however late runs start.
      const afterCommit = set.runs().filter((run) => run.task === 'tick-0');
      expect(afterCommit.filter((run) => run.scheduledAt > paused.at)).toEqual([]);
      expect(runsOf('tick-1', paused.at + SYNC_MS).length).toBeGreaterThanOrEqual(2);
      const lastStartAfterPauseMs = Math.round(
        Math.max(...runsOf('tick-0', 0).map((run) => run.startedAt)) - paused.at,
      );

      // Resume on another: every tick from one sync interval later runs.
      const resumed = succeeded(await second.command({ op: 'resume', task: 'tick-0' }));
      expect(resumed.paused).toBe(false);
      const resumeSeenByAllMs = await seenByAll(replicas, 'tick-0', (v) => !v.paused, resumed.at);

      // A new trigger from the third: every replica takes it, and runs follow it.
      const changed = succeeded(
        await third.command({ op: 'setTrigger', task: 'tick-1', cron: EVERY_2S }),
      );
      expect(changed.trigger).toMatchObject({ type: 'Cron', expression: EVERY_2S });
      const triggerSeenByAllMs = await seenByAll(
        replicas,
        'tick-1',
        (v) => v.trigger['expression'] === EVERY_2S,
        changed.at,
      );

      // The same request id from all three at once: one run, two refusals.
      const replies = await Promise.all(
        replicas.map((replica) =>
          replica.command({ op: 'runTask', task: 'tick-2', requestId: 'refund-42' }),
        ),
      );
      const winners = replies.filter((reply) => reply.ok);
      expect(winners).toHaveLength(1);
      expect(replies.filter((reply) => !reply.ok).map((reply) => reply.error)).toEqual([
        'DuplicateRunRequestError',
        'DuplicateRunRequestError',
      ]);
      // Ticks are judged up to 3 s before the stop: on a loaded box a run may start over a second
      // late, and a replica that stops first records a tick it had not started as skipped.
      await sleep(7_000);
      const to = Date.now() - 3_000;
      await set.stopAll();

      const runs = set.runs();
      expect(duplicatesOf(runs)).toEqual({});
      const winner = replicas[replies.indexOf(winners[0]!)]!.name;
      expect(linesOf(set, 'manual').map(({ replica, task }) => ({ replica, task }))).toEqual([
        { replica: winner, task: 'tick-2' },
      ]);
      // Resumed: each tick of tick-0 from one sync interval after the resume ran.
      // A tick missing from the ledger is shown with what the store's history says of it.
      const explained = async (task: string, ticks: number[]) => {
        if (ticks.length === 0) return [];
        const history = (await historyOf(where, [task])).get(task)!;
        return ticks.map((tick) => {
          const record = history.find((one) => one.scheduledAt?.getTime() === tick);
          return { task, tick: new Date(tick).toISOString(), recorded: record?.status ?? 'absent' };
        });
      };
      const missing0 = missingTicks(runs, 'tick-0', { from: resumed.at + SYNC_MS, to });
      expect(await explained('tick-0', missing0)).toEqual([]);
      // The new trigger: after one sync interval, tick-1 ran on even seconds only, each of them.
      const underNew = runs.filter(
        (run) => run.task === 'tick-1' && run.scheduledAt > changed.at + SYNC_MS,
      );
      expect(underNew.filter((run) => run.scheduledAt % 2_000 !== 0)).toEqual([]);
      expect(underNew.length).toBeGreaterThanOrEqual(2);
      const missing1 = missingTicks(runs, 'tick-1', {
        from: changed.at + SYNC_MS,
        to,
        stepMs: 2_000,
      });
      expect(await explained('tick-1', missing1)).toEqual([]);
      // Untouched, tick-2 ran every second throughout.
      const from = Math.min(...runsOf('tick-2', 0).map((run) => run.scheduledAt));
      expect(await explained('tick-2', missingTicks(runs, 'tick-2', { from, to }))).toEqual([]);
      return {
        pauseSeenByAllMs,
        lastStartAfterPauseMs,
        resumeSeenByAllMs,
        triggerSeenByAllMs,
        requestRunBy: winner,
        runsPerReplica: Object.fromEntries(
          replicas.map(({ name }) => [name, runs.filter((run) => run.replica === name).length]),
        ),
      };
    });
  }, 150_000);
});
