import { describe, it, expect, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import {
  Every,
  Forever,
  InMemoryCoordinator,
  LeaseLostError,
  OnStartUp,
  Task,
  TaskRegistry,
  type TaskContext,
} from '../../lib/index.js';
import { closeUnderFakeTimers } from '../fixtures/testing-module.js';
import { replica } from './replica-app.js';
import { StoreDown } from './replicas.js';
import { T0, useFakeClock } from '../fixtures/fake-clock.js';

const TTL = 3_000;

useFakeClock();

interface Run {
  replica: string;
  at: number;
  token: number | null;
}

function leaderProvider(runs: Run[], aborted: unknown[], startups: string[]) {
  @Injectable()
  class Sync {
    replica = '';
    @Task(new Every({ seconds: 1 }), { name: 'sync' })
    async sync({ fencingToken, signal }: TaskContext) {
      runs.push({ replica: this.replica, at: Date.now() - T0, token: fencingToken });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          aborted.push(signal.reason);
          resolve();
        });
      });
    }
    @Task(new OnStartUp())
    warm() {
      startups.push(this.replica);
    }
  }
  return Sync;
}

describe('leases: tasks without deterministic fire times run on one replica at a time', () => {
  it('runs an Every on one replica only, with the lease epoch as fencing token; startup tasks on all', async () => {
    const runs: Run[] = [];
    const startups: string[] = [];
    const coordinator = new InMemoryCoordinator();
    const Sync = leaderProvider(runs, [], startups);
    const a = await replica('a', Sync, { coordinator, leaseTtl: TTL });
    const b = await replica('b', Sync, { coordinator, leaseTtl: TTL });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(new Set(runs.map((run) => run.replica))).toEqual(new Set(['a']));
    expect(runs.length).toBeGreaterThanOrEqual(8);
    expect(new Set(runs.map((run) => run.token))).toEqual(new Set([1]));
    expect(startups.sort()).toEqual(['a', 'b']);
    expect(a.get(TaskRegistry).status().cluster?.leasesHeld).toEqual(['sync']);
    expect(b.get(TaskRegistry).status().cluster?.leasesHeld).toEqual([]);
    await closeUnderFakeTimers(a);
    await closeUnderFakeTimers(b);
  });

  it('hands the lease over at once when its holder shuts down, with a new epoch', async () => {
    const runs: Run[] = [];
    const coordinator = new InMemoryCoordinator();
    const Sync = leaderProvider(runs, [], []);
    const a = await replica('a', Sync, { coordinator, leaseTtl: TTL });
    const b = await replica('b', Sync, { coordinator, leaseTtl: TTL });
    await jest.advanceTimersByTimeAsync(3_000);
    await closeUnderFakeTimers(a, 1_000);
    const handover = Date.now() - T0;
    await jest.advanceTimersByTimeAsync(5_000);
    const onB = runs.filter((run) => run.replica === 'b');
    expect(onB.length).toBeGreaterThanOrEqual(3);
    // b takes it at its next renewal (a third of the lease's life) and plans a first interval.
    expect(onB[0].at).toBeLessThanOrEqual(handover + TTL / 3 + 1_000 + 1);
    expect(onB[0].token).toBe(2);
    await closeUnderFakeTimers(b);
  });

  it('gives the lease up, aborting the run with LeaseLostError, when the store cannot renew it', async () => {
    const coordinator = new StoreDown('holdLeases');
    const runs: Run[] = [];
    const aborted: unknown[] = [];
    @Injectable()
    class Pump {
      replica = '';
      @Task(new Forever(), { name: 'pump' })
      async pump({ signal }: TaskContext) {
        runs.push({ replica: this.replica, at: Date.now() - T0, token: null });
        await new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted.push(signal.reason);
            resolve();
          });
        });
      }
    }
    const a = await replica('a', Pump, { coordinator, leaseTtl: TTL });
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toHaveLength(1);
    coordinator.down = true;
    await jest.advanceTimersByTimeAsync(TTL);
    expect(aborted).toHaveLength(1);
    expect(aborted[0]).toBeInstanceOf(LeaseLostError);
    expect(runs).toHaveLength(1); // nothing more runs without the lease
    expect(a.get(TaskRegistry).status().cluster?.leasesHeld).toEqual([]);
    coordinator.down = false;
    await jest.advanceTimersByTimeAsync(TTL);
    expect(runs).toHaveLength(2); // taken again once the store answers (its lease had expired)
    await closeUnderFakeTimers(a, 15_000); // the pump ignores shutdown until its drain times out
  });
});

describe("coordination: 'local'", () => {
  it('runs the task on every replica, as without a cluster (no claim, no lease)', async () => {
    const coordinator = new InMemoryCoordinator();
    const runs: string[] = [];
    @Injectable()
    class Cache {
      replica = '';
      @Task(new Every({ seconds: 1 }), { coordination: 'local' })
      refresh() {
        runs.push(this.replica);
      }
    }
    const a = await replica('a', Cache, { coordinator, leaseTtl: TTL });
    const b = await replica('b', Cache, { coordinator, leaseTtl: TTL });
    await jest.advanceTimersByTimeAsync(2_000);
    expect(runs.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(a.get(TaskRegistry).status().cluster?.leasesHeld).toEqual([]);
    await closeUnderFakeTimers(a);
    await closeUnderFakeTimers(b);
  });
});
