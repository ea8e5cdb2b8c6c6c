import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { ClusterRunRecord, Coordinator } from '../../lib/runner/coordinator.js';

/**
 * What every coordinator must do, whatever its store: the same suite runs against the in-memory,
 * Redis and PostgreSQL ones. `make(namespace)` returns a coordinator on a fresh prefix or schema,
 * so that runs never see each other's data; `clock()` is the store's time (epoch ms).
 */
export function describeCoordinator(
  name: string,
  make: (namespace: string) => Coordinator,
  clock: () => Promise<number> = async () => Date.now(),
): void {
  describe(`${name}: the coordination contract`, () => {
    const namespace = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    let a: Coordinator;
    let b: Coordinator;

    beforeAll(async () => {
      a = make(namespace);
      b = make(namespace);
      await a.connect();
      await b.connect();
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    it('gives each tick to the first claim only, in one round trip for many ticks', async () => {
      const now = await clock();
      const ticks = [0, 1, 2].map((i) => ({ taskId: `task-${i}`, scheduledAt: now - 1_000 }));
      const [first, second] = await Promise.all([
        a.claimTicks('replica-a', ticks, 0),
        b.claimTicks('replica-b', ticks, 0),
      ]);
      for (let i = 0; i < ticks.length; i++) {
        const winners = [first[i], second[i]].filter((outcome) => outcome.won);
        expect(winners).toHaveLength(1);
      }
      expect([...first, ...second].filter((outcome) => !outcome.won)).toEqual(
        Array(3).fill({ won: false, reason: 'taken' }),
      );
    });

    it('refuses a tick at or before the last one won (high-water mark), and grows the token', async () => {
      const now = await clock();
      const tick = (scheduledAt: number) => [{ taskId: 'hw', scheduledAt }];
      const won = await a.claimTicks('replica-a', tick(now - 5_000), 0);
      expect(won[0]).toMatchObject({ won: true });
      expect(await b.claimTicks('replica-b', tick(now - 6_000), 0)).toEqual([
        { won: false, reason: 'taken' },
      ]);
      const later = await b.claimTicks('replica-b', tick(now - 4_000), 0);
      expect(later[0].won).toBe(true);
      const token = (outcome: (typeof won)[number]) => (outcome.won ? outcome.fencingToken : 0);
      expect(token(later[0])).toBeGreaterThan(token(won[0]));
    });

    it('answers a claim repeated by its claimer (its reply lost) as won again, with the same token', async () => {
      const now = await clock();
      const tick = { taskId: 'repeat', scheduledAt: now - 2_000, maxLoopCount: 2 };
      const [first] = await a.claimTicks('replica-a', [tick], 0);
      expect(first.won).toBe(true);
      // The same replica again (a retry after a timeout): the same answer, nothing counted twice.
      expect(await a.claimTicks('replica-a', [tick], 0)).toEqual([first]);
      expect(await b.claimTicks('replica-b', [tick], 0)).toEqual([{ won: false, reason: 'taken' }]);
      // The retry used no loop budget: the next tick is the second of two.
      const [next] = await b.claimTicks('replica-b', [{ ...tick, scheduledAt: now - 1_000 }], 0);
      expect(next.won && first.won && next.fencingToken).toBe(first.won && first.fencingToken + 1);
      // Once the mark moved on, the older tick is taken, for its claimer too.
      expect(await a.claimTicks('replica-a', [tick], 0)).toEqual([{ won: false, reason: 'taken' }]);
    });

    it("tells each task's last tick won (its high-water mark), null if never claimed", async () => {
      const now = await clock();
      await a.claimTicks('replica-a', [{ taskId: 'last', scheduledAt: now - 3_000 }], 0);
      await b.claimTicks('replica-b', [{ taskId: 'last', scheduledAt: now - 2_000 }], 0);
      await b.claimTicks('replica-b', [{ taskId: 'last', scheduledAt: now - 4_000 }], 0); // refused
      expect(await b.lastTicks(['last', 'never-claimed'])).toEqual([now - 2_000, null]);
      expect(await a.lastTicks([])).toEqual([]);
    });

    it("refuses a tick ahead of the store's clock beyond the tolerance", async () => {
      const now = await clock();
      expect(
        await a.claimTicks('replica-a', [{ taskId: 'early', scheduledAt: now + 60_000 }], 500),
      ).toEqual([{ won: false, reason: 'early' }]);
      expect(
        (await a.claimTicks('replica-a', [{ taskId: 'early', scheduledAt: now + 200 }], 500))[0]
          .won,
      ).toBe(true);
    });

    it('gives a lease to one replica at a time; renewing keeps the epoch, a new holder gets a new one', async () => {
      const [first, second] = await Promise.all([
        a.holdLeases('replica-a', ['leader-1', 'leader-2'], 60_000),
        b.holdLeases('replica-b', ['leader-1', 'leader-2'], 60_000),
      ]);
      for (let i = 0; i < 2; i++) {
        expect([first[i], second[i]].filter((outcome) => outcome.held)).toHaveLength(1);
      }
      const aHolds = first[0].held;
      const [holder, holderId] = aHolds ? [a, 'replica-a'] : [b, 'replica-b'];
      const [other, otherId] = aHolds ? [b, 'replica-b'] : [a, 'replica-a'];
      const granted = (aHolds ? first[0] : second[0]) as { epoch: number };
      expect(await holder.holdLeases(holderId, ['leader-1'], 60_000)).toEqual([
        { held: true, epoch: granted.epoch },
      ]);
      expect((await other.holdLeases(otherId, ['leader-1'], 60_000))[0].held).toBe(false);
      // Released, it passes at once, with a new epoch.
      await holder.releaseLeases(holderId, ['leader-1']);
      expect(await other.holdLeases(otherId, ['leader-1'], 60_000)).toEqual([
        { held: true, epoch: granted.epoch + 1 },
      ]);
    });

    it('lets a lease that was not renewed expire on the store clock', async () => {
      // 2 s: long enough that a loaded box answers b's first try before a's lease ends.
      expect((await a.holdLeases('replica-a', ['short'], 2_000))[0].held).toBe(true);
      expect((await b.holdLeases('replica-b', ['short'], 2_000))[0].held).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 2_300));
      expect((await b.holdLeases('replica-b', ['short'], 2_000))[0]).toMatchObject({ held: true });
    });

    it('commits control changes with a growing version, and reads many tasks in one call', async () => {
      const every = { type: 'Cron', expression: '*/5 * * * * *', tz: 'UTC', maxLoopCount: null };
      expect(await a.writeControl('ctl', { kind: 'pause' })).toEqual({
        paused: true,
        version: 1,
        triggerVersion: 0,
        trigger: null,
      });
      expect(await b.writeControl('ctl', { kind: 'setTrigger', trigger: every })).toEqual({
        paused: true,
        version: 2,
        triggerVersion: 2,
        trigger: every,
      });
      expect(await a.writeControl('ctl', { kind: 'resume' })).toEqual({
        paused: false,
        version: 3,
        triggerVersion: 2,
        trigger: every,
      });
      expect(await b.readControl(['ctl', 'never-changed'])).toEqual([
        { control: { paused: false, version: 3, triggerVersion: 2, trigger: every }, stats: null },
        { control: null, stats: null },
      ]);
      expect(await a.readControl([])).toEqual([]);
      // Never paused or resumed: null, the task keeps what its code says (a disabled one stays so).
      expect(await a.writeControl('ctl-fresh', { kind: 'setTrigger', trigger: every })).toEqual({
        paused: null,
        version: 1,
        triggerVersion: 1,
        trigger: every,
      });
    });

    it('refuses the ticks of a paused task (used up: nobody else gets them) and of a stale trigger', async () => {
      const now = await clock();
      await a.writeControl('gated', { kind: 'pause' });
      const tick = (scheduledAt: number, version = 0) => [
        { taskId: 'gated', scheduledAt, version },
      ];
      expect(await a.claimTicks('replica-a', tick(now - 3_000), 0)).toEqual([
        { won: false, reason: 'paused' },
      ]);
      expect(await b.claimTicks('replica-b', tick(now - 3_000), 0)).toEqual([
        { won: false, reason: 'taken' },
      ]);
      await a.writeControl('gated', { kind: 'resume' });
      const trigger = { type: 'Once', maxLoopCount: 1 };
      const { version } = await b.writeControl('gated', { kind: 'setTrigger', trigger });
      expect(await a.claimTicks('replica-a', tick(now - 2_000, version - 1), 0)).toEqual([
        { won: false, reason: 'stale' },
      ]);
      expect((await b.claimTicks('replica-b', tick(now - 2_000, version), 0))[0].won).toBe(true);
    });

    it('counts the loop budget across replicas and batches; setTrigger starts it again', async () => {
      const now = await clock();
      const tick = (scheduledAt: number) => ({ taskId: 'budget', scheduledAt, maxLoopCount: 2 });
      const first = await a.claimTicks('replica-a', [tick(now - 5_000)], 0);
      const batch = await b.claimTicks('replica-b', [tick(now - 4_000), tick(now - 3_000)], 0);
      expect([first[0].won, batch[0].won]).toEqual([true, true]);
      expect(batch[1]).toEqual({ won: false, reason: 'exhausted' });
      const trigger = { type: 'Forever' };
      const { version } = await a.writeControl('budget', { kind: 'setTrigger', trigger });
      const again = await a.claimTicks('replica-a', [{ ...tick(now - 2_000), version }], 0);
      expect(again[0].won).toBe(true);
    });

    it("marks a 'skip' run in flight at claim until its record clears it, or it expires", async () => {
      const now = await clock();
      const tick = (scheduledAt: number, inFlightTtlMs = 60_000) => [
        { taskId: 'skip', scheduledAt, inFlightTtlMs },
      ];
      const [won] = await a.claimTicks('replica-a', tick(now - 5_000), 0);
      expect(won.won).toBe(true);
      expect(await b.claimTicks('replica-b', tick(now - 4_000), 0)).toEqual([
        { won: false, reason: 'overlap' },
      ]);
      // Used up by the refusal: the tick is recorded skipped once, by the replica told 'overlap'.
      expect(await a.claimTicks('replica-a', tick(now - 4_000), 0)).toEqual([
        { won: false, reason: 'taken' },
      ]);
      const record = (fencingToken: number): ClusterRunRecord => ({
        runId: `skip-${fencingToken}`,
        taskId: 'skip',
        taskName: 'skip',
        origin: 'schedule',
        scheduledAt: new Date(now - 5_000),
        startedAt: new Date(now - 5_000),
        finishedAt: new Date(now - 4_500),
        status: 'succeeded',
        attempt: 1,
        error: null,
        result: null,
        instanceId: 'replica-a',
        fencingToken,
      });
      const token = won.won ? won.fencingToken : 0;
      await b.appendHistory(record(token + 100)); // another run's record clears nothing
      expect((await b.claimTicks('replica-b', tick(now - 3_000), 0))[0]).toEqual({
        won: false,
        reason: 'overlap',
      });
      await a.appendHistory(record(token));
      const [next] = await b.claimTicks('replica-b', tick(now - 2_000, 300), 0);
      expect(next.won).toBe(true);
      // Its replica died: no record comes, and the mark expires on the store's clock.
      expect((await a.claimTicks('replica-a', tick(now - 1_500, 300), 0))[0].won).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect((await a.claimTicks('replica-a', tick(now - 1_000, 300), 0))[0].won).toBe(true);
    });

    it('lets a later tick of a batch take over the mark an earlier one made (catch-up)', async () => {
      const now = await clock();
      const tick = (scheduledAt: number) => ({
        taskId: 'catch-up',
        scheduledAt,
        inFlightTtlMs: 60_000,
      });
      const outcomes = await a.claimTicks('replica-a', [tick(now - 3_000), tick(now - 2_000)], 0);
      expect(outcomes.map((outcome) => outcome.won)).toEqual([true, true]);
      // The mark is the newest's: another replica's next tick overlaps it.
      expect((await b.claimTicks('replica-b', [tick(now - 1_000)], 0))[0]).toEqual({
        won: false,
        reason: 'overlap',
      });
    });

    it('renews the in-flight mark of a run still going, in the control read', async () => {
      const now = await clock();
      const tick = (scheduledAt: number) => [
        { taskId: 'renewed', scheduledAt, inFlightTtlMs: 400 },
      ];
      const [won] = await a.claimTicks('replica-a', tick(now - 5_000), 0);
      const fencingToken = won.won ? won.fencingToken : 0;
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      for (let i = 0; i < 3; i++) {
        await sleep(250);
        const runs = [{ taskId: 'renewed', fencingToken }];
        expect(await a.readControl(['renewed'], { runs, ttlMs: 400 })).toEqual([
          { control: null, stats: null },
        ]);
      }
      // 750 ms after the claim, past its first ttl: still marked.
      expect((await b.claimTicks('replica-b', tick(now - 4_000), 0))[0]).toEqual({
        won: false,
        reason: 'overlap',
      });
      // A wrong token renews nothing; unrenewed, the mark expires.
      await a.readControl([], { runs: [{ taskId: 'renewed', fencingToken: -1 }], ttlMs: 60_000 });
      await sleep(550);
      expect((await b.claimTicks('replica-b', tick(now - 3_000), 0))[0].won).toBe(true);
    });

    it('records a manual run request first-writer-wins, until it expires', async () => {
      const [first, second] = await Promise.all([
        a.claimRequest('replica-a', 'manual', 'req-1', 60_000),
        b.claimRequest('replica-b', 'manual', 'req-1', 60_000),
      ]);
      expect([first, second].sort()).toEqual([false, true]);
      expect(await a.claimRequest('replica-a', 'manual', 'req-2', 60_000)).toBe(true);
      expect(await a.claimRequest('replica-a', 'other-task', 'req-1', 60_000)).toBe(true);
      expect(await a.claimRequest('replica-a', 'short', 'req-1', 300)).toBe(true);
      expect(await b.claimRequest('replica-b', 'short', 'req-1', 300)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect(await b.claimRequest('replica-b', 'short', 'req-1', 300)).toBe(true);
    });

    it('keeps the first anchor proposed for each (task, schedule), in one round trip for many', async () => {
      const every = JSON.stringify({ type: 'Every', seconds: 5, anchor: 'start' });
      const once = JSON.stringify({ type: 'Once' });
      const [first, second] = await Promise.all([
        a.anchors([
          { taskId: 'anchored-1', schedule: every, proposedAt: 1_000 },
          { taskId: 'anchored-2', schedule: once, proposedAt: 2_000 },
        ]),
        b.anchors([
          { taskId: 'anchored-1', schedule: every, proposedAt: 1_500 },
          { taskId: 'anchored-2', schedule: once, proposedAt: 2_500 },
        ]),
      ]);
      // Whichever replica came first, both are told the same kept anchors.
      expect(second).toEqual(first);
      expect([1_000, 1_500]).toContain(first[0]);
      expect([2_000, 2_500]).toContain(first[1]);
      // Later proposals never move them.
      expect(
        await b.anchors([
          { taskId: 'anchored-2', schedule: once, proposedAt: 9_000 },
          { taskId: 'anchored-1', schedule: every, proposedAt: 9_000 },
        ]),
      ).toEqual([first[1], first[0]]);
      expect(await a.anchors([])).toEqual([]);
    });

    it('gives a changed schedule of a task its own anchor; a repeated proposal keeps the first', async () => {
      const before = JSON.stringify({ type: 'Every', seconds: 5, anchor: 'start' });
      const after = JSON.stringify({ type: 'Every', seconds: 7, anchor: 'start' });
      const big = 1_767_225_600_123; // an epoch ms beyond 2^32 and Lua's 14 digits
      expect(
        await a.anchors([
          { taskId: 'changed', schedule: before, proposedAt: big },
          { taskId: 'changed', schedule: after, proposedAt: big + 7 },
          { taskId: 'changed', schedule: after, proposedAt: big + 9 },
        ]),
      ).toEqual([big, big + 7, big + 7]);
      expect(await b.anchors([{ taskId: 'other', schedule: before, proposedAt: 5 }])).toEqual([5]);
    });

    it('keeps one shared history per task, newest first', async () => {
      const record = (i: number): ClusterRunRecord => ({
        runId: `run-${i}`,
        taskId: 'history',
        taskName: 'history',
        origin: 'schedule',
        scheduledAt: new Date(1_000 * i),
        startedAt: new Date(1_000 * i + 1),
        finishedAt: new Date(1_000 * i + 2),
        status: i === 2 ? 'failed' : 'succeeded',
        attempt: 1,
        error: i === 2 ? { name: 'Error', message: 'boom', stack: null } : null,
        result: null,
        instanceId: i % 2 ? 'replica-a' : 'replica-b',
        fencingToken: i,
      });
      await a.appendHistory(record(1));
      await b.appendHistory(record(2));
      await a.appendHistory(record(3));
      const seen = await b.listHistory('history', 2);
      expect(seen.map((r) => [r.runId, r.instanceId, r.fencingToken, r.status])).toEqual([
        ['run-3', 'replica-a', 3, 'succeeded'],
        ['run-2', 'replica-b', 2, 'failed'],
      ]);
      expect(seen[1]).toEqual(record(2));
      expect(await a.listHistory('no-such-task', 5)).toEqual([]);
    });

    it('counts every record appended by any replica into run totals the read brings back, beyond the capped history', async () => {
      const statuses = [
        'succeeded',
        'failed',
        'timedOut',
        'skipped',
        'missed',
        'cancelled',
      ] as const;
      const record = (i: number): ClusterRunRecord => {
        const status = statuses[i % statuses.length];
        const started = status !== 'skipped' && status !== 'missed';
        return {
          runId: `total-${i}`,
          taskId: 'totals',
          taskName: 'totals',
          origin: 'schedule',
          scheduledAt: new Date(1_000 * i),
          startedAt: started ? new Date(1_000 * i + 1) : null,
          finishedAt: new Date(1_000 * i + 2),
          status,
          attempt: 1,
          error: null,
          result: `${i}`,
          instanceId: i % 2 ? 'replica-a' : 'replica-b',
          fencingToken: null,
        };
      };
      // 120 records, more than the history keeps (100), from two replicas at once.
      await Promise.all(
        Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).appendHistory(record(i))),
      );
      const last = { ...record(120), status: 'failed' as const };
      await b.appendHistory(last);
      const [read] = await a.readControl(['totals']);
      expect(read).toEqual({
        control: null,
        stats: {
          runCount: 81,
          counters: {
            succeeded: 20,
            failed: 21,
            timedOut: 20,
            skipped: 20,
            missed: 20,
            cancelled: 20,
          },
          lastRun: last,
        },
      });
      expect(await b.listHistory('totals', 200)).toHaveLength(100);
    });

    it('keeps a record appended again (a retry after a lost reply) once, and counts it once', async () => {
      const record = (runId: string, attempt: number): ClusterRunRecord => ({
        runId,
        taskId: 'retried',
        taskName: 'retried',
        origin: 'schedule',
        scheduledAt: new Date(1_000),
        startedAt: new Date(1_001),
        finishedAt: new Date(1_002),
        status: attempt === 1 ? 'failed' : 'succeeded',
        attempt,
        error: null,
        result: null,
        instanceId: 'replica-a',
        fencingToken: null,
      });
      await a.appendHistory(record('run-1', 1));
      await a.appendHistory(record('run-1', 1)); // the same replica's retry
      await b.appendHistory(record('run-1', 1)); // and through another connection
      await a.appendHistory(record('run-1', 2)); // the run's retry is a record of its own
      await Promise.all([b.appendHistory(record('run-2', 1)), a.appendHistory(record('run-2', 1))]);
      const kept = await b.listHistory('retried', 10);
      expect(kept.map((r) => [r.runId, r.attempt])).toEqual([
        ['run-2', 1],
        ['run-1', 2],
        ['run-1', 1],
      ]);
      const [read] = await a.readControl(['retried']);
      expect(read.stats).toMatchObject({
        runCount: 3,
        counters: { succeeded: 1, failed: 2, timedOut: 0, skipped: 0, missed: 0, cancelled: 0 },
      });
    });
  });
}
