/**
 * Changes asked for in the same turn of the event loop, on each store: on PostgreSQL they share
 * one transaction (core/orders/change-writer.ts), on SQLite one group commit. The services are
 * called directly, all in one turn, so the batch is certain; the outcome must be exactly what
 * one-at-a-time changes give: balances never past what was authorized or captured, one event
 * per change, a refund_trans_id refunded once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderRow } from '../../src/core/orders/order-row.ts';
import type { RefundRow } from '../../src/core/orders/refund-row.ts';
import { ApiError } from '../../src/domain/errors.ts';
import type { RefundInput } from '../../src/modules/refunds/schemas.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { events, MoneyApi, refundRows } from '../helpers/money.ts';

let gw: TestGateway;
let api: MoneyApi;
let merchant: { merchant_id: string; notify_url: string | null };

beforeAll(async () => {
  gw = await startGateway();
  const created: TestMerchant = await gw.createMerchant();
  api = new MoneyApi(gw, created);
  merchant = { merchant_id: created.merchantId, notify_url: null };
});
afterAll(() => gw.close());

type Settled<T> = { ok: true; value: T } | { ok: false; code: string };

/** Every call started in this turn, each answer or refusal code collected. */
function together<T>(calls: (() => Promise<T>)[]): Promise<Settled<T>[]> {
  return Promise.all(
    calls.map((call) =>
      call().then(
        (value): Settled<T> => ({ ok: true, value }),
        (err: unknown): Settled<T> => {
          if (err instanceof ApiError) return { ok: false, code: err.entry.code };
          throw err;
        },
      ),
    ),
  );
}

function count<T>(settled: Settled<T>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of settled) {
    const key = s.ok ? 'ok' : s.code;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function refund(orderId: string, amount: number, refundTransId: string): RefundInput {
  return { refund_trans_id: refundTransId, ori_order_id: orderId, refund_amount: amount, currency: 'USD' };
}

function capture(orderId: string, amount: number, final: boolean, currency = 'USD') {
  return () => gw.captures.capture(merchant, { order_id: orderId, amount, currency, capture_final: final });
}

async function typesOf(orderId: string): Promise<string[]> {
  return (await events(gw, orderId)).map((e) => e.type);
}

describe('changes asked for in one turn', () => {
  it('75 partial captures of 10 on three orders of 200 → 20 per order, one CAPTURE event each', async () => {
    const orders = await Promise.all([api.authorized(200), api.authorized(200), api.authorized(200)]);
    const answers = await together(
      Array.from({ length: 75 }, (_, i) => capture(orders[i % 3]!.order_id, 10, false)),
    );
    // 20 fit each order; the rest find nothing capturable.
    expect(count(answers)).toEqual({ ok: 60, '300010': 15 });
    for (const order of orders) {
      expect(await api.order(order.order_id)).toMatchObject({
        status: 'SUCCESS',
        balances: { authed_amount: 200, captured_amount: 200, able_to_capture_amount: 0, voided_amount: 0 },
      });
      const log = await events(gw, order.order_id);
      expect(log.map((e) => e.type)).toEqual(['AUTHORIZATION', ...Array(20).fill('CAPTURE')]);
      expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
      // Each event shows the order as its own change left it.
      expect(log.at(-1)).toMatchObject({ amount: 10, status: 'SUCCESS' });
    }
  });

  it('30 captures of 100 on three orders of 500, final and not → 5 captured per order at most', async () => {
    const orders = await Promise.all([api.authorized(500), api.authorized(500), api.authorized(500)]);
    const answers = await together(
      Array.from({ length: 30 }, (_, i) => capture(orders[i % 3]!.order_id, 100, i % 7 === 6)),
    );
    const accepted = answers.filter((a) => a.ok).length;
    expect(accepted).toBeGreaterThanOrEqual(3);
    for (const order of orders) {
      const now = await api.order(order.order_id);
      const captures = (await events(gw, order.order_id)).filter((e) => e.type === 'CAPTURE');
      // Whatever won, the event log adds up to the balances, and nothing passed the authorization.
      expect(captures.reduce((sum, e) => sum + e.amount, 0)).toBe(now.balances.captured_amount);
      expect(now.balances.captured_amount + now.balances.voided_amount).toBeLessThanOrEqual(500);
    }
    const captured = (await Promise.all(orders.map((o) => api.order(o.order_id)))).reduce(
      (sum, o) => sum + o.balances.captured_amount,
      0,
    );
    expect(captured).toBe(accepted * 100);
  });

  it('8 refunds of 30 on each of four captured orders of 100 → 3 refunded per order, 5 refused', async () => {
    const orders = await Promise.all(Array.from({ length: 4 }, () => api.captured(100)));
    const answers = await together(
      orders.flatMap((order) =>
        Array.from(
          { length: 8 },
          (_, i) => () => gw.refunds.create(merchant, refund(order.order_id, 30, `b-${order.order_id}-${i}`)),
        ),
      ),
    );
    expect(count(answers)).toEqual({ ok: 12, '300015': 20 });
    expect(answers.every((a) => !a.ok || (a.value as RefundRow).status === 'SUCCESS')).toBe(true);
    for (const order of orders) {
      expect(await api.order(order.order_id)).toMatchObject({
        status: 'PARTIALLY_REFUNDED',
        balances: {
          captured_amount: 100,
          refunded_amount: 90,
          refunding_amount: 0,
          able_to_refund_amount: 10,
        },
      });
      expect(await refundRows(gw, order.order_id)).toBe(3);
      // Each refund requested and settled once (settled in the same change, or just after it).
      expect((await typesOf(order.order_id)).sort()).toEqual([
        'AUTHORIZATION',
        ...Array(3).fill('REFUND_REQUEST'),
        ...Array(3).fill('REFUND_SUCCESS'),
      ]);
    }
  });

  it('one refund_trans_id asked for on two orders at once → one refund; the other is 300016 and changes nothing', async () => {
    const [first, second] = await Promise.all([api.captured(100), api.captured(100)]);
    const key = `twice-${first!.order_id}`;
    const answers = await together([
      () => gw.refunds.create(merchant, refund(first!.order_id, 40, key)),
      () => gw.refunds.create(merchant, refund(second!.order_id, 40, key)),
    ]);
    expect(count(answers)).toEqual({ ok: 1, '300016': 1 });
    const refunded = (answers.find((a) => a.ok) as { value: RefundRow }).value;
    const untouched = refunded.order_id === first!.order_id ? second! : first!;
    expect(await refundRows(gw, refunded.order_id)).toBe(1);
    expect(await refundRows(gw, untouched.order_id)).toBe(0);
    expect(await typesOf(untouched.order_id)).toEqual(['AUTHORIZATION']);
    expect((await api.order(untouched.order_id)).balances).toMatchObject({
      refunded_amount: 0,
      refunding_amount: 0,
    });
  });

  it('a repeated refund among new ones → the repeat answers the first refund; each new one refunds once', async () => {
    const order = await api.captured(100);
    const first = await gw.refunds.create(merchant, refund(order.order_id, 10, `r0-${order.order_id}`));
    const answers = await together([
      () => gw.refunds.create(merchant, refund(order.order_id, 10, `r0-${order.order_id}`)),
      ...Array.from(
        { length: 4 },
        (_, i) => () =>
          gw.refunds.create(merchant, refund(order.order_id, 10, `r${i + 1}-${order.order_id}`)),
      ),
      () => gw.refunds.create(merchant, refund(order.order_id, 10, `r0-${order.order_id}`)),
    ]);
    expect(count(answers)).toEqual({ ok: 6 });
    const ids = answers.map((a) => (a as { value: RefundRow }).value.refund_order_id);
    expect(ids[0]).toBe(first.refund_order_id);
    expect(ids[5]).toBe(first.refund_order_id);
    expect(new Set(ids.slice(1, 5)).size).toBe(4);
    expect(ids.slice(1, 5)).not.toContain(first.refund_order_id);
    expect(await refundRows(gw, order.order_id)).toBe(5);
    expect((await api.order(order.order_id)).balances).toMatchObject({
      refunded_amount: 50,
      refunding_amount: 0,
    });
    expect((await typesOf(order.order_id)).filter((t) => t === 'REFUND_SUCCESS')).toHaveLength(5);
  });

  it('captures, voids and refunds of several orders in one turn: each refusal is its own', async () => {
    const other = await gw.createMerchant();
    const theirs = await new MoneyApi(gw, other).authorized(100);
    const [authorized, captured] = await Promise.all([api.authorized(100), api.captured(100)]);
    const answers = await together<OrderRow | RefundRow>([
      capture(theirs.order_id, 10, false),
      capture(authorized.order_id, 30, false),
      capture(authorized.order_id, 10, false, 'EUR'),
      () => gw.captures.void(merchant, authorized.order_id),
      () => gw.refunds.create(merchant, refund(captured.order_id, 100, `all-${captured.order_id}`)),
      () => gw.captures.void(merchant, captured.order_id),
      capture('GW000000000000', 10, true),
    ]);
    expect(answers.map((a) => (a.ok ? 'ok' : a.code))).toEqual([
      '206024', // another merchant's order does not exist
      'ok',
      '300012', // currency
      'ok', // the void after the capture of 30 releases the remaining 70
      'ok',
      '300013', // nothing left to void
      '206024',
    ]);
    expect(await api.order(authorized.order_id)).toMatchObject({
      status: 'PARTIALLY_REVERSED',
      balances: { captured_amount: 30, voided_amount: 70, able_to_capture_amount: 0 },
    });
    expect(await typesOf(authorized.order_id)).toEqual(['AUTHORIZATION', 'CAPTURE', 'VOID']);
    expect((await api.order(captured.order_id)).status).toBe('REFUNDED');
    expect(await typesOf(theirs.order_id)).toEqual(['AUTHORIZATION']);
  });
});
