/** Readings kept at most (the newest). */
const MAX_READINGS = 16;
/** How long a reading counts (ms, on the monotonic clock): a clock set or slewed is followed. */
const READING_LIFETIME_MS = 60_000;

interface Reading {
  offsetMs: number;
  roundTripMs: number;
  /** performance.now() when it was taken. */
  takenAt: number;
}

/**
 * The store's clock minus this machine's, from the round trips a coordinator makes anyway (each
 * claim reads the store's clock). The store read its clock somewhere in the round trip; taking the
 * latest instant, its reply, errs toward the store being behind by at most the round trip, so
 * that a wake-up planned with the offset never comes before the store's clock reaches its time.
 * The estimate is the recent reading with the smallest round trip: one slow reply does not move it,
 * and so does not shift the wake-ups planned with it.
 */
export class ClockOffsetMeter {
  private readings: Reading[] = [];
  private estimate: number | null = null;

  /** The estimate (ms), null before the first reading. */
  get offsetMs(): number | null {
    return this.estimate;
  }

  /**
   * Makes a round trip whose reply carries the store's clock, records it, and answers the reply.
   * `storeNowOf` finds the store's time (epoch ms) in the reply; a reply without one is not a reading.
   */
  async measure<T>(roundTrip: () => Promise<T>, storeNowOf: (reply: T) => unknown): Promise<T> {
    const sentAt = Date.now();
    const reply = await roundTrip();
    const storeNowMs = storeNowOf(reply);
    if (typeof storeNowMs === 'number' && Number.isFinite(storeNowMs)) {
      this.record(storeNowMs, sentAt, Date.now());
    }
    return reply;
  }

  /** One round trip: sent at `sentAt`, answered at `receivedAt` (this machine's epoch ms), the store's clock read `storeNowMs` in between. */
  record(storeNowMs: number, sentAt: number, receivedAt: number): void {
    const takenAt = performance.now();
    const kept = this.readings
      .filter((reading) => takenAt - reading.takenAt <= READING_LIFETIME_MS)
      .slice(-(MAX_READINGS - 1));
    kept.push({
      offsetMs: Math.round(storeNowMs - receivedAt),
      roundTripMs: receivedAt - sentAt,
      takenAt,
    });
    this.readings = kept;
    // The newest of equally quick readings: the clocks may have drifted since the older one.
    const best = kept.reduce((a, b) => (b.roundTripMs <= a.roundTripMs ? b : a));
    this.estimate = best.offsetMs;
  }
}
