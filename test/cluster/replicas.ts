import { expect } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  Cron,
  InMemoryCoordinator,
  Task,
  TaskRegistry,
  type ClusterOptions,
  type Coordinator,
  type TaskContext,
} from '../../lib/index.js';
import type { SchedulerLogger } from '../../lib/runner/scheduler-logger.js';
import { TaskScheduler } from '../../lib/runner/task-scheduler.js';
import { closeUnderFakeTimers, quietLogger, sleep } from '../fixtures/testing-module.js';
import { replica } from './replica-app.js';

/**
 * A replica as a bare scheduler (no Nest), with triggers of its own as a separate process would
 * have: zone UTC, quiet unless given a logger.
 */
export function bareReplica(
  coordinator: Coordinator,
  instanceId: string,
  {
    logger = quietLogger,
    ...cluster
  }: { logger?: SchedulerLogger } & Omit<ClusterOptions, 'coordinator' | 'instanceId'> = {},
): TaskScheduler {
  return new TaskScheduler({
    logger,
    triggerDefaults: { timeZone: 'UTC' },
    cluster: { ...cluster, coordinator, instanceId },
  });
}

/**
 * A replica's view of `store` whose clock is `skewMs` off this process's (positive: the store is
 * ahead). Like Redis and PostgreSQL it measures the offset on each claim; `measured`: it already
 * has (a replica that has been claiming for a while). Views of one store share its ticks.
 */
export function skewedView(
  store: InMemoryCoordinator,
  skewMs: number,
  measured = false,
): InMemoryCoordinator & { clockOffsetMs: number | null } {
  const view = Object.create(store) as InMemoryCoordinator & { clockOffsetMs: number | null };
  view.clockOffsetMs = measured ? skewMs : null;
  view.claimTicks = async (claimerId, ticks, toleranceMs) => {
    view.clockOffsetMs = skewMs;
    // Early is judged on the store's clock: nominal > the store's now + tolerance.
    return store.claimTicks(claimerId, ticks, toleranceMs + skewMs);
  };
  return view;
}

/**
 * Replica `index` of `count` on `store`: it claims second k's tick at once when k % count === index
 * and 100 ms late otherwise, so that each tick is won by another replica than the one before (else
 * the first replica would win them all, and its local checks would hide the store's).
 */
export function takingTurns(store: InMemoryCoordinator, index: number, count: number): Coordinator {
  const turns = Object.create(store) as InMemoryCoordinator;
  turns.claimTicks = async (instanceId, ticks, toleranceMs) => {
    const mine = ticks.every((tick) => Math.round(tick.scheduledAt / 1_000) % count === index);
    if (!mine) await sleep(100);
    return store.claimTicks(instanceId, ticks, toleranceMs);
  };
  return turns;
}

/** Closes replicas one after the other under fake timers, so that their runs can drain. */
export async function closeAll(apps: TestingModule[]): Promise<void> {
  for (const app of apps) await closeUnderFakeTimers(app);
}

/** One run, as a cluster test's ledger records it. */
export interface Run {
  replica: string;
  task: string;
  scheduledAt: number;
  startedAt: number;
}

/**
 * Runs `replicas` Nest apps in this process, each with its own coordinator (its own connection to
 * the store), with `tasks` tasks on `* * * * * *`, for `seconds` of real time; returns the ledger.
 */
export async function runReplicas(
  makeCoordinator: () => Coordinator,
  { replicas = 3, tasks = 5, seconds = 4 } = {},
): Promise<{ runs: Run[]; histories: unknown[][] }> {
  const runs: Run[] = [];
  @Injectable()
  class Secondly {
    replica = '';
  }
  for (let i = 0; i < tasks; i++) {
    const method = `tick${i}`;
    Object.defineProperty(Secondly.prototype, method, {
      value(this: Secondly, context: TaskContext) {
        runs.push({
          replica: this.replica,
          task: context.taskName,
          scheduledAt: context.scheduledAt!.getTime(),
          startedAt: Date.now(),
        });
      },
      writable: true,
      configurable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(Secondly.prototype, method)!;
    Task(new Cron('* * * * * *', { tz: 'UTC' }), { name: `tick-${i}` })(
      Secondly.prototype,
      method,
      descriptor,
    );
  }
  const apps: TestingModule[] = [];
  for (let r = 0; r < replicas; r++) {
    apps.push(await replica(`replica-${r}`, Secondly, { coordinator: makeCoordinator() }));
  }
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  // Read the histories mid-second, far from the ticks, so that no run ends between the reads.
  await new Promise((resolve) => setTimeout(resolve, 1_500 - (Date.now() % 1_000)));
  const histories = await Promise.all(
    apps.map((app) => app.get(TaskRegistry).getHistory('tick-0', { limit: 3 })),
  );
  for (const app of apps) await app.close();
  const window = runs.filter((run) => run.scheduledAt > started + 1_000);
  return { runs: window, histories };
}

/** Each (task, tick) at most once; and, for the ticks well inside the window, exactly once. */
export function expectEachTickOnce(runs: Run[], tasks: number): void {
  const keys = runs.map((run) => `${run.task}@${run.scheduledAt}`);
  expect(new Set(keys).size).toBe(keys.length);
  const ticks = [...new Set(runs.map((run) => run.scheduledAt))].sort((a, b) => a - b);
  // Ticks between the first and last seen: every task ran each of them once.
  for (const tick of ticks.slice(0, -1)) {
    expect(runs.filter((run) => run.scheduledAt === tick)).toHaveLength(tasks);
  }
  // No run started before its nominal time (this process is the store's clock here, give or take).
  for (const run of runs) expect(run.startedAt).toBeGreaterThanOrEqual(run.scheduledAt - 50);
}

/** A store call that StoreDown can make fail. */
type StoreCall = 'claimTicks' | 'holdLeases' | 'appendHistory' | 'anchors';

/**
 * An in-memory store whose `failing` call is refused while `down`; its other calls keep working,
 * so that a test sees what one kind of failure does.
 */
export class StoreDown extends InMemoryCoordinator {
  down: boolean;
  constructor(
    private readonly failing: StoreCall,
    { down = false } = {},
  ) {
    super();
    this.down = down;
  }
  override claimTicks(...args: Parameters<InMemoryCoordinator['claimTicks']>) {
    return this.refuses('claimTicks') ? refused() : super.claimTicks(...args);
  }
  override holdLeases(...args: Parameters<InMemoryCoordinator['holdLeases']>) {
    return this.refuses('holdLeases') ? refused() : super.holdLeases(...args);
  }
  override appendHistory(...args: Parameters<InMemoryCoordinator['appendHistory']>) {
    return this.refuses('appendHistory') ? refused() : super.appendHistory(...args);
  }
  override anchors(...args: Parameters<InMemoryCoordinator['anchors']>) {
    return this.refuses('anchors') ? refused() : super.anchors(...args);
  }
  private refuses(call: StoreCall): boolean {
    return this.down && this.failing === call;
  }
}

const refused = (): Promise<never> => Promise.reject(new Error('ECONNREFUSED'));
