/**
 * Many callers' rows in one statement. On PostgreSQL each statement is a round trip, a
 * backend's executor start and a commit; at concurrency those, not the rows, are the cost.
 * Calls made in the same turn of the event loop go out together, and while `maxInFlight`
 * statements are on their way the next calls wait and form a larger batch.
 *
 * A batch that fails is retried one item at a time, so one bad row fails only its own caller
 * (each single statement is atomic on its own: a failed one wrote nothing).
 */
import type { CommitMeter } from './commit-meter.ts';

type Waiting<T, R> = { item: T; resolve: (result: R) => void; reject: (err: unknown) => void };

export interface BatcherOptions {
  /** Statements on their way at once; more calls queue into the next batch. */
  maxInFlight: number;
  /** The most items one statement carries. */
  maxBatch: number;
  /** Told of each batch that went through, for batches that are durable writes. */
  meter?: CommitMeter | undefined;
}

export class Batcher<T, R> {
  private readonly pending: Waiting<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;

  /** `runBatch` answers one result per item, in the items' order. */
  constructor(
    private readonly runBatch: (items: T[]) => Promise<R[]>,
    private readonly options: BatcherOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // After this turn's I/O callbacks, so every request parsed in it joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.pending.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.send(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async send(batch: Waiting<T, R>[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await this.runBatch(batch.map((w) => w.item));
      this.options.meter?.committed(started, batch.length);
      for (const [i, w] of batch.entries()) w.resolve(results[i] as R);
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      await Promise.all(batch.map((w) => this.send([w])));
    }
  }
}
