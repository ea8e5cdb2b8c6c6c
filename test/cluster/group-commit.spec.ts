import { describe, it, expect } from '@jest/globals';
import { GroupCommit } from '../../lib/postgres/group-commit.js';

/** A writer whose batches finish when the test says so. */
function gatedWriter() {
  const batches: string[][] = [];
  const gates: { open: () => void; fail: (error: Error) => void }[] = [];
  const write = (batch: string[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(batch);
      gates.push({ open: resolve, fail: reject });
    });
  const settled = () => new Promise((resolve) => setImmediate(resolve));
  return { batches, gates, write, settled };
}

describe('GroupCommit', () => {
  it('writes the items that come during a batch together in the next one', async () => {
    const { batches, gates, write, settled } = gatedWriter();
    const commit = new GroupCommit(write, 100);
    const first = commit.add('a');
    const later = ['b', 'c', 'd'].map((item) => commit.add(item));
    await settled();
    expect(batches).toEqual([['a']]);
    gates[0]!.open();
    await first;
    await settled();
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    gates[1]!.open();
    await Promise.all(later);
  });

  it('writes at most maxBatch items at a time', async () => {
    const { batches, gates, write, settled } = gatedWriter();
    const commit = new GroupCommit(write, 2);
    const blocker = commit.add('a');
    const rest = ['b', 'c', 'd', 'e', 'f'].map((item) => commit.add(item));
    for (let i = 0; i < 4; i++) {
      await settled();
      gates[i]!.open();
    }
    await Promise.all([blocker, ...rest]);
    expect(batches).toEqual([['a'], ['b', 'c'], ['d', 'e'], ['f']]);
  });

  it("rejects a failed batch's items only, and writes the next batch", async () => {
    const { batches, gates, write, settled } = gatedWriter();
    const commit = new GroupCommit(write, 100);
    const lost = commit.add('a');
    const kept = commit.add('b');
    await settled();
    gates[0]!.fail(new Error('store away'));
    await expect(lost).rejects.toThrow('store away');
    await settled();
    gates[1]!.open();
    await expect(kept).resolves.toBeUndefined();
    expect(batches).toEqual([['a'], ['b']]);
  });

  it('flushed() waits until the items handed over are written', async () => {
    const { gates, write, settled } = gatedWriter();
    const commit = new GroupCommit(write, 100);
    await commit.flushed(); // nothing to wait for
    const written: string[] = [];
    for (const item of ['a', 'b']) void commit.add(item).then(() => written.push(item));
    let flushed = false;
    const flushing = commit.flushed().then(() => (flushed = true));
    await settled();
    gates[0]!.open();
    await settled();
    expect(flushed).toBe(false);
    gates[1]!.open();
    await flushing;
    expect(written).toEqual(['a', 'b']);
  });
});
