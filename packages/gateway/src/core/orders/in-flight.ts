/**
 * Requests being served by this process, by order id, so a concurrent duplicate can wait for
 * the first one's answer instead of polling the store.
 */
export class InFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const promise = work().finally(() => this.running.delete(key));
    this.running.set(key, promise);
    return promise;
  }

  get(key: string): Promise<T> | undefined {
    return this.running.get(key);
  }

  /** The promise's value, or undefined if it takes longer than `ms` (or fails). */
  async within(promise: Promise<T>, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    try {
      return await Promise.race([promise.catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  size(): number {
    return this.running.size;
  }
}
