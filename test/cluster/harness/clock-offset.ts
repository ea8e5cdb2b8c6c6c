// Imported first by replica.ts: shifts this process's `Date` by CLOCK_OFFSET_MS, to play a replica
// whose system clock is skewed. Timers and `performance` are left alone: the ledger stamps runs on
// the real clock through `performance.timeOrigin + performance.now()`.
const offset = Number(process.env.CLOCK_OFFSET_MS ?? 0);
const RealDate = Date;

class ShiftedDate extends RealDate {
  constructor(...args: unknown[]) {
    // `new Date()` reads the shifted now; any explicit time is taken as given.
    super(...((args.length === 0 ? [RealDate.now() + offset] : args) as [number]));
  }

  static override now(): number {
    return RealDate.now() + offset;
  }
}

if (offset !== 0) globalThis.Date = ShiftedDate as DateConstructor;
