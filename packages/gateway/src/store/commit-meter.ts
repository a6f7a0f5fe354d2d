/**
 * Where the store tells of its durable commits: how long each took and how much it carried.
 * The store owns the slot and fills it with nothing; the composition root plugs the metrics in
 * (app.ts), so the store imports nothing above it. Unplugged, a commit costs one check.
 */
export type CommitObserver = (seconds: number, size: number) => void;

export class CommitMeter {
  observer: CommitObserver | undefined;

  /** `started` is a performance.now() reading taken before the commit began. */
  committed(started: number, size: number): void {
    this.observer?.((performance.now() - started) / 1000, size);
  }
}
