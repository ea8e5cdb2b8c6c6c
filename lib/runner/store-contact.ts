/**
 * What this replica knows of the cluster store's reachability: every round trip (claims, leases)
 * reports here, so that status and health checks read one answer, with no polling of their own.
 */
export class StoreContact {
  /** When the store last answered (epoch ms), or null. */
  lastContactAt: number | null = null;
  /** When the current run of failures began (epoch ms); null while the store answers. */
  unreachableSince: number | null = null;

  /** The store answered a round trip. */
  answered(now = Date.now()): void {
    this.lastContactAt = now;
    this.unreachableSince = null;
  }

  /** A round trip failed. */
  failed(now = Date.now()): void {
    this.unreachableSince ??= now;
  }

  get reachable(): boolean {
    return this.unreachableSince === null;
  }
}
