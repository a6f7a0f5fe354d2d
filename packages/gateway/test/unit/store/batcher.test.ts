/**
 * The statement batcher: calls in one turn of the event loop share a statement, calls made
 * while the statements in flight are at their bound wait and form the next one, and a failed
 * batch fails only the item that cannot be written.
 */
import { describe, expect, it, vi } from 'vitest';
import { Batcher } from '../../../src/store/batcher.ts';

/** A runBatch that records each batch and answers when `release` is called (or at once). */
function recorder(opts: { hold?: boolean; failOn?: number } = {}) {
  const batches: number[][] = [];
  const held: (() => void)[] = [];
  const run = (items: number[]) => {
    batches.push(items);
    const answer = () => {
      if (opts.failOn !== undefined && items.includes(opts.failOn))
        throw new Error(`cannot write ${opts.failOn}`);
      return items.map((n) => n * 10);
    };
    if (!opts.hold) return Promise.resolve().then(answer);
    return new Promise<number[]>((resolve, reject) =>
      held.push(() => {
        try {
          resolve(answer());
        } catch (err) {
          reject(err);
        }
      }),
    );
  };
  const releaseAll = () => {
    for (const release of held.splice(0)) release();
  };
  return { batches, run, releaseAll };
}

describe('Batcher', () => {
  it('sends the calls of one turn as one batch and answers each its own result', async () => {
    const r = recorder();
    const batcher = new Batcher(r.run, { maxInFlight: 4, maxBatch: 100 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(r.batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('splits a turn into batches of at most maxBatch', async () => {
    const r = recorder();
    const batcher = new Batcher(r.run, { maxInFlight: 4, maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(r.batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('while maxInFlight batches are out, later calls gather into the next batch', async () => {
    const r = recorder({ hold: true });
    const batcher = new Batcher(r.run, { maxInFlight: 1, maxBatch: 100 });
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.batches).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    // Still only the first batch: the bound holds the others back.
    expect(r.batches).toEqual([[1]]);
    r.releaseAll();
    expect(await first).toBe(10);
    await vi.waitFor(() => expect(r.batches).toEqual([[1], [2, 3, 4]]));
    r.releaseAll();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('a failed batch is retried item by item: only the bad item fails', async () => {
    const r = recorder({ failOn: 3 });
    const batcher = new Batcher(r.run, { maxInFlight: 4, maxBatch: 100 });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => batcher.submit(n)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      10,
      20,
      'cannot write 3',
      40,
    ]);
    expect(r.batches).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
  });
});
