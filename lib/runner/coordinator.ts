import type { TriggerDescription } from '../triggers/base.trigger.js';
import type { ClusterRunStats } from './cluster-run-stats.js';
import type { RunRecord } from './run-record.js';

/** One tick a replica wants to run: the pair (task, nominal fire time), and what it plans with. */
export interface TickClaim {
  taskId: string;
  /** The nominal fire time (epoch ms), the same on every replica. */
  scheduledAt: number;
  /**
   * The control version the replica planned with (0 before any change); refused as 'stale' when
   * the store's trigger changed after it. Absent: 0.
   */
  version?: number;
  /** The trigger's loop budget, counted in the store across the cluster; null or absent: none. */
  maxLoopCount?: number | null;
  /**
   * Overlap 'skip' cluster-wide: how long (ms) the run is marked in flight at claim unless its
   * history record clears it first or its replica renews it (readControl); a dead replica's mark
   * expires. Null or absent: not marked.
   */
  inFlightTtlMs?: number | null;
}

/** Why the store refused a tick. */
export type ClaimRefusal =
  /** Another replica (or this one) had it. */
  | 'taken'
  /** The store's clock is not there yet. */
  | 'early'
  /** The task is paused cluster-wide: the tick is used up, nobody runs or records it. */
  | 'paused'
  /** The replica planned with a trigger older than the store's: it must sync first. */
  | 'stale'
  /** The loop budget is spent cluster-wide: the task plans no more (until setTrigger). */
  | 'exhausted'
  /** Overlap 'skip': a run of the task is in flight on some replica; the tick is used up. */
  | 'overlap';

/** What the store answered for one tick. */
export type ClaimOutcome =
  | {
      won: true;
      /** Grows with each tick won of the task, cluster-wide: a store can refuse a stale writer. */
      fencingToken: number;
    }
  | {
      won: false;
      reason: ClaimRefusal;
    };

/** A run going on under overlap 'skip', by the fencing token of its tick. */
export interface InFlightRun {
  taskId: string;
  fencingToken: number;
}

/** A change of a task's shared control state. */
export type ControlChange =
  | { kind: 'pause' }
  | { kind: 'resume' }
  /** `trigger`: the new trigger's description; the loop budget counted in the store restarts. */
  | { kind: 'setTrigger'; trigger: TriggerDescription };

/** A task's control state as committed in the store, the same for every replica. */
export interface ControlState {
  /** Null until paused or resumed once: as declared in code (`disabled` tasks start paused). */
  paused: boolean | null;
  /** Grows with each change of the task (pause, resume, setTrigger). */
  version: number;
  /** The version of the last setTrigger (0: none); ticks planned before it are stale. */
  triggerVersion: number;
  /** The trigger in force as its description; null: the one declared in code. */
  trigger: TriggerDescription | null;
}

/**
 * What the sync reads of one task: its control state (null: never changed) and its run totals in
 * the store (null: nothing recorded yet).
 */
export interface SharedTaskState {
  control: ControlState | null;
  stats: ClusterRunStats | null;
}

/**
 * One replica's proposal of the instant a task's schedule counts from (a fixed rate's first fire,
 * `Once`'s moment); see `Coordinator.anchors`.
 */
export interface AnchorProposal {
  taskId: string;
  /** Names the schedule (the JSON of the trigger's description): a changed trigger gets a new anchor. */
  schedule: string;
  /** The anchor this replica would take (epoch ms, an integer). */
  proposedAt: number;
}

/** What the store answered for one task of `holdLeases`. */
export type LeaseOutcome =
  | {
      held: true;
      /** Grows each time the lease passes to another holder (a fencing token for leader tasks). */
      epoch: number;
    }
  | {
      held: false;
      /** The replica that holds it, if the store says. */
      holder: string | null;
    };

/** A record read back from JSON (dates are ISO strings there): its date fields made Dates again. */
export function reviveRunRecord(record: Record<string, unknown>): ClusterRunRecord {
  for (const field of ['scheduledAt', 'startedAt', 'finishedAt'] as const) {
    const value = record[field];
    if (typeof value === 'string') record[field] = new Date(value);
  }
  return record as unknown as ClusterRunRecord;
}

/** A history record as the cluster keeps it: which replica ran it, under which token. */
export interface ClusterRunRecord extends RunRecord {
  instanceId: string;
  fencingToken: number | null;
}

/**
 * Where replicas agree (the coordination port of cluster mode). Each tick is claimed at most once
 * cluster-wide: the first claim of (task, nominal time) wins, judged on the store's clock, and a
 * tick at or before a task's last won tick (its high-water mark) is refused, so a replica that
 * comes late or back from a pause cannot run a tick again. The same claim checks the task's
 * shared control state (paused, trigger version), its loop budget and, for overlap 'skip', a run
 * in flight anywhere. Implementations: InMemoryCoordinator
 * (one process), RedisCoordinator (`nestjs-aioclock/redis`), PostgresCoordinator
 * (`nestjs-aioclock/postgres`).
 */
export interface Coordinator {
  /** A short name for logs and status: 'memory', 'redis', 'postgres'. */
  readonly kind: string;
  /**
   * The store's clock minus this machine's (ms), measured on a round trip the coordinator makes
   * anyway (a claim, a lease renewal); null or absent when it cannot tell. Shown in
   * `registry.status().cluster.clockOffsetMs`.
   */
  readonly clockOffsetMs?: number | null;
  /** Opens connections and prepares the store (idempotent). */
  connect(): Promise<void>;
  /**
   * Claims ticks in one round trip, answering in the same order. `claimerId` is unique to the
   * claiming process (a claim of its own answered again after a lost reply is won again);
   * `toleranceMs`: how far ahead of the store's clock a nominal time may be and still be claimed.
   */
  claimTicks(
    claimerId: string,
    ticks: readonly TickClaim[],
    toleranceMs: number,
  ): Promise<ClaimOutcome[]>;
  /**
   * The nominal time (epoch ms) of each task's last tick won anywhere (its high-water mark), or
   * null for a task never claimed; in one round trip. A replica that starts reads them to catch up
   * ticks missed while every replica was down.
   */
  lastTicks(taskIds: readonly string[]): Promise<(number | null)[]>;
  /**
   * Takes or renews, in one round trip, the leases of tasks that run on one replica at a time
   * (those without deterministic fire times). Per task, judged on the store's clock: a lease that
   * is free or expired passes to `holderId` (unique to the process) with a new epoch; one that
   * `holderId` holds is extended by `ttlMs` with the same epoch; one that another holds is refused.
   */
  holdLeases(holderId: string, taskIds: readonly string[], ttlMs: number): Promise<LeaseOutcome[]>;
  /** Gives up leases `holderId` holds (at shutdown), so another replica takes over at once. */
  releaseLeases(holderId: string, taskIds: readonly string[]): Promise<void>;
  /**
   * Appends a run to the shared history and counts it in the task's run totals (see
   * ClusterRunStats). A record carrying the fencing token of the task's run marked in flight
   * (overlap 'skip') clears that mark. All in one round trip.
   */
  appendHistory(record: ClusterRunRecord): Promise<void>;
  /** The shared history of a task, newest first. */
  listHistory(taskId: string, limit: number): Promise<ClusterRunRecord[]>;
  /**
   * Commits a control change of a task in one round trip and answers the state committed (the
   * version grown by one). Later claims of the task are judged on it.
   */
  writeControl(taskId: string, change: ControlChange): Promise<ControlState>;
  /**
   * The control state and run totals of many tasks in one round trip (see SharedTaskState). In
   * the same round trip, `renew` extends by its ttl the in-flight marks of runs still going on this replica
   * (a mark whose token is no longer the task's is left alone), so a replica that dies stops
   * renewing and its marks expire within one ttl.
   */
  readControl(
    taskIds: readonly string[],
    renew?: { runs: readonly InFlightRun[]; ttlMs: number },
  ): Promise<SharedTaskState[]>;
  /**
   * Records a manual run request first-writer-wins, for `ttlMs` (judged on the store's clock):
   * true for the first claim of (task, request id), false while one is recorded.
   */
  claimRequest(
    instanceId: string,
    taskId: string,
    requestId: string,
    ttlMs: number,
  ): Promise<boolean>;
  /**
   * Closes what the coordinator opened; a client passed in by the user is left open. Bounded: a
   * store that does not answer (a partition) has its connections dropped after the coordinator's
   * close timeout, and close then rejects saying what was abandoned (the scheduler logs it).
   */
  close(): Promise<void>;

  // Anchors: the shared instants that fixed-rate `Every` and `Once` count their fire times from.

  /**
   * For each (task, schedule), keeps the first anchor proposed anywhere (set if absent) and
   * answers the kept one, in the order asked, in one round trip; later proposals never change it.
   */
  anchors(proposals: readonly AnchorProposal[]): Promise<number[]>;
}

/**
 * The store's clock minus this machine's (ms) as the coordinator last measured it; null while it
 * cannot tell (nothing measured yet, or a coordinator that does not measure).
 */
export function storeClockOffset(coordinator: Coordinator): number | null {
  const offset = coordinator.clockOffsetMs;
  return typeof offset === 'number' && Number.isFinite(offset) ? offset : null;
}
