/**
 * Order lookups asked for in the same turn, on each store: on PostgreSQL they share one
 * statement per merchant (core/orders/lookup.ts). Each merchant finds its own orders and never
 * another's, whichever lookups share the statement, and a lookup asked after a change was
 * answered sees the change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/domain/errors.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { MoneyApi, type Order } from '../helpers/money.ts';

let gw: TestGateway;
let shops: MoneyApi[];

beforeAll(async () => {
  gw = await startGateway();
  shops = [new MoneyApi(gw, await gw.createMerchant()), new MoneyApi(gw, await gw.createMerchant())];
});
afterAll(() => gw.close());

function lookup(merchantId: string, orderId: string): Promise<string> {
  return gw.payments.query(merchantId, { order_id: orderId }).then(
    (order) => `${order.merchant_id} ${order.order_id} ${order.status}`,
    (err: unknown) => {
      if (err instanceof ApiError) return err.entry.code;
      throw err;
    },
  );
}

describe('order lookups asked for in one turn', () => {
  it("two merchants' lookups of their own and each other's orders → only their own are found", async () => {
    const orders: Order[][] = await Promise.all(
      shops.map((shop) => Promise.all([shop.authorized(100), shop.captured(200), shop.authorized(300)])),
    );
    const asks = shops.flatMap((shop) =>
      orders.flat().map((order) => ({ merchantId: shop.merchant.merchantId, order })),
    );
    const answers = await Promise.all([
      ...asks.map(({ merchantId, order }) => lookup(merchantId, order.order_id)),
      lookup(shops[0]!.merchant.merchantId, 'GW000000000000'),
    ]);
    expect(answers).toEqual([
      ...asks.map(({ merchantId, order }) =>
        order.merchant_id === merchantId ? `${merchantId} ${order.order_id} ${order.status}` : '206024',
      ),
      '206024',
    ]);
  });

  it('a lookup asked once a capture was answered sees the capture', async () => {
    const shop = shops[0]!;
    const orders = await Promise.all([shop.authorized(100), shop.authorized(100), shop.authorized(100)]);
    const merchant = { merchant_id: shop.merchant.merchantId, notify_url: null };
    const seen = await Promise.all(
      orders.map(async (order) => {
        await gw.captures.capture(merchant, {
          order_id: order.order_id,
          amount: 100,
          currency: 'USD',
          capture_final: true,
        });
        return lookup(shop.merchant.merchantId, order.order_id);
      }),
    );
    expect(seen).toEqual(orders.map((o) => `${shop.merchant.merchantId} ${o.order_id} SUCCESS`));
  });
});
