/** An item waiting for the batch that writes it. */
interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes items in batches: items that come while a batch is being written wait and go together in
 * the next one (a group commit), so that one writer keeps up with many items a second.
 */
export class GroupCommit<T> {
  private readonly queue: Pending<T>[] = [];
  /** The writer while it runs. */
  private writer: Promise<void> | null = null;
  /** Items of the batch being written. */
  private writing = 0;

  /** `write` stores one batch (at most `maxBatch` items) and rejects if none of it was stored. */
  constructor(
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  /** Queues an item; settles when the batch holding it is written, or rejects with its failure. */
  add(item: T): Promise<void> {
    const written = new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
    });
    this.start();
    return written;
  }

  /** Items not yet written: queued, or in the batch being written. */
  get unwritten(): number {
    return this.queue.length + this.writing;
  }

  /**
   * Waits until no writer runs: for the items queued now, and for any that came while the last
   * writer was finishing (they start another).
   */
  async flushed(): Promise<void> {
    while (this.writer !== null) await this.writer;
  }

  private start(): void {
    this.writer ??= this.drain().finally(() => {
      this.writer = null;
      // An item may have come between the writer's last check and now.
      if (this.queue.length > 0) this.start();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.writing = batch.length;
      try {
        await this.write(batch.map(({ item }) => item));
        for (const { resolve } of batch) resolve();
      } catch (error) {
        for (const { reject } of batch) reject(error);
      } finally {
        this.writing = 0;
      }
    }
  }
}
