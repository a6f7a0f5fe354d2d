/**
 * Money under concurrency (docs/api.md#idempotency, docs/api.md#order-status-and-balances), over real HTTP on each store: concurrent refunds
 * never exceed what was captured, a capture racing a void has exactly one winner, identical
 * refunds arriving together refund once, and concurrent partial captures stop at the authed
 * amount.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { events, MoneyApi, type Order, type Refund, refundRows } from '../helpers/money.ts';
import type { RawResponse } from '../helpers/raw.ts';

const TIMEOUT = 30_000;

let gw: TestGateway;
let api: MoneyApi;

beforeAll(async () => {
  gw = await startGateway();
  api = new MoneyApi(gw, await gw.createMerchant());
});
afterAll(() => gw.close());

function outcomes(answers: RawResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    const key = `${a.status} ${String(a.json.ret_code)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('concurrent money movements', () => {
  it(
    '50 concurrent refunds of 10 on a captured 100 → exactly 10 succeed, 40 are 409 300015',
    async () => {
      const order = await api.captured(100);
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          api.refund(order.order_id, 10, { refund_trans_id: `many-${order.order_id}-${i}` }),
        ),
      );
      expect(outcomes(answers)).toEqual({ '200 000000': 10, '409 300015': 40 });
      const succeeded = answers.filter((a) => a.status === 200).map((a) => a.json.data as Refund);
      expect(succeeded.every((r) => r.status === 'SUCCESS' && r.amount === 10)).toBe(true);
      expect(new Set(succeeded.map((r) => r.refund_order_id)).size).toBe(10);
      expect(await api.order(order.order_id)).toMatchObject({
        status: 'REFUNDED',
        balances: {
          captured_amount: 100,
          refunded_amount: 100,
          refunding_amount: 0,
          able_to_refund_amount: 0,
        },
      });
      expect(await refundRows(gw, order.order_id)).toBe(10);
      const log = await events(gw, order.order_id);
      expect(log.filter((e) => e.type === 'REFUND_REQUEST')).toHaveLength(10);
      expect(log.filter((e) => e.type === 'REFUND_SUCCESS')).toHaveLength(10);
    },
    TIMEOUT,
  );

  it(
    'a full capture racing a void, 10 rounds → one winner each, the loser 409, the state consistent',
    async () => {
      for (let round = 0; round < 10; round++) {
        const order = await api.authorized(1000);
        const [capture, voided] = await Promise.all([
          api.capture(order.order_id, 1000),
          api.void(order.order_id),
        ]);
        const winners = [capture, voided].filter((r) => r.status === 200);
        expect(winners, `round ${round}: ${capture.text} / ${voided.text}`).toHaveLength(1);
        const after = await api.order(order.order_id);
        if (capture.status === 200) {
          expect([voided.status, voided.json.ret_code]).toEqual([409, '300013']);
          expect(after).toMatchObject({
            status: 'SUCCESS',
            balances: { captured_amount: 1000, voided_amount: 0, able_to_capture_amount: 0 },
          });
        } else {
          expect([capture.status, capture.json.ret_code]).toEqual([409, '300010']);
          expect(after).toMatchObject({
            status: 'CANCELED',
            balances: { captured_amount: 0, voided_amount: 1000, able_to_capture_amount: 0 },
          });
        }
        expect((winners[0]!.json.data as Order).balances).toEqual(after.balances);
        expect((await events(gw, order.order_id)).map((e) => e.type)).toEqual([
          'AUTHORIZATION',
          capture.status === 200 ? 'CAPTURE' : 'VOID',
        ]);
      }
    },
    TIMEOUT,
  );

  it(
    '20 concurrent identical refunds (one refund_trans_id) → one refund, refunded once',
    async () => {
      const order = await api.captured(1000);
      const body = {
        refund_trans_id: `same-${order.order_id}`,
        ori_order_id: order.order_id,
        refund_amount: 300,
        currency: 'USD',
      };
      const answers = await Promise.all(Array.from({ length: 20 }, () => api.post('/payments/refund', body)));
      expect(outcomes(answers)).toEqual({ '200 000000': 20 });
      const refunds = answers.map((a) => a.json.data as Refund);
      expect(new Set(refunds.map((r) => r.refund_order_id)).size).toBe(1);
      expect(refunds.every((r) => r.amount === 300 && r.ori_order_id === order.order_id)).toBe(true);
      // As docs/api.md#idempotency says: a duplicate arriving while the first is in flight waits for it and answers the
      // outcome, so none answers a PROCESSING the refund has already left.
      expect(refunds.map((r) => r.status)).toEqual(Array(20).fill('SUCCESS'));
      expect(await api.order(order.order_id)).toMatchObject({
        status: 'PARTIALLY_REFUNDED',
        balances: { refunded_amount: 300, refunding_amount: 0, able_to_refund_amount: 700 },
      });
      expect(await refundRows(gw, order.order_id)).toBe(1);
      expect(
        await api.ok<Refund>('/payments/refund/query', { refund_trans_id: body.refund_trans_id }),
      ).toMatchObject({ refund_order_id: refunds[0]!.refund_order_id, status: 'SUCCESS' });
    },
    TIMEOUT,
  );

  it(
    '10 concurrent captures of 100 (capture_final=false) on an order of 500 → exactly 5 succeed',
    async () => {
      const order = await api.authorized(500);
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => api.capture(order.order_id, 100, { capture_final: false })),
      );
      expect(outcomes(answers)).toEqual({ '200 000000': 5, '409 300010': 5 });
      expect(await api.order(order.order_id)).toMatchObject({
        status: 'SUCCESS',
        balances: { authed_amount: 500, captured_amount: 500, voided_amount: 0, able_to_capture_amount: 0 },
      });
      const captures = (await events(gw, order.order_id)).filter((e) => e.type === 'CAPTURE');
      expect(captures.map((e) => e.amount)).toEqual([100, 100, 100, 100, 100]);
    },
    TIMEOUT,
  );
});
