import {
  DuplicateRunRequestError,
  RunRequestNotRecordedError,
  RunSkippedError,
  SchedulerShutdownError,
} from '../errors.js';
import type { Coordinator } from './coordinator.js';
import type { FirePlanner } from './fire-planner.js';
import { InMemoryCoordinator } from './in-memory-coordinator.js';
import type { RunExecutor } from './run-executor.js';
import { describeError } from './run-record.js';
import type { ScheduledTask } from './scheduled-task.js';
import type { SchedulerState } from './scheduler-status.js';
import type { ClusterSettings } from './cluster-options.js';

/** Options of a manual run. */
export interface RunNowOptions {
  /** Apply the task's overlap policy instead of always running (default false). */
  respectOverlap?: boolean;
  /**
   * Runs the task once per request id: cluster-wide in a cluster (the store records it, first
   * writer wins), within the process otherwise; a repeat within REQUEST_ID_TTL_MS rejects with
   * DuplicateRunRequestError.
   */
  requestId?: string;
}

/** How long a manual run's request id is remembered (ms): a day, longer than any client's retries. */
export const REQUEST_ID_TTL_MS = 86_400_000;

/** What manual runs need from their scheduler. */
export interface ManualRunsDeps {
  /** Cluster mode, or null for one process. */
  cluster: ClusterSettings | null;
  /** Holds a manual run behind a running one (overlap 'queue'). */
  planner: FirePlanner;
  executor: RunExecutor;
  /** Where the scheduler is in its life: a stopping scheduler refuses manual runs. */
  state(): SchedulerState;
}

/**
 * Runs a task now, outside its schedule (`runNow`): the overlap policy when asked for, and the
 * request ids that make a retried request run once, recorded in the cluster's store or, in one
 * process, in memory.
 */
export class ManualRuns {
  /** Where manual runs' request ids are recorded: the cluster's store, else this process. */
  private readonly requests: Coordinator;
  private readonly instanceId: string;

  constructor(private readonly deps: ManualRunsDeps) {
    this.requests = deps.cluster?.coordinator ?? new InMemoryCoordinator();
    this.instanceId = deps.cluster?.instanceId ?? 'local';
  }

  /** Runs the task once (per request id, if given); settles as the run does. */
  run(task: ScheduledTask, options: RunNowOptions): Promise<unknown> {
    const { requestId } = options;
    // A run refused anyway is refused before its id is recorded, so a retry with it can run. (A
    // shutdown that begins while the id is being recorded still uses it up.)
    const refused = ['stopping', 'skip'].includes(this.admission(task, options));
    if (requestId === undefined || refused) return this.runOnce(task, options);
    const { requests } = this;
    return requests.claimRequest(this.instanceId, task.id, requestId, REQUEST_ID_TTL_MS).then(
      (first) => {
        if (!first) throw new DuplicateRunRequestError(task.name, requestId);
        return this.runOnce(task, options);
      },
      (cause: unknown) => {
        const reason = describeError(cause).message;
        throw new RunRequestNotRecordedError(task.name, requestId, requests.kind, reason, {
          cause,
        });
      },
    );
  }

  /**
   * What happens to a manual run now, before it starts: refused as the scheduler stops, or, with
   * `respectOverlap` while the task runs, as its overlap policy says ('skip' refuses, 'queue'
   * holds it); else it runs.
   */
  private admission(
    task: ScheduledTask,
    options: RunNowOptions,
  ): 'stopping' | 'skip' | 'queue' | 'run' {
    const state = this.deps.state();
    if (state === 'stopping' || state === 'stopped') return 'stopping';
    const { overlap } = task.policies;
    if (!options.respectOverlap || task.activeRuns === 0 || overlap === 'allow') return 'run';
    return overlap;
  }

  private runOnce(task: ScheduledTask, options: RunNowOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const admission = this.admission(task, options);
      if (admission === 'stopping') throw new SchedulerShutdownError(task.name);
      const waiter = { resolve, reject };
      if (admission === 'queue') {
        return this.deps.planner.hold(task, { origin: 'manual', scheduledAtMs: null, waiter });
      }
      if (admission === 'skip') {
        const why = 'it overlapped a running one';
        this.deps.executor.recordNotRun(task, 'skipped', null, why, 'manual');
        throw new RunSkippedError(task.name);
      }
      this.deps.executor.start(task, 'manual', null, waiter);
    });
  }
}
