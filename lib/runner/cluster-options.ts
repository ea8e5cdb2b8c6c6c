import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Coordinator } from './coordinator.js';
import type { ClusterSettings } from './tick-claimer.js';

/** Cluster mode settings. */
export interface ClusterOptions {
  coordinator: Coordinator;
  /** This replica's id in claims and history; default `hostname:pid:random`. */
  instanceId?: string;
  /** How far ahead of the store's clock a tick may be claimed (ms), for clock skew. Default 1,000. */
  claimTolerance?: number;
  /**
   * How long the lease of a task without deterministic fire times (fixed-delay Every, Forever,
   * custom) lasts unless renewed (ms); renewed every third of it. Default 10,000.
   */
  leaseTtl?: number;
}

/** Cluster settings with their defaults, or null without a cluster. */
export function clusterSettings(options: ClusterOptions | undefined): ClusterSettings | null {
  if (options === undefined) return null;
  return {
    coordinator: options.coordinator,
    instanceId: options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    claimToleranceMs: options.claimTolerance ?? 1_000,
    leaseTtlMs: options.leaseTtl ?? 10_000,
  };
}
