// Capture, void and refunds driven through the SDK against a real gateway, on both stores.
import { OpenKKA, OpenKKAApiError } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderRepo } from '../../src/core/orders/repo.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';

let gw: TestGateway;
let merchant: TestMerchant;

beforeAll(async () => {
  gw = await startGateway();
  merchant = await gw.createMerchant();
});
afterAll(() => gw.close());

const manualPayment = (amount: number) => cardPayment({ amount, capture_method: 'MANUAL' });
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2)}`;

async function eventsOf(orderId: string, gateway = gw) {
  const events = await new OrderRepo(gateway.runtime.store).events(orderId);
  return events.map((e) => [e.type, e.amount, e.status]);
}

describe('capture and refund a MANUAL payment through the SDK', () => {
  it('captures in two parts, refunds in two parts, and ends REFUNDED', async () => {
    const { client } = merchant;
    const authorized = await client.payments.create(manualPayment(1000));
    expect(authorized.status).toBe('AUTHORIZED');
    const order_id = authorized.order_id;

    const part = await client.payments.capture({
      order_id,
      amount: 400,
      currency: 'USD',
      capture_final: false,
    });
    expect(part.status).toBe('SUCCESS');
    expect(part.balances).toMatchObject({
      captured_amount: 400,
      able_to_capture_amount: 600,
      able_to_void_amount: 600,
      able_to_refund_amount: 400,
    });

    const rest = await client.payments.capture({ order_id, amount: 600, currency: 'USD' });
    expect(rest.status).toBe('SUCCESS');
    expect(rest.balances).toMatchObject({
      captured_amount: 1000,
      able_to_capture_amount: 0,
      voided_amount: 0,
      able_to_refund_amount: 1000,
    });

    const first = await client.refunds.create({
      refund_trans_id: unique('r'),
      ori_order_id: order_id,
      refund_amount: 300,
      currency: 'USD',
      reason: 'REQUESTED_BY_CUSTOMER',
    });
    expect(first).toMatchObject({
      status: 'SUCCESS',
      error_code: '0000',
      merchant_id: merchant.merchantId,
      ori_order_id: order_id,
      amount: 300,
      currency: 'USD',
    });
    expect(first.refund_order_id).toMatch(/^RG\d{20}$/);
    expect(typeof first.timestamp).toBe('number');

    const byTransId = await client.refunds.query({ refund_trans_id: first.refund_trans_id });
    const byOrderId = await client.refunds.query({ refund_order_id: first.refund_order_id });
    for (const found of [byTransId, byOrderId]) {
      const { timestamp: _t, ...fields } = found;
      const { timestamp: _f, ...expected } = first;
      expect(fields).toEqual(expected);
    }
    const partlyRefunded = await client.payments.query({ order_id });
    expect(partlyRefunded.status).toBe('PARTIALLY_REFUNDED');
    expect(partlyRefunded.balances).toMatchObject({ refunded_amount: 300, able_to_refund_amount: 700 });

    const second = await client.refunds.create({
      refund_trans_id: unique('r'),
      ori_order_id: order_id,
      refund_amount: 700,
      currency: 'USD',
    });
    expect(second.status).toBe('SUCCESS');
    expect(second.refund_order_id).not.toBe(first.refund_order_id);

    const refunded = await client.payments.query({ order_id });
    expect(refunded.status).toBe('REFUNDED');
    expect(refunded.balances).toEqual({
      authed_amount: 1000,
      captured_amount: 1000,
      able_to_capture_amount: 0,
      voided_amount: 0,
      able_to_void_amount: 0,
      refunded_amount: 1000,
      able_to_refund_amount: 0,
      refunding_amount: 0,
    });
    expect(await eventsOf(order_id)).toEqual([
      ['AUTHORIZATION', 1000, 'AUTHORIZED'],
      ['CAPTURE', 400, 'SUCCESS'],
      ['CAPTURE', 600, 'SUCCESS'],
      ['REFUND_REQUEST', 300, 'SUCCESS'],
      ['REFUND_SUCCESS', 300, 'PARTIALLY_REFUNDED'],
      ['REFUND_REQUEST', 700, 'PARTIALLY_REFUNDED'],
      ['REFUND_SUCCESS', 700, 'REFUNDED'],
    ]);
  });

  it('answers a repeated refund_trans_id with the same refund, refunding once, and refuses other parameters', async () => {
    const { client } = merchant;
    const { order_id } = await client.payments.create(cardPayment({ amount: 800 }));
    const params = {
      refund_trans_id: unique('r'),
      ori_order_id: order_id,
      refund_amount: 200,
      currency: 'USD',
    };

    const first = await client.refunds.create(params);
    const again = await client.refunds.create(params);
    expect(again.refund_order_id).toBe(first.refund_order_id);
    expect((await client.payments.query({ order_id })).balances.refunded_amount).toBe(200);

    const error = await client.refunds.create({ ...params, refund_amount: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenKKAApiError);
    expect(error).toMatchObject({ retCode: '300016', httpStatus: 409 });
  });
});

describe('void through the SDK', () => {
  it('voids an authorization (CANCELED), then refuses a second void and a capture', async () => {
    // The bare path prefix, which the gateway serves as well as /apis.
    const bare = new OpenKKA({
      baseUrl: gw.baseUrl,
      merchantId: merchant.merchantId,
      privateKey: merchant.privateKeyPem,
      platformPublicKey: gw.platformPublicKeyPem,
      apiPrefix: '',
    });
    const { order_id } = await bare.payments.create(manualPayment(500));

    const canceled = await bare.payments.void({ order_id, reason: 'REQUESTED_BY_CUSTOMER' });
    expect(canceled.status).toBe('CANCELED');
    expect(canceled.balances).toMatchObject({
      authed_amount: 500,
      captured_amount: 0,
      voided_amount: 500,
      able_to_capture_amount: 0,
      able_to_void_amount: 0,
    });

    await expect(bare.payments.void({ order_id })).rejects.toMatchObject({
      name: 'OpenKKAApiError',
      retCode: '300013',
      httpStatus: 409,
    });
    await expect(bare.payments.capture({ order_id, amount: 100, currency: 'USD' })).rejects.toMatchObject({
      retCode: '300010',
      httpStatus: 409,
    });
    expect(await eventsOf(order_id)).toEqual([
      ['AUTHORIZATION', 500, 'AUTHORIZED'],
      ['VOID', 500, 'CANCELED'],
    ]);
  });

  it('releases the rest after a partial capture (PARTIALLY_REVERSED), which can still be refunded', async () => {
    const { client } = merchant;
    const { order_id } = await client.payments.create(manualPayment(1000));
    await client.payments.capture({ order_id, amount: 250, currency: 'USD', capture_final: false });

    const reversed = await client.payments.void({ order_id });
    expect(reversed.status).toBe('PARTIALLY_REVERSED');
    expect(reversed.balances).toMatchObject({
      captured_amount: 250,
      voided_amount: 750,
      able_to_refund_amount: 250,
    });

    const refund = await client.refunds.create({
      refund_trans_id: unique('r'),
      ori_order_id: order_id,
      refund_amount: 250,
      currency: 'USD',
    });
    expect(refund.status).toBe('SUCCESS');
    expect((await client.payments.query({ order_id })).status).toBe('REFUNDED');
  });
});

describe('refused captures', () => {
  it('throws OpenKKAApiError 300011 (HTTP 409) for more than is capturable, and changes nothing', async () => {
    const { client } = merchant;
    const { order_id } = await client.payments.create(manualPayment(1000));

    const error = await client.payments
      .capture({ order_id, amount: 1001, currency: 'USD' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenKKAApiError);
    expect(error).toMatchObject({ retCode: '300011', httpStatus: 409 });
    expect((error as OpenKKAApiError).retMsg).toBe(
      'Capture amount exceeds able_to_capture_amount: able_to_capture_amount is 1000',
    );

    const order = await client.payments.query({ order_id });
    expect(order.status).toBe('AUTHORIZED');
    expect(order.balances.able_to_capture_amount).toBe(1000);
  });
});

describe('refunds of test card 4000000000005126', () => {
  // A clock moved by hand, so the simulated failure (default delay 5 s) is reached without waiting.
  const clock = new ManualClock(Date.now());
  let timed: TestGateway;
  let shop: TestMerchant;

  beforeAll(async () => {
    timed = await startGateway({ clock });
    shop = await timed.createMerchant();
  });
  afterAll(() => timed.close());

  it('answer PROCESSING, hold the amount in refunding_amount, then fail and give it back', async () => {
    const { client } = shop;
    const paid = await client.payments.create(cardPayment({ amount: 1000 }, { card_no: '4000000000005126' }));
    expect(paid.status).toBe('SUCCESS');

    const refund = await client.refunds.create({
      refund_trans_id: unique('r'),
      ori_order_id: paid.order_id,
      refund_amount: 400,
      currency: 'USD',
    });
    expect(refund.status).toBe('PROCESSING');
    expect(refund.error_code).toBe('');

    const during = await client.payments.query({ order_id: paid.order_id });
    expect(during.status).toBe('SUCCESS');
    expect(during.balances).toMatchObject({
      refunding_amount: 400,
      refunded_amount: 0,
      able_to_refund_amount: 600,
    });

    // The test gateway runs no job timer; its jobs run here, by hand, as the clock moves.
    clock.advance(4_999);
    await timed.jobs.runDue();
    expect((await client.refunds.query({ refund_order_id: refund.refund_order_id })).status).toBe(
      'PROCESSING',
    );

    clock.advance(1);
    await timed.jobs.runDue();
    const failed = await client.refunds.query({ refund_order_id: refund.refund_order_id });
    expect(failed).toMatchObject({
      status: 'FAILURE',
      error_code: '5101',
      error_description: 'Refund declined by the acquirer',
    });
    const after = await client.payments.query({ order_id: paid.order_id });
    expect(after.status).toBe('SUCCESS');
    expect(after.balances).toMatchObject({
      refunding_amount: 0,
      refunded_amount: 0,
      able_to_refund_amount: 1000,
    });
    expect(await eventsOf(paid.order_id, timed)).toEqual([
      ['AUTHORIZATION', 1000, 'SUCCESS'],
      ['REFUND_REQUEST', 400, 'SUCCESS'],
      ['REFUND_FAILURE', 400, 'SUCCESS'],
    ]);
  });
});
