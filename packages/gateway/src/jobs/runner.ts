/**
 * Runs the background jobs on a timer. Each pass is idempotent and every change goes through
 * the locked order writer, so several gateway processes on one PostgreSQL may all run them.
 * Tests call runDue() directly after moving their clock.
 */
import type { FastifyBaseLogger } from 'fastify';

export interface JobResults {
  expired: number;
  reconciled: number;
  refundsSettled: number;
}

export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly jobs: {
      expire(): Promise<number>;
      reconcile(): Promise<number>;
      settleRefunds(): Promise<number>;
    },
    private readonly log: FastifyBaseLogger,
  ) {}

  async runDue(): Promise<JobResults> {
    return {
      expired: await this.jobs.expire(),
      reconciled: await this.jobs.reconcile(),
      refundsSettled: await this.jobs.settleRefunds(),
    };
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (this.running) return; // a slow pass is never overlapped by the next
      this.running = this.runDue()
        .catch((err: unknown) => this.log.error({ err }, 'background job failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
