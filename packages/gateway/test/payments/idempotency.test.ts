/**
 * Idempotency of /payments (docs/api.md#idempotency): (merchant_id, trans_id) is one payment. A repeat with
 * the same parameters answers the existing order and charges nothing again, also when the
 * repeats race each other; a repeat with other parameters is refused with 409 300001.
 */
import { type OpenKKA, OpenKKAApiError, type Order } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { CountingAcquirer, countOrders, refusal, strictClient } from '../helpers/payments.ts';
import { signedPost } from '../helpers/raw.ts';

/** The order without the response timestamp, which differs on every answer. */
function stable(order: Order): Omit<Order, 'timestamp'> {
  const { timestamp: _timestamp, ...rest } = order;
  return rest;
}

describe('with an acquirer that answers at once', () => {
  let gw: TestGateway;
  let merchant: TestMerchant;
  let client: OpenKKA;
  const acquirer = new CountingAcquirer();

  beforeAll(async () => {
    gw = await startGateway({ acquirer });
    merchant = await gw.createMerchant();
    client = strictClient(gw, merchant);
  });
  afterAll(() => gw.close());

  const rows = () => countOrders(gw, merchant.merchantId);

  it('the same trans_id and parameters → the same order, charged once', async () => {
    const body = cardPayment({ amount: 1500 });
    const first = await client.payments.create(body);
    const before = await rows();
    const second = await client.payments.create(body);
    const third = await client.payments.create(body);
    expect(stable(second)).toEqual(stable(first));
    expect(stable(third)).toEqual(stable(first));
    expect(await rows()).toBe(before);
    expect(acquirer.callsFor(first.order_id)).toBe(1);
  });

  it('"300" and 300 are the same amount', async () => {
    const body = cardPayment({ amount: '300' });
    const first = await client.payments.create(body);
    const second = await client.payments.create({ ...body, amount: 300 });
    expect(second.order_id).toBe(first.order_id);
    expect(acquirer.callsFor(first.order_id)).toBe(1);
  });

  it('the card is compared by its digits, not how they were typed', async () => {
    const body = cardPayment({}, { card_no: '4242 4242 4242 4242' });
    const first = await client.payments.create(body);
    const second = await client.payments.create({
      ...body,
      payment: { ...body.payment, card_no: '4242424242424242' },
    });
    expect(second.order_id).toBe(first.order_id);
  });

  it('20 identical requests at once → one order row, 20 answers with it, one authorization', async () => {
    const body = cardPayment({ amount: 2020 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.payments.create(body)));
    const ids = new Set(answers.map((a) => a.order_id));
    expect(ids.size).toBe(1);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill('SUCCESS'));
    for (const answer of answers) expect(stable(answer)).toEqual(stable(answers[0]!));
    const [orderId] = [...ids];
    const stored = await gw.runtime.store.writer
      .selectFrom('orders')
      .select('order_id')
      .where('merchant_id', '=', merchant.merchantId)
      .where('trans_id', '=', body.trans_id)
      .execute();
    expect(stored.map((r) => r.order_id)).toEqual([orderId]);
    expect(acquirer.callsFor(orderId!)).toBe(1);
  });

  it('10 requests at once with an invalid card → one FAILURE order for all', async () => {
    const body = cardPayment({}, { card_no: '4242424242424241' });
    const before = await rows();
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.payments.create(body)));
    expect(new Set(answers.map((a) => a.order_id)).size).toBe(1);
    expect(answers.every((a) => a.status === 'FAILURE' && a.error_code === '2099')).toBe(true);
    expect(await rows()).toBe(before + 1);
  });

  it('racing requests with different amounts: one wins, the others are refused with 409', async () => {
    const body = cardPayment();
    const settled = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        client.payments.create({ ...body, amount: i % 2 === 0 ? 100 : 200 }),
      ),
    );
    const won = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    expect(won.length).toBe(6);
    expect(new Set(won.map((o) => o.order_id)).size).toBe(1);
    expect(new Set(won.map((o) => o.amount)).size).toBe(1);
    for (const reason of lost) {
      expect(reason).toBeInstanceOf(OpenKKAApiError);
      expect(reason).toMatchObject({ retCode: '300001', httpStatus: 409 });
    }
    expect(acquirer.callsFor(won[0]!.order_id)).toBe(1);
  });

  describe('a reused trans_id with other parameters → 409 300001, nothing changed', () => {
    it.each([
      ['amount', { amount: 1001 }, {}],
      ['currency', { currency: 'EUR' }, {}],
      ['capture_method', { capture_method: 'MANUAL' }, {}],
      ['authorisation_type', { authorisation_type: 'PRE_AUTH' }, {}],
      ['card', {}, { card_no: '5555555555554444' }],
    ])('other %s', async (named, overrides, card) => {
      const body = cardPayment({ amount: 1000, currency: 'USD' });
      const first = await client.payments.create(body);
      const before = await rows();
      const changed = cardPayment({ ...overrides, trans_id: body.trans_id }, card);
      const err = await refusal(client.payments.create(changed));
      expect(err).toMatchObject({ retCode: '300001', httpStatus: 409 });
      expect(err.retMsg).toContain(named);
      expect(await rows()).toBe(before);
      const now = await client.payments.query({ trans_id: body.trans_id });
      expect(stable(now)).toEqual(stable(first));
      expect(acquirer.callsFor(first.order_id)).toBe(1);
    });
  });

  it('other notify_url, return_url, expire_time, browser or customer → the same order', async () => {
    const body = cardPayment({ notify_url: 'http://127.0.0.1:9/a' });
    const first = await client.payments.create(body);
    const variants = [
      { notify_url: 'http://127.0.0.1:9/b' },
      { notify_url: '' },
      { return_url: 'https://other.example/back' },
      { expire_time: '2031-01-01T00:00:00Z' },
      { browser: { user_agent: 'test/2', language: 'de-DE' } },
      { customer: { email: 'shopper@example.com' } },
    ];
    for (const variant of variants) {
      const again = await client.payments.create({ ...body, ...variant });
      expect(stable(again), JSON.stringify(variant)).toEqual(stable(first));
    }
    expect(acquirer.callsFor(first.order_id)).toBe(1);
  });

  it('another expiry month or CVV is not another card (cards compare by PAN)', async () => {
    const body = cardPayment();
    const first = await client.payments.create(body);
    const again = await client.payments.create({
      ...body,
      payment: { ...body.payment, cvv: '999', exp_month: '01' },
    });
    expect(again.order_id).toBe(first.order_id);
  });

  it('another timestamp (a retrying client refreshes it) → the same order', async () => {
    const fields = { merchant_id: merchant.merchantId, ...cardPayment() };
    const now = Date.now();
    const first = await signedPost(
      gw.baseUrl,
      '/apis/payments',
      { ...fields, timestamp: now - 60_000 },
      merchant,
    );
    const second = await signedPost(gw.baseUrl, '/apis/payments', { ...fields, timestamp: now }, merchant);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const [a, b] = [first.json.data, second.json.data] as Array<Record<string, unknown>>;
    expect(b!.order_id).toBe(a!.order_id);
    expect(b!.timestamp).not.toBe(a!.timestamp);
  });

  it('a declined trans_id replayed → the same FAILURE order, not authorized again', async () => {
    const body = cardPayment({}, { card_no: '4000000000009995' });
    const first = await client.payments.create(body);
    expect(first).toMatchObject({ status: 'FAILURE', error_code: '5002' });
    const again = await client.payments.create(body);
    expect(stable(again)).toEqual(stable(first));
    expect(acquirer.callsFor(first.order_id)).toBe(1);
  });

  it('a declined trans_id cannot be retried with another card', async () => {
    const body = cardPayment({}, { card_no: '4000000000000002' });
    const first = await client.payments.create(body);
    const err = await refusal(client.payments.create(cardPayment({ trans_id: body.trans_id })));
    expect(err).toMatchObject({ retCode: '300001', httpStatus: 409 });
    expect((await client.payments.query({ trans_id: body.trans_id })).status).toBe('FAILURE');
    expect(acquirer.callsFor(first.order_id)).toBe(1);
  });
});

describe('with a slow acquirer (300 ms)', () => {
  let gw: TestGateway;
  let merchant: TestMerchant;
  let client: OpenKKA;
  const acquirer = new CountingAcquirer(new SimulatedAcquirer({ latencyMs: 300 }));
  /** How long a duplicate may wait for the first: long, so that following it is told apart. */
  const IDEMPOTENCY_WAIT_MS = 60_000;

  beforeAll(async () => {
    gw = await startGateway({ acquirer, env: { OPENKKA_IDEMPOTENCY_WAIT: `${IDEMPOTENCY_WAIT_MS}ms` } });
    merchant = await gw.createMerchant();
    client = strictClient(gw, merchant);
  });
  afterAll(() => gw.close());

  it('20 identical requests at once all wait for the one authorization and answer it, final', async () => {
    const body = cardPayment({ amount: 3030 });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.payments.create(body)));
    const elapsed = Date.now() - started;
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill('SUCCESS'));
    for (const answer of answers) expect(stable(answer)).toEqual(stable(answers[0]!));
    expect(answers[0]!.balances.captured_amount).toBe(3030);
    expect(await countOrders(gw, merchant.merchantId)).toBe(1);
    expect(acquirer.callsFor(answers[0]!.order_id)).toBe(1);
    // Waiting duplicates follow the first request, far inside their wait.
    expect(elapsed).toBeLessThan(IDEMPOTENCY_WAIT_MS / 2);
  });

  it('a duplicate of a slow decline waits for it and answers FAILURE, not PROCESSING', async () => {
    const body = cardPayment({}, { card_no: '4000000000000127' });
    const [a, b] = await Promise.all([client.payments.create(body), client.payments.create(body)]);
    expect(a).toMatchObject({ status: 'FAILURE', error_code: '5004' });
    expect(stable(b)).toEqual(stable(a));
    expect(acquirer.callsFor(a.order_id)).toBe(1);
  });

  it('a MANUAL duplicate answers AUTHORIZED with the same balances', async () => {
    const body = cardPayment({ capture_method: 'MANUAL', amount: 505 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.payments.create(body)));
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 'AUTHORIZED', balances: { able_to_capture_amount: 505 } });
      expect(answer.order_id).toBe(answers[0]!.order_id);
    }
  });
});

describe('when the first request outlasts the idempotency wait', () => {
  let gw: TestGateway;
  let client: OpenKKA;
  /** Far longer than the wait, so that a loaded machine still sees the first one in flight. */
  const LATENCY_MS = 10_000;
  const acquirer = new CountingAcquirer(new SimulatedAcquirer({ latencyMs: LATENCY_MS }));

  beforeAll(async () => {
    gw = await startGateway({ acquirer, env: { OPENKKA_IDEMPOTENCY_WAIT: '150ms' } });
    client = strictClient(gw, await gw.createMerchant());
  });
  afterAll(() => gw.close());

  it('a duplicate stops waiting at the bound and answers the order as it stands (PROCESSING)', async () => {
    const body = cardPayment();
    const first = client.payments.create(body);
    // Wait until the first request has recorded its intent, so it is the one in flight.
    await eventually('the first intent', async () => ((await countOrders(gw)) > 0 ? true : undefined));
    const started = Date.now();
    const duplicate = await client.payments.create(body);
    // It did not wait for the acquirer's answer.
    expect(Date.now() - started).toBeLessThan(LATENCY_MS / 2);
    expect(duplicate.status).toBe('PROCESSING');
    const done = await first;
    expect(done).toMatchObject({ order_id: duplicate.order_id, status: 'SUCCESS' });
    expect(acquirer.callsFor(done.order_id)).toBe(1);
  });
});
