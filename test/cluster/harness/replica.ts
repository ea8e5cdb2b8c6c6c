// One replica of the scenario harness, run as its own process: harness.ts compiles it and starts
// it with plain node; by hand, `node --import @swc-node/register/esm-register <this file>`.
// It boots a Nest application context with TASKS tasks on `* * * * * *` (UTC) in cluster mode on
// the store named by the environment, and appends one JSON line per run to LEDGER with a synchronous
// append, so that a SIGKILL loses no line written. SIGTERM closes the app (runs drained) and exits.
// With FOREVER=1 it also has a `Forever` task `leader` (one replica at a time, under a lease) that
// writes a fenced heartbeat to a resource of its own in the store (fenced-resource.ts) and says in
// the ledger when it leads, each write's answer, and why its run ended.
// With an IPC channel (the harness's `control` option) it takes commands from the harness
// (ReplicaCommand: pause, resume, setTrigger, runTask, describe a task) and answers each one.
// First: shifts Date by CLOCK_OFFSET_MS before any other module reads the clock.
import './clock-offset.js';
import 'reflect-metadata';
import { appendFileSync } from 'node:fs';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  AioClockModule,
  Cron,
  Forever,
  Task,
  TaskRegistry,
  type Coordinator,
  type TaskContext,
  type TriggerDescription,
} from '../../../lib/index.js';
import { PostgresCoordinator } from '../../../lib/postgres/index.js';
import { RedisCoordinator } from '../../../lib/redis/index.js';
import { fencedResource } from './fenced-resource.js';

/** One line of the ledger. Times are epoch ms; `at` and `startedAt` are read on the real clock. */
export type LedgerLine =
  | { type: 'loaded' | 'ready' | 'stopped'; replica: string; at: number }
  | {
      type: 'run';
      replica: string;
      task: string;
      /** The nominal fire time (the tick), as the scheduler planned it. */
      scheduledAt: number;
      /** When the task method was entered, by the real clock (not the replica's skewed Date). */
      startedAt: number;
      fencingToken: number | null;
    }
  /** A manual run (`runTask`) of a cron task: it has no nominal time. */
  | { type: 'manual'; replica: string; task: string; at: number }
  /** The `leader` task: a run began under lease epoch `epoch`. */
  | { type: 'lead'; replica: string; epoch: number; at: number }
  /**
   * A heartbeat of `leader` written to the fenced resource, accepted or refused as stale: sent at
   * `sentAt`, answered at `at`.
   */
  | {
      type: 'fenced';
      replica: string;
      epoch: number;
      accepted: boolean;
      sentAt: number;
      at: number;
    }
  /** A run of `leader` ended: its signal's reason (LeaseLostError when the lease was lost). */
  | { type: 'abort'; replica: string; epoch: number; reason: string; at: number };

/** A command of the harness, sent over the IPC channel; `task` is a task's name. */
export type ReplicaCommand = { id: number; task: string } & (
  | { op: 'pause' | 'resume' | 'describe' }
  /** Sets a cron trigger (UTC) with this expression. */
  | { op: 'setTrigger'; cron: string }
  | { op: 'runTask'; requestId: string }
);

/**
 * The answer to a command, once its promise settled (`at`, real clock): the task as this replica
 * sees it then, or the error's name and message.
 */
export type ReplicaReply = { id: number; at: number } & (
  | { ok: true; paused: boolean; trigger: TriggerDescription }
  | { ok: false; error: string; message: string }
);

/** Carries out a command on this replica's registry. */
async function obey(registry: TaskRegistry, command: ReplicaCommand): Promise<ReplicaReply> {
  const { id, task } = command;
  try {
    if (command.op === 'pause') await registry.pause(task);
    if (command.op === 'resume') await registry.resume(task);
    if (command.op === 'setTrigger') {
      await registry.setTrigger(task, new Cron(command.cron, { tz: 'UTC' }));
    }
    if (command.op === 'runTask') await registry.runTask(task, { requestId: command.requestId });
    const { paused, trigger } = registry.getTask(task);
    return { id, at: realNow(), ok: true, paused, trigger };
  } catch (error) {
    const { name, message } = error as Error;
    return { id, at: realNow(), ok: false, error: name, message };
  }
}

/** What a replica reads from its environment (harness.ts sets it). */
export interface ReplicaEnv {
  REPLICA: string;
  STORE: 'redis' | 'postgres';
  /** Redis URL or PostgreSQL connection string. */
  STORE_URL: string;
  /** Redis key prefix or PostgreSQL schema. */
  STORE_NAMESPACE: string;
  TASKS: string;
  LEDGER: string;
  /** Optional: shifts this replica's Date (see clock-offset.ts). */
  CLOCK_OFFSET_MS?: string;
  /**
   * Optional: '1' to load, say 'loaded', and start the application (its scheduler) only at
   * SIGUSR2, so that a scenario can time a start to the tick whatever loading costs on a busy box.
   */
  HOLD?: string;
  /** Optional: the tasks' cron expression (UTC); default every second. */
  CRON?: string;
  /** Optional: '1' adds the `Forever` task `leader`. */
  FOREVER?: string;
  /** Optional: cluster.leaseTtl (ms). */
  LEASE_TTL?: string;
}

/** The real clock, whatever a preload did to `Date`. */
export const realNow = (): number => performance.timeOrigin + performance.now();

const env = process.env as unknown as ReplicaEnv;
const replica = env.REPLICA;
const record = (line: LedgerLine) => appendFileSync(env.LEDGER, JSON.stringify(line) + '\n');

function coordinator(): Coordinator {
  if (env.STORE === 'redis') {
    return new RedisCoordinator({ url: env.STORE_URL, prefix: env.STORE_NAMESPACE });
  }
  if (env.STORE === 'postgres') {
    return new PostgresCoordinator({
      connectionString: env.STORE_URL,
      schema: env.STORE_NAMESPACE,
    });
  }
  throw new Error(`STORE must be 'redis' or 'postgres', not ${String(env.STORE)}`);
}

@Injectable()
class Secondly {}

// N methods named tick0..tickN-1, each a task `tick-i` that writes its ledger line first thing.
for (let i = 0; i < Number(env.TASKS); i++) {
  const method = `tick${i}`;
  const value = (context: TaskContext) =>
    record(
      context.scheduledAt === null
        ? { type: 'manual', replica, task: context.taskName, at: realNow() }
        : {
            type: 'run',
            replica,
            task: context.taskName,
            scheduledAt: context.scheduledAt.getTime(),
            startedAt: realNow(),
            fencingToken: context.fencingToken,
          },
    );
  Object.defineProperty(Secondly.prototype, method, { value, writable: true, configurable: true });
  const descriptor = Object.getOwnPropertyDescriptor(Secondly.prototype, method)!;
  Task(new Cron(env.CRON ?? '* * * * * *', { tz: 'UTC' }), { name: `tick-${i}` })(
    Secondly.prototype,
    method,
    descriptor,
  );
}

const HEARTBEAT_MS = 100;

@Injectable()
class Leader {
  private readonly fence = env.FOREVER === '1' ? fencedResource(env) : null;

  /** Leads until its signal fires: a fenced write every HEARTBEAT_MS, each answer in the ledger. */
  async lead({ signal, fencingToken }: TaskContext): Promise<void> {
    const epoch = fencingToken!;
    record({ type: 'lead', replica, epoch, at: realNow() });
    const aborted = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => {
        const reason = (signal.reason as { name?: string } | undefined)?.name;
        record({ type: 'abort', replica, epoch, reason: reason ?? 'unknown', at: realNow() });
        resolve();
      }),
    );
    while (!signal.aborted) {
      // A write the store does not answer (it is down) is left out of the ledger.
      const sentAt = realNow();
      const accepted = await this.fence!.write(epoch).catch(() => null);
      if (accepted !== null) {
        record({ type: 'fenced', replica, epoch, accepted, sentAt, at: realNow() });
      }
      await Promise.race([aborted, new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS))]);
    }
    throw signal.reason;
  }

  close(): Promise<void> {
    return this.fence?.close() ?? Promise.resolve();
  }
}
if (env.FOREVER === '1') {
  const descriptor = Object.getOwnPropertyDescriptor(Leader.prototype, 'lead')!;
  Task(new Forever(), { name: 'leader' })(Leader.prototype, 'lead', descriptor);
}

@Module({
  imports: [
    AioClockModule.forRoot({
      timeZone: 'UTC',
      // The leader task runs until aborted: at SIGTERM, abort it after 1 s, not the default 10 s.
      ...(env.FOREVER === '1' ? { shutdownTimeout: 1_000 } : {}),
      cluster: {
        coordinator: coordinator(),
        instanceId: replica,
        ...(env.LEASE_TTL ? { leaseTtl: Number(env.LEASE_TTL) } : {}),
      },
    }),
  ],
  providers: [Secondly, Leader],
})
class ReplicaModule {}

if (env.HOLD === '1') {
  // A signal listener alone keeps no process alive: Node would end it on the pending await.
  const alive = setInterval(() => undefined, 60_000);
  const released = new Promise((resolve) => process.once('SIGUSR2', resolve));
  record({ type: 'loaded', replica, at: realNow() });
  await released;
  clearInterval(alive);
}
const app = await NestFactory.createApplicationContext(ReplicaModule, {
  logger: ['error', 'warn', 'log'],
});
// Not enableShutdownHooks: it re-raises the signal after closing, and the exit code would hide
// whether the close went well.
process.once('SIGTERM', () => {
  app.close().then(
    async () => {
      await app.get(Leader).close();
      record({ type: 'stopped', replica, at: realNow() });
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.on('message', (command: ReplicaCommand) => {
  void obey(app.get(TaskRegistry), command).then((reply) => process.send!(reply));
});
record({ type: 'ready', replica, at: realNow() });
