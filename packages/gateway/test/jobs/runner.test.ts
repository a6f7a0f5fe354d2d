/**
 * The job runner on a real timer: passes run on their own (no runDue), a job that throws is
 * logged and the next pass runs anyway, passes never overlap, and stop() — which closing the
 * app calls — waits for a pass in flight, so what it was doing is recorded before the store
 * is closed.
 */
import { PassThrough } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { eventTypes, orderRow, ProbeAcquirer, Shop } from '../helpers/jobs.ts';

const NO_ANSWER = '4000000000000408';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Log lines as parsed objects. */
function capturedLog() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

type Jobs = ConstructorParameters<typeof JobRunner>[0];

/** A runner over scripted jobs; every job not given does nothing. */
function runnerOf(jobs: Partial<Jobs>, log: FastifyBaseLogger): JobRunner {
  const idle = async () => 0;
  const all = new Proxy(jobs, {
    get: (target, name) => target[name as keyof Jobs] ?? idle,
  }) as Jobs;
  return new JobRunner(all, log);
}

describe('passes on a timer', () => {
  let gw: TestGateway;
  const log = capturedLog();
  beforeAll(async () => {
    gw = await startGateway({ env: { OPENKKA_AUTH_VALIDITY_FINAL: '300ms' }, logStream: log.stream });
  });
  afterAll(() => gw?.close());

  it('an authorization lapses on its own once the runner is started', async () => {
    const shop = new Shop(gw, await gw.createMerchant(), { now: () => Date.now() });
    const order = await shop.client.payments.create(cardPayment({ amount: 900, capture_method: 'MANUAL' }));
    expect(order.status).toBe('AUTHORIZED');
    gw.jobs.start(50);

    const lapsed = await eventually('the expiry pass', async () => {
      const now = await shop.query(order.order_id);
      return now.status === 'CANCELED' ? now : undefined;
    });
    expect(lapsed.balances).toMatchObject({ voided_amount: 900, able_to_capture_amount: 0 });
    expect(await eventTypes(gw, order.order_id)).toEqual(['AUTHORIZATION', 'EXPIRY']);
    expect(log.lines.filter((l) => l.msg === 'background job failed')).toEqual([]);
  });
});

describe('a job that throws', () => {
  it('is logged with its error, and later passes still run', async () => {
    const log = capturedLog();
    let passes = 0;
    const runner = runnerOf(
      {
        expire: async () => {
          passes++;
          if (passes <= 2) throw new Error(`store went away (pass ${passes})`);
          return 0;
        },
      },
      pino({ level: 'info' }, log.stream) as unknown as FastifyBaseLogger,
    );
    runner.start(20);
    try {
      await eventually('passes after the failures', async () => (passes >= 5 ? true : undefined));
    } finally {
      await runner.stop();
    }
    const failures = log.lines.filter((l) => l.msg === 'background job failed');
    expect(failures).toHaveLength(2);
    expect(failures.map((l) => (l.err as { message: string }).message)).toEqual([
      'store went away (pass 1)',
      'store went away (pass 2)',
    ]);
    expect(failures[0]!.level).toBe(50); // error
  });

  it('a failure inside the reconciler (a card that cannot be decrypted) does not stop expiry', async () => {
    const log = capturedLog();
    const gw = await startGateway({
      env: {
        OPENKKA_ACQUIRER_TIMEOUT: '100ms',
        OPENKKA_RECONCILE_BACKOFF: '300ms',
        OPENKKA_AUTH_VALIDITY_FINAL: '1s',
      },
      logStream: log.stream,
    });
    try {
      const shop = new Shop(gw, await gw.createMerchant(), { now: () => Date.now() });
      const broken = await shop.client.payments.create(cardPayment({}, { card_no: NO_ANSWER }));
      expect(broken.status).toBe('PROCESSING');
      // Before the reconciler's first question: a record under a data key this gateway lacks.
      await gw.runtime.store.writer
        .updateTable('orders')
        .set({ card_ciphertext: 'dk_gone.AAAA' })
        .where('order_id', '=', broken.order_id)
        .execute();
      const order = await shop.client.payments.create(cardPayment({ capture_method: 'MANUAL' }));
      gw.jobs.start(50);

      await eventually('a logged failure', async () =>
        log.lines.some((l) => l.msg === 'background job failed') ? true : undefined,
      );
      await eventually('the expiry after it', async () =>
        (await shop.query(order.order_id)).status === 'CANCELED' ? true : undefined,
      );
      expect((await orderRow(gw, broken.order_id)).status).toBe('PROCESSING');
    } finally {
      await gw.close();
    }
  });
});

describe('stop()', () => {
  it('passes never overlap, and stop() waits for the pass in flight; no pass starts after', async () => {
    let started = 0;
    let finished = 0;
    let running = 0;
    let overlapped = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runner = runnerOf(
      {
        expire: async () => {
          started++;
          running++;
          if (running > 1) overlapped = true;
          if (started === 1) await gate;
          running--;
          finished++;
          return 0;
        },
      },
      pino({ level: 'silent' }) as unknown as FastifyBaseLogger,
    );
    runner.start(10);
    await eventually('the first pass', async () => (started === 1 ? true : undefined), undefined, 5);
    // Many intervals go by while the first pass is held: none starts beside it.
    await sleep(100);
    expect(started).toBe(1);

    let stopped = false;
    const stopping = runner.stop().then(() => {
      stopped = true;
    });
    await sleep(100);
    expect(stopped).toBe(false);
    expect(finished).toBe(0);

    release();
    await stopping;
    expect(finished).toBe(1);
    await sleep(100);
    expect(started).toBe(1);
    expect(overlapped).toBe(false);
  });

  it('closing the app waits for a reconcile in flight, and its outcome is recorded', async () => {
    const acquirer = new ProbeAcquirer(new SimulatedAcquirer());
    const gw = await startGateway({
      acquirer,
      env: { OPENKKA_ACQUIRER_TIMEOUT: '100ms', OPENKKA_RECONCILE_BACKOFF: '100ms' },
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The answer is held until the test lets it go.
    acquirer.outcome = async (request, signal) => {
      await gate;
      return new SimulatedAcquirer().authorizationOutcome(request, signal);
    };
    try {
      const shop = new Shop(gw, await gw.createMerchant(), { now: () => Date.now() });
      const order = await shop.client.payments.create(cardPayment({ amount: 777 }, { card_no: NO_ANSWER }));
      expect(order.status).toBe('PROCESSING');
      gw.jobs.start(20);
      await eventually('the question', async () => (acquirer.outcomeCalls.length > 0 ? true : undefined));

      let closed = false;
      const closing = gw.app.close().then(() => {
        closed = true;
      });
      await sleep(100);
      expect(closed).toBe(false);
      release();
      await closing;

      expect(await orderRow(gw, order.order_id)).toMatchObject({
        status: 'SUCCESS',
        captured_amount: 777,
        card_ciphertext: null,
      });
      expect(await eventTypes(gw, order.order_id)).toEqual(['AUTHORIZATION']);
    } finally {
      release();
      await gw.runtime.store.close();
      await gw.store.drop();
    }
  });
});
