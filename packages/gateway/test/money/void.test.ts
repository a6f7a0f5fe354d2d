/**
 * /payments/void (docs/api.md#routes, docs/api.md#order-status-and-balances): a void releases everything still capturable — the whole
 * authorization (CANCELED) or what a partial capture left (PARTIALLY_REVERSED); with nothing
 * capturable it is refused with 409 300013 and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { CARDS, expectRefused, expectUnchanged, MoneyApi, type Order } from '../helpers/money.ts';

let gw: TestGateway;
let api: MoneyApi;
let other: MoneyApi;

beforeAll(async () => {
  gw = await startGateway();
  api = new MoneyApi(gw, await gw.createMerchant());
  other = new MoneyApi(gw, await gw.createMerchant({ name: 'Other merchant' }));
});
afterAll(() => gw.close());

describe('void', () => {
  it('an AUTHORIZED order → CANCELED with voided = authed', async () => {
    const order = await api.authorized(1000);
    const res = await api.void(order.order_id);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      ret_code: '000000',
      data: {
        order_id: order.order_id,
        status: 'CANCELED',
        balances: {
          authed_amount: 1000,
          captured_amount: 0,
          voided_amount: 1000,
          able_to_capture_amount: 0,
          able_to_void_amount: 0,
          able_to_refund_amount: 0,
        },
      },
    });
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'CANCELED',
      balances: { voided_amount: 1000, able_to_void_amount: 0 },
    });
  });

  it.each(['DUPLICATE', 'FRAUDULENT', 'REQUESTED_BY_CUSTOMER', 'OTHER'])(
    'reason %s is accepted',
    async (reason) => {
      const order = await api.authorized(700);
      const data = await api.ok<Order>('/payments/void', { order_id: order.order_id, reason });
      expect(data).toMatchObject({ status: 'CANCELED', balances: { voided_amount: 700 } });
      expect((await api.order(order.order_id)).status).toBe('CANCELED');
    },
  );

  it('the unprefixed /payments/void path works the same', async () => {
    const order = await api.authorized(300);
    const data = await api.ok<Order>('/payments/void', { order_id: order.order_id, reason: 'OTHER' }, true);
    expect(data).toMatchObject({ status: 'CANCELED', balances: { voided_amount: 300 } });
  });

  it('a reason outside the enum → 400 010000 naming reason, nothing changes', async () => {
    const order = await api.authorized(1000);
    for (const reason of ['CHANGED_MIND', 'duplicate', 42]) {
      const res = await expectUnchanged(
        api,
        order.order_id,
        () => api.void(order.order_id, { reason }),
        400,
        '010000',
      );
      expect(String(res.json.ret_msg)).toContain('reason');
    }
    expect((await api.order(order.order_id)).status).toBe('AUTHORIZED');
  });

  it('after a partial capture (capture_final=false) → PARTIALLY_REVERSED, releasing the rest', async () => {
    const order = await api.authorized(1000);
    const captured = await api.ok<Order>('/payments/capture', {
      order_id: order.order_id,
      amount: 400,
      currency: 'USD',
      capture_final: false,
    });
    expect(captured).toMatchObject({ status: 'SUCCESS', balances: { able_to_void_amount: 600 } });
    expect((await api.order(order.order_id)).status).toBe('SUCCESS');

    const voided = await api.ok<Order>('/payments/void', { order_id: order.order_id, reason: 'OTHER' });
    expect(voided).toMatchObject({
      status: 'PARTIALLY_REVERSED',
      balances: {
        authed_amount: 1000,
        captured_amount: 400,
        voided_amount: 600,
        able_to_capture_amount: 0,
        able_to_void_amount: 0,
        able_to_refund_amount: 400,
      },
    });
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'PARTIALLY_REVERSED',
      balances: voided.balances,
    });
  });

  it('after a full capture → 409 300013, nothing changes', async () => {
    const manual = await api.authorized(1000);
    await api.ok('/payments/capture', { order_id: manual.order_id, amount: 1000, currency: 'USD' });
    await expectUnchanged(api, manual.order_id, () => api.void(manual.order_id), 409, '300013');

    const automatic = await api.captured(1000);
    await expectUnchanged(api, automatic.order_id, () => api.void(automatic.order_id), 409, '300013');
  });

  it('twice → the second is 409 300013 and changes nothing', async () => {
    const order = await api.authorized(1000);
    expect((await api.ok<Order>('/payments/void', { order_id: order.order_id })).status).toBe('CANCELED');
    await expectUnchanged(api, order.order_id, () => api.void(order.order_id), 409, '300013');
    expect((await api.order(order.order_id)).balances.voided_amount).toBe(1000);
  });

  it('a declined (FAILURE) order → 409 300013', async () => {
    const declined = await api.pay({ capture_method: 'MANUAL' }, { card_no: CARDS.declined });
    expect(declined.status).toBe('FAILURE');
    await expectUnchanged(api, declined.order_id, () => api.void(declined.order_id), 409, '300013');
  });

  it('an unknown order_id, another merchant’s order, or no order_id', async () => {
    expectRefused(await api.void('GW00000000000000000000'), 404, '206024');
    const foreign = await other.authorized(1000);
    await expectUnchanged(other, foreign.order_id, () => api.void(foreign.order_id), 404, '206024');
    expectRefused(await api.post('/payments/void', { reason: 'OTHER' }), 400, '010000');
  });
});
