import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';

let gw: TestGateway;
let merchant: TestMerchant;

beforeAll(async () => {
  gw = await startGateway();
  merchant = await gw.createMerchant();
});
afterAll(() => gw.close());

describe('a first payment through the SDK', () => {
  it('approves an AUTOMATIC payment as SUCCESS with balances captured in full', async () => {
    const order = await merchant.client.payments.create(cardPayment({ amount: 2500 }));
    expect(order.status).toBe('SUCCESS');
    expect(order.order_id).toMatch(/^GW\d{20}$/);
    expect(order.balances.captured_amount).toBe(2500);
    const again = await merchant.client.payments.query({ order_id: order.order_id });
    expect(again.status).toBe('SUCCESS');
  });
});
