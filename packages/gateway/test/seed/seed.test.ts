/**
 * Seeding a real store (docs/benchmarks-at-size.md): the counts asked for, rows that agree with
 * each other and with the order state machine, and orders the gateway serves like its own: it
 * queries, captures, refunds, renews, pays by seeded token, and passes a seeded challenge.
 */
import type { Order } from '@openkka/sdk';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amountsOf, type OrderRow } from '../../src/core/orders/order-row.ts';
import { toOrderRow } from '../../src/core/orders/repo.ts';
import { statusOf } from '../../src/domain/order.ts';
import { challengeCode } from '../../src/modules/three-ds/code.ts';
import { seedCards } from '../../src/seed/cards.ts';
import { seedMerchants } from '../../src/seed/merchants.ts';
import { type SeedResult, StoreNotEmptyError, seedStore } from '../../src/seed/seeder.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { getPage, submit } from '../helpers/three-ds.ts';

const ORDERS = 30_000;
const DAY = 86_400_000;
// One day: old enough for every ending (refunds, partial captures, voids) to have happened to
// some orders, young enough that some are still authorized or wait on their challenge page.
const DAYS = 1;

let gw: TestGateway;
let merchant: TestMerchant;
let merchantIds: string[];
let result: SeedResult;
let orders: OrderRow[];
const now = Date.now();

beforeAll(async () => {
  gw = await startGateway();
  merchant = await gw.createMerchant({ name: 'Seeded merchant' });
  merchantIds = await seedMerchants(gw.merchants, [merchant.merchantId], 2);
  result = await seedStore(gw.runtime.store, {
    orders: ORDERS,
    merchantIds,
    days: DAYS,
    // Several transactions: the chunks must join up.
    chunk: 7000,
    now,
    runId: 'test',
    publicUrl: gw.baseUrl,
    cards: seedCards(gw.runtime.vault, now),
    settings: gw.config,
  });
  orders = (await gw.runtime.store.reader.selectFrom('orders').selectAll().execute()).map(toOrderRow);
});
afterAll(() => gw?.close());

const count = async (table: string, where = sql`true`) => {
  const row = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where ${where}`
    .execute(gw.runtime.store.reader)
    .then((r) => r.rows[0]!);
  return Number(row.n);
};

const ofMerchant = (status: string, extra: (o: OrderRow) => boolean = () => true) => {
  const found = orders.find((o) => o.merchant_id === merchant.merchantId && o.status === status && extra(o));
  if (!found) throw new Error(`no seeded ${status} order of the test merchant`);
  return found;
};

describe('what a seed writes', () => {
  it('the orders asked for, spread over the named merchant and a new one, and reports every row it wrote', async () => {
    expect(orders).toHaveLength(ORDERS);
    expect(result.orders).toBe(ORDERS);
    expect(merchantIds[0]).toBe(merchant.merchantId);
    expect(merchantIds).toHaveLength(2);
    const perMerchant = merchantIds.map((id) => orders.filter((o) => o.merchant_id === id).length);
    // Drawn evenly: each holds about half, far from none.
    for (const n of perMerchant) expect(n).toBeGreaterThan(ORDERS * 0.45);
    for (const [table, written] of Object.entries(result.rows))
      expect(await count(table), table).toBe(written);
    expect(result.total_rows).toBe(Object.values(result.rows).reduce((a, b) => a + b, 0));
    expect(result.store_bytes).toBeGreaterThan(0);
  });

  it('every status, card and bank-page methods, over the span before now, with the gateway’s id formats', () => {
    const statuses = new Set(orders.map((o) => o.status));
    expect([...statuses].sort()).toEqual(
      [
        'AUTHORIZED',
        'CANCELED',
        'FAILURE',
        'PARTIALLY_REFUNDED',
        'PARTIALLY_REVERSED',
        'PROCESSING',
        'REFUNDED',
        'SUCCESS',
      ].sort(),
    );
    const methods = new Set(orders.map((o) => o.payment_method));
    for (const m of ['BANKCARD', 'APPLE_PAY', 'IDEAL', 'SEPA']) expect(methods).toContain(m);
    expect(orders.filter((o) => o.status === 'SUCCESS').length).toBeGreaterThan(ORDERS * 0.6);
    // One expect over every row: thousands of expects would take longer than the seed.
    const misfits = orders.filter(
      (o) =>
        !/^GW\d{20}$/.test(o.order_id) ||
        o.created_at <= now - DAYS * DAY ||
        o.updated_at > now ||
        // The id starts with the 10 ms tick the order was made in, as newOrderId makes it.
        o.order_id.slice(2, 14) !== String(Math.floor(o.created_at / 10)).padStart(12, '0'),
    );
    expect(misfits).toEqual([]);
    expect(new Set(orders.map((o) => `${o.merchant_id}/${o.trans_id}`)).size).toBe(ORDERS);
  });

  it('balances the state machine would have made, and as many events as each order says it had', async () => {
    const zero = (o: OrderRow) => Object.values(amountsOf(o)).every((v) => v === 0);
    const misfits = orders.filter((o) => {
      const unsettled = o.status === 'PROCESSING' || o.status === 'FAILURE';
      return (
        (unsettled ? !zero(o) : statusOf(amountsOf(o)) !== o.status || o.authed_amount !== o.amount) ||
        (o.auth_expires_at !== null) !== (o.status === 'AUTHORIZED') ||
        // The card is kept only while an outcome is awaited.
        (o.card_ciphertext !== null) !== (o.status === 'PROCESSING' && o.card_bin !== null)
      );
    });
    expect(misfits).toEqual([]);
    const events = await gw.runtime.store.reader
      .selectFrom('order_events')
      .select(['order_id', 'seq', 'status'])
      .execute();
    const last = new Map<string, { seq: number; status: string }>();
    for (const e of events) {
      const seq = Number(e.seq);
      if ((last.get(e.order_id)?.seq ?? 0) < seq) last.set(e.order_id, { seq, status: e.status });
    }
    const unexplained = orders.filter(
      (o) =>
        (last.get(o.order_id)?.seq ?? 0) !== o.event_seq ||
        (o.event_seq > 0 && last.get(o.order_id)!.status !== o.status),
    );
    expect(unexplained).toEqual([]);
    expect(events).toHaveLength(result.rows.order_events!);
  });

  it('refunds, tokens, agreements and challenges that match their orders', async () => {
    const byId = new Map(orders.map((o) => [o.order_id, o]));
    const refunds = await gw.runtime.store.reader.selectFrom('refunds').selectAll().execute();
    expect(refunds.length).toBeGreaterThan(0);
    for (const r of refunds) {
      const order = byId.get(r.order_id)!;
      expect(r.refund_order_id).toMatch(/^RG\d{20}$/);
      if (r.status === 'SUCCESS') expect(Number(r.amount)).toBe(order.refunded_amount);
      else expect(r).toMatchObject({ status: 'FAILURE', error_code: '5101' });
    }
    const tokens = await gw.runtime.store.reader.selectFrom('tokens').selectAll().execute();
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) {
      expect(t.token).toMatch(/^TK\d{20}$/);
      // The vault opens the card: a real card record, not filler.
      expect(gw.runtime.vault.decryptCard(t.card_ciphertext!).pan.slice(-4)).toBe(t.card_last4);
    }
    const agreements = await gw.runtime.store.reader.selectFrom('agreements').selectAll().execute();
    expect(agreements.length).toBeGreaterThan(0);
    for (const a of agreements)
      expect(byId.get(a.first_order_id)!.recurring_agreement_id).toBe(a.recurring_agreement_id);
    const challenges = await gw.runtime.store.reader.selectFrom('challenges').selectAll().execute();
    expect(new Set(challenges.map((c) => c.status))).toEqual(
      new Set(['PASSED', 'FAILED', 'EXPIRED', 'PENDING']),
    );
    for (const c of challenges) {
      expect(byId.get(c.order_id)!.status === 'PROCESSING').toBe(c.status === 'PENDING');
    }
  });

  it('notifications, nearly all delivered, each with a JSON body about its own order and event', async () => {
    const rows = await gw.runtime.store.reader.selectFrom('notifications').selectAll().execute();
    expect(rows.length).toBeGreaterThan(ORDERS * 0.8);
    const delivered = rows.filter((n) => n.status === 'DELIVERED').length;
    expect(delivered / rows.length).toBeGreaterThan(0.95);
    expect(rows.every((n) => n.status === 'DELIVERED' || n.status === 'FAILED')).toBe(true);
    const misfits = rows.filter((n) => {
      const body = JSON.parse(n.body) as Record<string, unknown>;
      return (
        !/^NT\d{20}$/.test(n.notify_id) ||
        body.notify_id !== n.notify_id ||
        body.notify_type !== n.notify_type ||
        body.order_id !== n.order_id
      );
    });
    expect(misfits).toEqual([]);
    const attempts = await count('notification_attempts');
    expect(attempts).toBeGreaterThanOrEqual(rows.length);
  });

  it('leaves the background jobs nothing to do and the dispatcher nothing to send', async () => {
    expect(await gw.jobs.runDue()).toEqual({ expired: 0, reconciled: 0, refundsSettled: 0 });
    expect(await count('notifications', sql`status = 'PENDING'`)).toBe(0);
  });

  it('a second seed into the same store is refused and writes nothing', async () => {
    await expect(
      seedStore(gw.runtime.store, {
        orders: 10,
        merchantIds,
        days: DAYS,
        chunk: 100,
        now,
        runId: 'again',
        publicUrl: gw.baseUrl,
        cards: seedCards(gw.runtime.vault, now),
        settings: gw.config,
      }),
    ).rejects.toThrow(StoreNotEmptyError);
    expect(await count('orders')).toBe(ORDERS);
  });
});

describe('the gateway serves seeded orders as its own', () => {
  it('queries one by order_id and by trans_id, as the store holds it', async () => {
    const seeded = ofMerchant('SUCCESS', (o) => o.card_bin !== null && o.token === null);
    const byOrderId = (await merchant.client.payments.query({ order_id: seeded.order_id })) as Order;
    const byTransId = (await merchant.client.payments.query({ trans_id: seeded.trans_id })) as Order;
    expect(byTransId).toEqual({ ...byOrderId, timestamp: byTransId.timestamp });
    expect(byOrderId).toMatchObject({
      order_id: seeded.order_id,
      trans_id: seeded.trans_id,
      status: 'SUCCESS',
      amount: seeded.amount,
      currency: seeded.currency,
      card_info: { bin: seeded.card_bin, last4: seeded.card_last4 },
    });
    expect(byOrderId.balances.able_to_refund_amount).toBe(seeded.amount);
  });

  it('refunds part of a paid order, and the rest of a partly refunded one', async () => {
    const paid = ofMerchant('SUCCESS', (o) => o.capture_method === 'AUTOMATIC' && o.card_bin !== null);
    const refund = await merchant.client.refunds.create({
      refund_trans_id: `${paid.trans_id}-test`,
      ori_order_id: paid.order_id,
      refund_amount: 100,
      currency: paid.currency,
    });
    expect(refund.status).toBe('SUCCESS');
    const after = (await merchant.client.payments.query({ order_id: paid.order_id })) as Order;
    expect(after).toMatchObject({ status: 'PARTIALLY_REFUNDED', balances: { refunded_amount: 100 } });

    const partly = ofMerchant('PARTIALLY_REFUNDED');
    const rest = partly.captured_amount - partly.refunded_amount;
    await merchant.client.refunds.create({
      refund_trans_id: `${partly.trans_id}-rest`,
      ori_order_id: partly.order_id,
      refund_amount: rest,
      currency: partly.currency,
    });
    const refunded = (await merchant.client.payments.query({ order_id: partly.order_id })) as Order;
    expect(refunded).toMatchObject({ status: 'REFUNDED', balances: { able_to_refund_amount: 0 } });
    expect(refunded.balances.refunded_amount).toBe(partly.captured_amount);
  });

  it('captures an authorized one, and refuses (409, not a crash) to refund a refunded one again', async () => {
    const authorized = ofMerchant('AUTHORIZED');
    const captured = await merchant.client.payments.capture({
      order_id: authorized.order_id,
      amount: authorized.amount,
      currency: authorized.currency,
      capture_final: true,
    });
    expect(captured).toMatchObject({ status: 'SUCCESS', balances: { captured_amount: authorized.amount } });

    const refunded = ofMerchant('REFUNDED');
    await expect(
      merchant.client.refunds.create({
        refund_trans_id: `${refunded.trans_id}-again`,
        ori_order_id: refunded.order_id,
        refund_amount: 1,
        currency: refunded.currency,
      }),
    ).rejects.toMatchObject({ httpStatus: 409 });
  });

  it('pays by a seeded token and renews a seeded subscription', async () => {
    const stored = ofMerchant('SUCCESS', (o) => o.token_usage === 'CARD_ON_FILE');
    const byToken = await merchant.client.payments.create({
      trans_id: `by-seeded-token-${stored.order_id}`,
      payment_type: 'PURCHASE',
      currency: 'USD',
      amount: 700,
      return_url: 'https://shop.example/return',
      payment: {
        payment_method: 'BANKCARD',
        token: stored.token!,
        shopper_reference: stored.shopper_reference!,
      },
    });
    expect(byToken).toMatchObject({ status: 'SUCCESS', card_info: { last4: stored.card_last4 } });

    const first = ofMerchant('SUCCESS', (o) => o.recurring_agreement_id !== null);
    const renewal = await merchant.client.payments.createSubsequentRecurring({
      trans_id: `renewal-${first.order_id}`,
      amount: 999,
      currency: 'USD',
      recurring_agreement_id: first.recurring_agreement_id!,
      token: first.token!,
      shopper_reference: first.shopper_reference!,
    });
    expect(renewal).toMatchObject({
      status: 'SUCCESS',
      recurring_agreement_id: first.recurring_agreement_id,
    });
  });

  it('completes a seeded challenge still waiting for its shopper', async () => {
    const waiting = orders.find((o) => o.status === 'PROCESSING' && o.card_ciphertext !== null);
    expect(waiting).toBeDefined();
    const { authentication_url: url } = JSON.parse(waiting!.authentication_result!) as {
      authentication_url: string;
    };
    expect(url.startsWith(`${gw.baseUrl}/3ds/`)).toBe(true);
    const page = await getPage(url);
    expect(page.status).toBe(200);
    const challengeId = url.slice(url.lastIndexOf('/') + 1);
    const code = challengeCode(gw.runtime.vault, { challenge_id: challengeId, legacy_otp: null });
    expect(page.html).toContain(code);
    const sent = await submit(url, { code });
    expect(sent.status).toBe(303);
    const done = await gw.payments.query(waiting!.merchant_id, { order_id: waiting!.order_id });
    expect(['SUCCESS', 'AUTHORIZED']).toContain(done.status);
  });
});
