/**
 * Requests signed before the timed window (the wire's string-to-sign, merchant private key), so
 * the load generator spends the window sending, not signing. Signing runs on libuv's thread
 * pool (the SDK's async form), which uses every core while nothing is being measured. On v3
 * every signing (a new entry, or an old one signed again) takes a new nonce, and a pool whose
 * entries are each sent once never sends a nonce twice.
 */
import { every } from './interval.ts';
import { type RequestSigner, type SignedRequest, signRequest } from './wire.ts';

export type { SignedRequest } from './wire.ts';

/** Builds the n-th body for a timestamp. */
export type BodyFactory = (n: number, timestamp: number) => string;

/** Signs outstanding at once: enough to keep the thread pool busy, few enough to stay responsive. */
const PARALLEL = 32;
/**
 * Progress while signing goes out by the clock, not by the count, so the bench hears from a
 * working generator at this pace however slow signing is (its watchdog relies on it).
 */
const PROGRESS_EVERY_MS = 250;

export class SignedPool {
  private readonly entries: SignedRequest[] = [];
  private taken = 0;

  constructor(
    private readonly signer: RequestSigner,
    /** Where every request of the pool goes (the mix's opening operation). */
    private readonly path: string,
    private readonly bodyFor: BodyFactory,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** How many entries `take` has handed out so far. */
  get used(): number {
    return this.taken;
  }

  /** Signs entry `n` afresh (a new timestamp, the same trans_id). */
  private async sign(n: number): Promise<SignedRequest> {
    const timestamp = this.now();
    return signRequest(this.signer, this.path, this.bodyFor(n, timestamp), timestamp);
  }

  /**
   * Makes the pool hold at least `count` entries, every unused one signed no earlier than
   * `now - maxAgeMs` (older ones are signed again), reporting progress every 250 ms and at the
   * end. Rejects as soon as one signing fails.
   */
  async fill(
    count: number,
    maxAgeMs: number,
    progress: (done: number, total: number) => void,
  ): Promise<void> {
    const oldest = this.now() - maxAgeMs;
    const todo: number[] = [];
    for (let n = this.taken; n < this.entries.length; n++) {
      if (this.entries[n]!.signedAt < oldest) todo.push(n);
    }
    for (let n = this.entries.length; n < count; n++) todo.push(n);
    if (todo.length === 0) return;
    let next = 0;
    let done = 0;
    let failed = false;
    const worker = async () => {
      while (next < todo.length && !failed) {
        const n = todo[next++]!;
        try {
          this.entries[n] = await this.sign(n);
        } catch (err) {
          failed = true;
          throw err;
        }
        done++;
      }
    };
    const stopTicking = every(PROGRESS_EVERY_MS, () => progress(done, todo.length));
    try {
      await Promise.all(Array.from({ length: PARALLEL }, worker));
    } finally {
      stopTicking();
    }
    progress(done, todo.length);
  }

  /** The next unused entry, or undefined once all are used. */
  take(): SignedRequest | undefined {
    return this.entries[this.taken] === undefined ? undefined : this.entries[this.taken++];
  }

  /** Entry `k` modulo the size: for a target that keeps nothing, repeats cost the same as new ones. */
  cycle(k: number): SignedRequest {
    return this.entries[k % this.entries.length]!;
  }

  /** One entry past the end, signed now: the pool ran dry inside a run. */
  async extend(): Promise<SignedRequest> {
    const n = this.entries.length;
    // Reserve the slot first so concurrent callers get distinct trans_ids.
    this.entries.push(undefined as unknown as SignedRequest);
    const entry = await this.sign(n);
    this.entries[n] = entry;
    this.taken = Math.max(this.taken, n + 1);
    return entry;
  }
}
