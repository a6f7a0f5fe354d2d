/**
 * The primary's watch over its workers: it forks them, starts one again when it dies (later
 * and later if it keeps dying, restart-backoff.ts), and on SIGTERM/SIGINT drains them all and
 * exits 0 once every serving worker finished cleanly. A second signal, or a drain longer than
 * OPENKKA_DRAIN_TIMEOUT, kills what is left and exits 1.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { watchHandoffs } from './handoffs.ts';
import { isListening, type ListeningMessage } from './messages.ts';
import { answerMetricsRequests } from './metrics.ts';
import { RestartBackoff } from './restart-backoff.ts';

interface Slot {
  worker: Worker | undefined;
  startedAt: number;
  /** Set once the worker listens: from then on it drains on SIGTERM. */
  listening: ListeningMessage | undefined;
  backoff: RestartBackoff;
  restart: NodeJS.Timeout | undefined;
}

export interface SupervisorOptions {
  workers: number;
  drainTimeoutMs: number;
  log: Logger;
}

export class Supervisor {
  private readonly slots: Slot[];
  private readonly log: Logger;
  /** Every worker has listened once: deaths from then on are restarts, not a failed start. */
  private started = false;
  private draining = false;
  /** A worker died before all listened: the start failed, and the others are being stopped. */
  private failed = false;
  /** A worker that was serving ended otherwise than with code 0 while draining. */
  private unclean = false;
  private waiter: { resolve(m: ListeningMessage): void; reject(err: Error): void } | undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.log = options.log;
    this.slots = Array.from({ length: options.workers }, () => ({
      worker: undefined,
      startedAt: 0,
      listening: undefined,
      backoff: new RestartBackoff(),
      restart: undefined,
    }));
  }

  /** Forks every worker; settles with where they listen once all do, or fails if one dies first. */
  start(): Promise<ListeningMessage> {
    cluster.on('exit', (worker, code, signal) => this.exited(worker, code, signal));
    process.on('SIGTERM', () => this.stop('SIGTERM'));
    process.on('SIGINT', () => this.stop('SIGINT'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      for (const slot of this.slots) this.fork(slot);
    });
  }

  private fork(slot: Slot): void {
    slot.restart = undefined;
    const worker = cluster.fork();
    slot.worker = worker;
    slot.startedAt = Date.now();
    slot.listening = undefined;
    const pid = worker.process.pid;
    watchHandoffs(worker, (connections) =>
      this.log.warn({ workerPid: pid, connections }, 'closed connections handed to a worker that died'),
    );
    worker.on('error', (err) => this.log.error({ err, workerPid: pid }, 'worker channel failed'));
    answerMetricsRequests(worker);
    worker.on('message', (message: unknown) => {
      if (!isListening(message) || this.failed) return;
      slot.listening = message;
      if (this.draining) {
        worker.process.kill('SIGTERM');
      } else if (this.started) {
        this.log.info({ workerPid: pid, worker: worker.id }, 'worker started again, listening');
      } else if (this.slots.every((s) => s.listening)) {
        this.started = true;
        this.waiter?.resolve(message);
      }
    });
  }

  private exited(worker: Worker, code: number | null, signal: string | null): void {
    const slot = this.slots.find((s) => s.worker === worker);
    if (!slot) return;
    const wasServing = slot.listening !== undefined;
    slot.worker = undefined;
    slot.listening = undefined;
    const pid = worker.process.pid;
    if (this.failed) return;
    if (this.draining) {
      if (wasServing && code !== 0) this.unclean = true;
      this.log.info({ workerPid: pid, code, signal }, 'worker stopped');
      this.finishIfDone();
      return;
    }
    if (!this.started) {
      void this.failStart(new Error(`a worker stopped before it listened (${exitOf(code, signal)})`));
      return;
    }
    const waitMs = slot.backoff.next(Date.now() - slot.startedAt);
    this.log.error({ workerPid: pid, code, signal, restartInMs: waitMs }, 'worker died; starting another');
    slot.restart = setTimeout(() => this.fork(slot), waitMs);
  }

  /** A failed start ends like the single process's: the others are stopped, then the error. */
  private async failStart(err: Error): Promise<void> {
    this.failed = true;
    const left = this.slots.flatMap((s) => (s.worker ? [s.worker] : []));
    await Promise.all(
      left.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.process.kill('SIGKILL');
          }),
      ),
    );
    this.waiter?.reject(err);
  }

  private stop(signal: NodeJS.Signals): void {
    if (this.failed) return;
    if (this.draining) {
      this.force(`${signal} again while draining`);
      return;
    }
    this.draining = true;
    this.log.info({ signal }, 'draining workers');
    for (const slot of this.slots) {
      clearTimeout(slot.restart);
      slot.restart = undefined;
      // One that does not listen yet serves nothing and has no handler for the signal yet.
      slot.worker?.process.kill(slot.listening ? 'SIGTERM' : 'SIGKILL');
    }
    setTimeout(
      () =>
        this.force(`the drain took longer than ${this.options.drainTimeoutMs} ms (OPENKKA_DRAIN_TIMEOUT)`),
      this.options.drainTimeoutMs,
    ).unref();
    this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.slots.some((s) => s.worker)) return;
    this.log.info({ clean: !this.unclean }, 'all workers stopped');
    process.exit(this.unclean ? 1 : 0);
  }

  private force(reason: string): void {
    this.log.error({ reason }, 'killing the workers left');
    for (const slot of this.slots) slot.worker?.process.kill('SIGKILL');
    process.exit(1);
  }
}

function exitOf(code: number | null, signal: string | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}
