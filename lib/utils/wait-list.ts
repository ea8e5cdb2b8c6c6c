/** Promises that wait for one condition, all released together when it holds. */
export class WaitList {
  private resolvers: (() => void)[] = [];

  get size(): number {
    return this.resolvers.length;
  }

  /** A promise that settles on the next `release()`. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.resolvers.push(resolve));
  }

  /** Settles every promise handed out so far. */
  release(): void {
    const resolvers = this.resolvers;
    this.resolvers = [];
    for (const resolve of resolvers) resolve();
  }
}
