import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Coordinator } from './coordinator.js';

/** Cluster mode settings. */
export interface ClusterOptions {
  coordinator: Coordinator;
  /**
   * This replica's name in history and status; default `hostname:pid`. Need not be unique: claims
   * and leases add a part of their own per process.
   */
  instanceId?: string;
  /** How far ahead of the store's clock a tick may be claimed (ms), for clock skew. Default 1,000. */
  claimTolerance?: number;
  /**
   * How long the lease of a task without deterministic fire times (fixed-delay Every, Forever,
   * custom) lasts unless renewed (ms); renewed every third of it. Default 10,000.
   */
  leaseTtl?: number;
  /**
   * How often (ms) this replica reads the shared pause / resume / setTrigger state of all its
   * tasks, in one round trip. Default 1,000.
   */
  syncInterval?: number;
  /**
   * Overlap 'skip' cluster-wide: a run is marked in flight in the store at claim, renewed by its
   * replica at each sync, and cleared by its history record; this is how long a mark lasts
   * without renewal (ms), i.e. how long a replica that died mid-run blocks the task's ticks.
   * Keep it a few sync intervals. Default 3,000.
   */
  inFlightTtl?: number;
}

/** Cluster mode: where ticks are claimed, and as whom. */
export interface ClusterSettings {
  coordinator: Coordinator;
  /** This replica's id, in history and status. */
  instanceId: string;
  /**
   * Who claims ticks and holds leases in the store: `instanceId` plus a part unique to this
   * process, so that two processes given one instanceId (a shared name, or a replica restarted
   * under its old one while the old still lives) never pass for each other: a claim answered
   * again after a lost reply, or a lease renewed, is only ever this process's own.
   */
  claimerId: string;
  /** How far ahead of the store's clock a tick may be claimed (ms): clock skew between replicas. */
  claimToleranceMs: number;
  /** How long a lease lasts unless renewed (ms). */
  leaseTtlMs: number;
  /** How often the shared control state is read (ms). */
  syncIntervalMs: number;
  /** How long a run's in-flight mark lasts without renewal (ms). */
  inFlightTtlMs: number;
}

/** Cluster settings with their defaults, or null without a cluster. */
export function clusterSettings(options: ClusterOptions | undefined): ClusterSettings | null {
  if (options === undefined) return null;
  const instanceId = options.instanceId ?? `${hostname()}:${process.pid}`;
  return {
    coordinator: options.coordinator,
    instanceId,
    claimerId: `${instanceId}:${randomUUID().slice(0, 8)}`,
    claimToleranceMs: options.claimTolerance ?? 1_000,
    leaseTtlMs: options.leaseTtl ?? 10_000,
    syncIntervalMs: options.syncInterval ?? 1_000,
    inFlightTtlMs: options.inFlightTtl ?? 3_000,
  };
}
