import { Counter, Gauge, type Registry } from 'prom-client';
import type { ClaimCounts } from '../runner/tick-claimer.js';
import type { TaskScheduler } from '../runner/task-scheduler.js';

const CLAIM_OUTCOMES: readonly (keyof ClaimCounts)[] = ['won', 'taken', 'early', 'failed'];

/** Cluster mode: what `status().cluster` says, read at scrape time. */
export function registerClusterMetrics(
  scheduler: TaskScheduler,
  registry: Registry,
  prefix: string,
): void {
  const registers = [registry];
  const cluster = () => scheduler.status().cluster;
  const claims: Counter<'outcome'> = new Counter({
    name: `${prefix}cluster_claims_total`,
    help: "Ticks this replica claimed, by the store's answer: won, taken (by another replica), early (store clock behind), failed (store unreachable).",
    labelNames: ['outcome'],
    registers,
    collect() {
      const counts = cluster()?.claims;
      claims.reset();
      for (const outcome of CLAIM_OUTCOMES) claims.inc({ outcome }, counts?.[outcome] ?? 0);
    },
  });
  const reachable: Gauge = new Gauge({
    name: `${prefix}cluster_store_reachable`,
    help: '1 while the cluster store answers claims, 0 from a failed claim until one succeeds.',
    registers,
    collect: () => reachable.set(cluster()?.reachable ? 1 : 0),
  });
  const lastContact: Gauge = new Gauge({
    name: `${prefix}cluster_last_contact_timestamp_seconds`,
    help: 'When the cluster store last answered a claim (Unix seconds); absent before the first.',
    registers,
    collect() {
      const at = cluster()?.lastContactAt;
      lastContact.reset();
      if (at) lastContact.set(at.getTime() / 1_000);
    },
  });
  const clockOffset: Gauge = new Gauge({
    name: `${prefix}cluster_clock_offset_seconds`,
    help: "The cluster store's clock minus this replica's (seconds), as claims measure it; absent before the first.",
    registers,
    collect() {
      const offsetMs = cluster()?.clockOffsetMs;
      clockOffset.reset();
      if (typeof offsetMs === 'number') clockOffset.set(offsetMs / 1_000);
    },
  });
  const leases: Gauge = new Gauge({
    name: `${prefix}cluster_leases_held`,
    help: 'Leases this replica holds (tasks without deterministic fire times run where their lease is).',
    registers,
    collect: () => leases.set(cluster()?.leasesHeld.length ?? 0),
  });
}
