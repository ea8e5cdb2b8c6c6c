import { MAX_TIMER_DELAY_MS } from '../utils/abortable-sleep.js';

/** The length of the short wait that ends every long one (ms); see `arm`. */
const FINAL_WAIT_MS = 20;
/**
 * Waits shorter than this (ms) are one timer: they overrun by under 0.25 ms, which is not worth a
 * second wake-up (a thousand 100 ms tasks would pay it ten thousand times a second).
 */
const TWO_STEP_FROM_MS = 250;

/**
 * A change of the system clock against the monotonic one beyond this (ms) counts as the clock
 * being set; smaller ones are NTP slewing.
 */
const CLOCK_SET_MS = 1_000;

/** What the queue calls back. */
export interface TimerQueueHandlers<T> {
  /** Called for each item whose due time came. */
  onDue(item: T): void;
  /** Called once after each wake-up's due items were all handed out. */
  onBatchEnd?(): void;
  /**
   * Called on a wake-up, before items are handed out, when the system clock was set back by `ms`
   * since the last one (due times are wall-clock times; the handler may move them).
   */
  onClockSetBack?(ms: number): void;
}

/** What the queue orders: the item itself carries its due time and heap position (no wrapper). */
export interface TimerItem {
  /** Epoch ms at which the item is due; set by `schedule`. */
  dueAt: number;
  /** Position in the heap; -1 when not queued. */
  heapIndex: number;
  /** Insertion order, to break ties between items due at the same ms. */
  heapSeq: number;
}

/**
 * All scheduled wake-ups share one OS timer armed for the earliest due time (a binary min-heap
 * ordered by due time, then insertion order). On wake-up every due item is handed to `onDue` in one
 * pass. One timer and no per-entry objects keep memory flat and idle CPU near zero with 100,000
 * tasks, and lateness low when a thousand tasks are due at once.
 *
 * Uses the global setTimeout and Date.now at call time, so jest's fake timers drive it.
 */
export class TimerQueue<T extends TimerItem> {
  private readonly heap: T[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private armedFor = Infinity;
  private seq = 0;
  private dispatching = false;
  /** When the wait being armed ends, in performance.now() time (see `arm`). */
  private finalWaitEnd = 0;
  /**
   * The wall clock minus the monotonic one when the timer was last armed, to see the clock being
   * set while it waited (read at arming, not construction: a test may install fake clocks between).
   */
  private clockSkew = NaN;

  constructor(private readonly handlers: TimerQueueHandlers<T>) {}

  /** Number of queued items. */
  get size(): number {
    return this.heap.length;
  }

  /** Queues `item` to be handed to `onDue` at or after `dueAt` (epoch ms). */
  schedule(item: T, dueAt: number): void {
    if (item.heapIndex >= 0) this.removeAt(item.heapIndex);
    item.dueAt = dueAt;
    item.heapSeq = this.seq++;
    item.heapIndex = this.heap.length;
    this.heap.push(item);
    this.siftUp(item.heapIndex);
    if (!this.dispatching && dueAt < this.armedFor) this.arm();
  }

  /** The queued items, in no particular order (a copy). */
  items(): T[] {
    return [...this.heap];
  }

  /** Removes a queued item; harmless if it is not queued. */
  cancel(item: T): void {
    if (item.heapIndex < 0) return;
    this.removeAt(item.heapIndex);
    if (this.heap.length === 0) this.disarm();
  }

  /** Drops every item and the OS timer, so nothing keeps the process alive. */
  clear(): void {
    for (const item of this.heap) item.heapIndex = -1;
    this.heap.length = 0;
    this.disarm();
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.armedFor = Infinity;
    this.dispatching = true;
    const heap = this.heap;
    try {
      this.checkClock();
      const now = Date.now();
      // Items queued during dispatch for `now` or earlier wait for the next turn of the event
      // loop, so a task that reschedules itself at once (Forever) cannot starve the others.
      const limit = this.seq;
      while (heap.length > 0 && heap[0].dueAt <= now && heap[0].heapSeq < limit) {
        const item = heap[0];
        this.removeAt(0);
        try {
          this.handlers.onDue(item);
        } catch {
          // onDue handles its own errors; one failing must not stop the others.
        }
      }
    } finally {
      this.dispatching = false;
      try {
        this.handlers.onBatchEnd?.();
      } catch {
        // As onDue: the timer must be re-armed whatever the handler did.
      }
      // onBatchEnd may have queued items (and armed the timer) already.
      if (heap.length > 0 && this.timer === null) this.arm();
    }
  };

  /** Tells the handler when the system clock was set back since the last wake-up. */
  private checkClock(): void {
    const skew = Date.now() - performance.now();
    const setBack = this.clockSkew - skew;
    if (setBack > CLOCK_SET_MS) this.handlers.onClockSetBack?.(setBack);
  }

  private arm(): void {
    this.disarm();
    this.clockSkew = Date.now() - performance.now();
    const dueAt = this.heap[0].dueAt;
    const delay = Math.max(0, dueAt - Date.now());
    this.armedFor = dueAt;
    if (delay < TWO_STEP_FROM_MS) {
      this.timer = setTimeout(this.onTimer, delay);
      return;
    }
    // Linux lets a sleep overrun by 0.1% of its length (timer slack: 1 ms on a 1 s wait), so a
    // long wait stops FINAL_WAIT_MS short and ends with a short wait, measured on the monotonic
    // clock so that the wake-up comes when a single timer would have fired.
    this.finalWaitEnd = performance.now() + delay;
    // Longer waits are re-armed on wake-up: Node turns delays above 2^31-1 ms into 1 ms.
    this.timer = setTimeout(this.onApproach, Math.min(delay - FINAL_WAIT_MS, MAX_TIMER_DELAY_MS));
  }

  /** The long part of a wait is over: wait the rest, or re-arm if the wait was longer than a timer. */
  private readonly onApproach = (): void => {
    const left = this.finalWaitEnd - performance.now();
    if (left > 2 * FINAL_WAIT_MS) {
      this.arm();
      return;
    }
    if (left <= 0) {
      this.onTimer(); // the event loop was held up: no further wait
      return;
    }
    // As a fresh timer would wait (to the ms, by Date.now), but never past the end of the original
    // wait, which is where a single timer would have fired had the clock been set forward.
    const byWallClock = this.armedFor - Date.now();
    const wait = Math.ceil(left);
    this.timer = setTimeout(this.onTimer, byWallClock > 0 ? Math.min(byWallClock, wait) : wait);
  };

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }

  private removeAt(index: number): void {
    const heap = this.heap;
    heap[index].heapIndex = -1;
    const last = heap.pop()!;
    if (index === heap.length) return;
    heap[index] = last;
    last.heapIndex = index;
    this.siftDown(index);
    this.siftUp(last.heapIndex);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const item = heap[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (!before(item, parent)) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = item;
    item.heapIndex = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const length = heap.length;
    const item = heap[index];
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && before(heap[right], heap[left]) ? right : left;
      if (!before(heap[child], item)) break;
      heap[index] = heap[child];
      heap[index].heapIndex = index;
      index = child;
    }
    heap[index] = item;
    item.heapIndex = index;
  }
}

function before(a: TimerItem, b: TimerItem): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.heapSeq < b.heapSeq);
}
