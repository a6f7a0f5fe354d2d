/**
 * Notifications end to end (docs/notifications.md, signatures §2): every event of an order reaches a real
 * HTTP receiver with the body docs/notifications.md lists, signed with the platform key and verified here
 * through the SDK's verifyWebhook exactly as a merchant would. Also: which URL a notification
 * goes to, per-order ordering across a failed delivery, and what a retry resends.
 *
 * The clock is a ManualClock: retries and authorization expiry happen by moving it and running
 * the dispatcher or the jobs by hand. Deliveries right after a commit go out on their own.
 * Last, examples/webhook-receiver.ts runs as a child process against a real-clock gateway.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Notification, verifyWebhook } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import type { NotificationRow } from '../../src/modules/notifications/repo.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { CARDS, MoneyApi, type Order, type Refund } from '../helpers/money.ts';
import { signBody } from '../helpers/raw.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from './receiver.ts';

const TOLERANCE_MS = 5 * 60_000;
const DAY = 86_400_000;
const LUHN_INVALID = '4242424242424241';

/** The gateway, one merchant whose default notify_url is `inbox`, and its hand-signing client. */
interface Setup {
  clock: ManualClock;
  gw: TestGateway;
  merchant: TestMerchant;
  api: MoneyApi;
  inbox: Receiver;
  receivers: Receiver[];
}

async function setup(env: Record<string, string> = {}): Promise<Setup> {
  const clock = new ManualClock();
  const gw = await startGateway({
    clock,
    env: {
      OPENKKA_NOTIFY_BACKOFF: '1s,1s,1s',
      OPENKKA_NOTIFY_TIMEOUT: '2s',
      OPENKKA_SIM_REFUND_FAILURE_DELAY: '5s',
      ...env,
    },
  });
  const inbox = await startReceiver({ now: () => clock.now() });
  const merchant = await gw.createMerchant({ notifyUrl: inbox.url });
  return { clock, gw, merchant, api: new MoneyApi(gw, merchant, clock), inbox, receivers: [inbox] };
}

async function teardown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  await s.gw.close();
  await Promise.all(s.receivers.map((r) => r.close()));
}

async function extraReceiver(s: Setup): Promise<Receiver> {
  const receiver = await startReceiver({ now: () => s.clock.now() });
  s.receivers.push(receiver);
  return receiver;
}

/** Verifies one received request as its receiver would have, and checks the transport around it. */
function verified(s: Setup, r: ReceivedRequest): Notification {
  expect(r.method).toBe('POST');
  expect(r.headers['content-type']).toBe('application/json');
  expect(r.headers.type).toBe('RSA256');
  expect(r.headers.version).toBe('v1.2');
  // Checked as at arrival (the receiver stamps it with the test clock), as a receiver would.
  const n = verifyWebhook(r.rawBody, r.headers, s.gw.platformPublicKeyPem, {
    now: () => r.at,
    merchantId: s.merchant.merchantId,
  });
  // A v1.2 body always has its timestamp (a v3 one may not: the type allows its absence).
  expect(Math.abs(Number(n.timestamp) - r.at)).toBeLessThanOrEqual(TOLERANCE_MS);
  expect(n.notify_id).toMatch(/^\S+$/);
  return n;
}

/** Waits until `receiver` has `count` acknowledged deliveries for the order; returns them verified. */
async function delivered(
  s: Setup,
  receiver: Receiver,
  orderId: string,
  count: number,
): Promise<Notification[]> {
  const mine = () => receiver.received.filter((r) => r.body?.order_id === orderId && r.behaviour === 'ok');
  await receiver.waitFor(() => mine().length >= count);
  const rows = await s.gw.notifications.list({ orderId });
  expect(rows, 'one notification row per event').toHaveLength(count);
  expect(mine(), 'nothing beyond the rows').toHaveLength(count);
  return mine().map((r) => verified(s, r));
}

/** Polls the stored notification until `done` holds (the dispatcher records after answering). */
async function row(
  s: Setup,
  notifyId: string,
  done: (row: NotificationRow) => boolean,
): Promise<NotificationRow> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const current = await s.gw.notifications.get(notifyId);
    if (done(current)) return current;
    if (Date.now() > deadline) throw new Error(`notification ${notifyId} stuck: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The body without what only the notification adds, to compare with the order as queried. */
function snapshot(n: Notification): Record<string, unknown> {
  const { timestamp: _t, notify_id: _id, notify_type: _type, ...rest } = n;
  return rest;
}

/** The order view as a payment notification carries it (no payment_type). */
function orderFields(order: Order): Record<string, unknown> {
  const { payment_type: _omit, ...rest } = order as Order & { payment_type?: string };
  return rest;
}

describe('each notify_type, signed and with the body of docs/notifications.md', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => teardown(s));

  it('PAYMENT.AUTHORIZATION for an approval with capture_method MANUAL', async () => {
    const order = await s.api.authorized(1000);
    const [n] = await delivered(s, s.inbox, order.order_id, 1);
    expect(n).toMatchObject({
      notify_type: 'PAYMENT.AUTHORIZATION',
      merchant_id: s.merchant.merchantId,
      order_id: order.order_id,
      trans_id: order.trans_id,
      status: 'AUTHORIZED',
      amount: 1000,
      currency: 'USD',
      error_code: '0000',
      capture_method: 'MANUAL',
      payment: { payment_method: 'BANKCARD' },
      card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
      balances: { authed_amount: 1000, able_to_capture_amount: 1000, captured_amount: 0 },
    });
    expect(n!.pay_finish_time).toEqual(expect.any(String));
    expect(snapshot(n!)).toEqual(orderFields(order));
    expect(n).not.toHaveProperty('payment_type');
    expect(JSON.stringify(n)).not.toContain('4242424242424242');
  });

  it('PAYMENT.SUCCESS for an approval with capture_method AUTOMATIC', async () => {
    const order = await s.api.captured(1500);
    const [n] = await delivered(s, s.inbox, order.order_id, 1);
    expect(n).toMatchObject({
      notify_type: 'PAYMENT.SUCCESS',
      order_id: order.order_id,
      trans_id: order.trans_id,
      status: 'SUCCESS',
      amount: 1500,
      currency: 'USD',
      error_code: '0000',
      balances: { authed_amount: 1500, captured_amount: 1500, able_to_refund_amount: 1500 },
    });
    expect(snapshot(n!)).toEqual(orderFields(order));
  });

  it('PAYMENT.SUCCESS again for every capture of a MANUAL authorization', async () => {
    const order = await s.api.authorized(1000);
    await delivered(s, s.inbox, order.order_id, 1);
    await s.api.ok('/payments/capture', {
      order_id: order.order_id,
      amount: 400,
      currency: 'USD',
      capture_final: false,
    });
    const afterFirst = await s.api.order(order.order_id);
    const [, first] = await delivered(s, s.inbox, order.order_id, 2);
    expect(first).toMatchObject({
      notify_type: 'PAYMENT.SUCCESS',
      status: 'SUCCESS',
      amount: 1000,
      balances: { captured_amount: 400, able_to_capture_amount: 600 },
    });
    expect(snapshot(first!)).toEqual(orderFields(afterFirst));

    await s.api.ok('/payments/capture', { order_id: order.order_id, amount: 600, currency: 'USD' });
    const [auth, , second] = await delivered(s, s.inbox, order.order_id, 3);
    expect(second).toMatchObject({
      notify_type: 'PAYMENT.SUCCESS',
      status: 'SUCCESS',
      balances: { captured_amount: 1000, able_to_capture_amount: 0 },
    });
    expect(new Set([auth!.notify_id, first!.notify_id, second!.notify_id]).size).toBe(3);
  });

  it('PAYMENT.FAILURE for a declined card, with the decline code and zero balances', async () => {
    const order = await s.api.pay({ amount: 700 }, { card_no: CARDS.declined });
    expect(order.status).toBe('FAILURE');
    const [n] = await delivered(s, s.inbox, order.order_id, 1);
    expect(n).toMatchObject({
      notify_type: 'PAYMENT.FAILURE',
      status: 'FAILURE',
      amount: 700,
      currency: 'USD',
      error_code: order.error_code,
      card_info: { bin: '400000', last4: '0002' },
    });
    expect(n!.error_code).not.toBe('0000');
    expect(n!.error_description).toEqual(expect.any(String));
    expect(Object.values(n!.balances)).toEqual(Array(8).fill(0));
    expect(snapshot(n!)).toEqual(orderFields(order));
  });

  it('PAYMENT.FAILURE for a card refused before the acquirer (Luhn), with 2099', async () => {
    const order = await s.api.pay({ amount: 800 }, { card_no: LUHN_INVALID });
    expect(order).toMatchObject({ status: 'FAILURE', error_code: '2099' });
    const [n] = await delivered(s, s.inbox, order.order_id, 1);
    expect(n).toMatchObject({
      notify_type: 'PAYMENT.FAILURE',
      status: 'FAILURE',
      error_code: '2099',
      amount: 800,
    });
    expect(Object.values(n!.balances)).toEqual(Array(8).fill(0));
    expect(snapshot(n!)).toEqual(orderFields(order));
  });

  it('PAYMENT.CANCELED for a void before any capture: status CANCELED', async () => {
    const order = await s.api.authorized(1000);
    await s.api.ok('/payments/void', { order_id: order.order_id, reason: 'REQUESTED_BY_CUSTOMER' });
    const voided = await s.api.order(order.order_id);
    const [auth, n] = await delivered(s, s.inbox, order.order_id, 2);
    expect(auth!.notify_type).toBe('PAYMENT.AUTHORIZATION');
    expect(n).toMatchObject({
      notify_type: 'PAYMENT.CANCELED',
      status: 'CANCELED',
      balances: { voided_amount: 1000, captured_amount: 0, able_to_capture_amount: 0 },
    });
    expect(snapshot(n!)).toEqual(orderFields(voided));
  });

  it('PAYMENT.CANCELED for a void after a partial capture: status PARTIALLY_REVERSED', async () => {
    const order = await s.api.authorized(1000);
    await s.api.ok('/payments/capture', {
      order_id: order.order_id,
      amount: 250,
      currency: 'USD',
      capture_final: false,
    });
    await s.api.ok('/payments/void', { order_id: order.order_id });
    const types = (await delivered(s, s.inbox, order.order_id, 3)).map((n) => [n.notify_type, n.status]);
    expect(types).toEqual([
      ['PAYMENT.AUTHORIZATION', 'AUTHORIZED'],
      ['PAYMENT.SUCCESS', 'SUCCESS'],
      ['PAYMENT.CANCELED', 'PARTIALLY_REVERSED'],
    ]);
  });

  it("REFUND.SUCCESS with the refund's status, amount and ids and the payment's balances", async () => {
    const order = await s.api.captured(1000);
    const refund = await s.api.ok<Refund>('/payments/refund', {
      refund_trans_id: `r-${order.trans_id}`,
      ori_order_id: order.order_id,
      refund_amount: 300,
      currency: 'USD',
    });
    expect(refund.status).toBe('SUCCESS');
    const after = await s.api.order(order.order_id);
    const [, n] = await delivered(s, s.inbox, order.order_id, 2);
    expect(n).toEqual({
      timestamp: expect.any(Number),
      notify_id: expect.any(String),
      notify_type: 'REFUND.SUCCESS',
      merchant_id: s.merchant.merchantId,
      trans_id: order.trans_id,
      order_id: order.order_id,
      refund_trans_id: refund.refund_trans_id,
      refund_order_id: refund.refund_order_id,
      status: 'SUCCESS',
      amount: 300,
      currency: 'USD',
      error_code: refund.error_code,
      error_description: refund.error_description,
      pay_finish_time: (order as Order & Record<string, unknown>).pay_finish_time,
      payment: { payment_method: 'BANKCARD' },
      card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
      balances: after.balances,
    });
    expect(n).toMatchObject({ refund_order_id: expect.stringMatching(/^RG\d+$/) });
    expect(n!.balances).toMatchObject({ refunded_amount: 300, able_to_refund_amount: 700 });
  });

  it('REFUND.FAILURE once the refund of card 4000000000005126 fails, and none for the request', async () => {
    const order = await s.api.captured(1000, { card_no: CARDS.refundsFail });
    const refund = await s.api.ok<Refund>('/payments/refund', {
      refund_trans_id: `r-${order.trans_id}`,
      ori_order_id: order.order_id,
      refund_amount: 400,
      currency: 'USD',
    });
    expect(refund.status).toBe('PROCESSING');
    await delivered(s, s.inbox, order.order_id, 1);

    s.clock.advance(s.gw.config.simRefundFailureDelayMs);
    await s.gw.jobs.runDue();
    await s.gw.dispatcher.runDue();
    const [, n] = await delivered(s, s.inbox, order.order_id, 2);
    const settled = await s.api.ok<Refund>('/payments/refund/query', {
      refund_order_id: refund.refund_order_id,
    });
    const after = await s.api.order(order.order_id);
    expect(settled.status).toBe('FAILURE');
    expect(n).toMatchObject({
      notify_type: 'REFUND.FAILURE',
      order_id: order.order_id,
      trans_id: order.trans_id,
      refund_trans_id: refund.refund_trans_id,
      refund_order_id: refund.refund_order_id,
      status: 'FAILURE',
      amount: 400,
      currency: 'USD',
      error_code: settled.error_code,
      error_description: settled.error_description,
      balances: after.balances,
    });
    expect(n!.error_code).not.toBe('0000');
    expect(n!.balances).toMatchObject({
      refunded_amount: 0,
      refunding_amount: 0,
      able_to_refund_amount: 1000,
    });
  });
});

describe('authorization expiry sends PAYMENT.CANCELED', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup({ OPENKKA_AUTH_VALIDITY_FINAL: '7d' });
  });
  afterAll(() => teardown(s));

  it('CANCELED when nothing was captured, PARTIALLY_REVERSED when part was', async () => {
    const untouched = await s.api.authorized(1000);
    const partly = await s.api.authorized(1000);
    await s.api.ok('/payments/capture', {
      order_id: partly.order_id,
      amount: 300,
      currency: 'USD',
      capture_final: false,
    });
    await delivered(s, s.inbox, untouched.order_id, 1);
    await delivered(s, s.inbox, partly.order_id, 2);

    s.clock.advance(7 * DAY);
    expect(await s.gw.jobs.runDue()).toMatchObject({ expired: 2 });

    const [, canceled] = await delivered(s, s.inbox, untouched.order_id, 2);
    expect(canceled).toMatchObject({
      notify_type: 'PAYMENT.CANCELED',
      status: 'CANCELED',
      balances: { voided_amount: 1000, captured_amount: 0 },
    });
    expect(snapshot(canceled!)).toEqual(orderFields(await s.api.order(untouched.order_id)));

    const [, , reversed] = await delivered(s, s.inbox, partly.order_id, 3);
    expect(reversed).toMatchObject({
      notify_type: 'PAYMENT.CANCELED',
      status: 'PARTIALLY_REVERSED',
      balances: { voided_amount: 700, captured_amount: 300, able_to_capture_amount: 0 },
    });
    expect(snapshot(reversed!)).toEqual(orderFields(await s.api.order(partly.order_id)));
  });
});

describe('where a notification goes', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => teardown(s));

  it("a payment's notify_url overrides the merchant's default", async () => {
    const own = await extraReceiver(s);
    const order = await s.api.captured(1000);
    const routed = await s.api.pay({ notify_url: own.url });
    await delivered(s, s.inbox, order.order_id, 1);
    const [n] = await delivered(s, own, routed.order_id, 1);
    expect(n!.order_id).toBe(routed.order_id);
    expect(s.inbox.received.filter((r) => r.body?.order_id === routed.order_id)).toEqual([]);
    expect((await s.gw.notifications.list({ orderId: routed.order_id }))[0]!.url).toBe(own.url);
  });

  it("a refund's notify_url overrides the payment's; without one the refund follows the payment", async () => {
    const forPayment = await extraReceiver(s);
    const forRefund = await extraReceiver(s);
    const order = await s.api.pay({ notify_url: forPayment.url });
    await s.api.ok('/payments/refund', {
      refund_trans_id: `r1-${order.trans_id}`,
      ori_order_id: order.order_id,
      refund_amount: 100,
      currency: 'USD',
      notify_url: forRefund.url,
    });
    await s.api.ok('/payments/refund', {
      refund_trans_id: `r2-${order.trans_id}`,
      ori_order_id: order.order_id,
      refund_amount: 200,
      currency: 'USD',
    });

    // Per-order ordering holds across URLs: the second refund waits for the first.
    await forRefund.waitFor((rs) => rs.some((r) => r.behaviour === 'ok'));
    await forPayment.waitFor((rs) => rs.filter((r) => r.behaviour === 'ok').length >= 2);
    const atRefundUrl = forRefund.received.map((r) => verified(s, r));
    const atPaymentUrl = forPayment.received.map((r) => verified(s, r));
    expect(atRefundUrl.map((n) => [n.notify_type, n.amount])).toEqual([['REFUND.SUCCESS', 100]]);
    expect(atPaymentUrl.map((n) => [n.notify_type, n.amount])).toEqual([
      ['PAYMENT.SUCCESS', 1000],
      ['REFUND.SUCCESS', 200],
    ]);
    expect(s.inbox.received.filter((r) => r.body?.order_id === order.order_id)).toEqual([]);
  });

  it('no URL on the merchant, the payment or the refund: no notification is stored', async () => {
    const silent = await s.gw.createMerchant();
    const api = new MoneyApi(s.gw, silent, s.clock);
    const paid = await api.captured(1000);
    await api.ok('/payments/refund', {
      refund_trans_id: `r-${paid.trans_id}`,
      ori_order_id: paid.order_id,
      refund_amount: 100,
      currency: 'USD',
    });
    const declined = await api.pay({}, { card_no: CARDS.declined });
    // Rows are written in the transaction of the change, so none now means none ever.
    expect(await s.gw.notifications.list({ orderId: paid.order_id })).toEqual([]);
    expect(await s.gw.notifications.list({ orderId: declined.order_id })).toEqual([]);
  });

  it('a merchant without a default still gets notifications at the URL its request names', async () => {
    const silent = await s.gw.createMerchant();
    const api = new MoneyApi(s.gw, silent, s.clock);
    const own = await extraReceiver(s);
    const order = await api.ok<Order>('/payments', cardPayment({ notify_url: own.url }));
    await own.waitFor((rs) => rs.some((r) => r.body?.order_id === order.order_id));
    const n = verifyWebhook(own.received[0]!.rawBody, own.received[0]!.headers, s.gw.platformPublicKeyPem, {
      now: () => s.clock.now(),
      merchantId: silent.merchantId,
    });
    expect(n).toMatchObject({ notify_type: 'PAYMENT.SUCCESS', merchant_id: silent.merchantId });
  });
});

describe('per-order ordering and retries', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => teardown(s));

  it('authorize → capture → refund arrive in that order although the first delivery fails once', async () => {
    const receiver = await extraReceiver(s);
    receiver.respond = (_req, n) => (n === 1 ? 'http500' : 'ok');
    const order = await s.api.pay({ capture_method: 'MANUAL', notify_url: receiver.url });
    await receiver.waitFor((rs) => rs.length >= 1);
    const first = receiver.received[0]!;
    expect(first.behaviour).toBe('http500');
    const notifyId = first.body.notify_id as string;
    await row(s, notifyId, (r) => r.attempts === 1);

    await s.api.ok('/payments/capture', { order_id: order.order_id, amount: 1000, currency: 'USD' });
    await s.api.ok('/payments/refund', {
      refund_trans_id: `r-${order.trans_id}`,
      ori_order_id: order.order_id,
      refund_amount: 1000,
      currency: 'USD',
    });
    // The capture and the refund are due, but wait behind the undelivered authorization.
    await s.gw.dispatcher.runDue();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(1);
    const waiting = await s.gw.notifications.list({ orderId: order.order_id });
    waiting.sort((x, y) => x.event_seq - y.event_seq);
    expect(waiting.map((r) => [r.notify_type, r.status, r.attempts])).toEqual([
      ['PAYMENT.AUTHORIZATION', 'PENDING', 1],
      ['PAYMENT.SUCCESS', 'PENDING', 0],
      ['REFUND.SUCCESS', 'PENDING', 0],
    ]);
    expect((await s.gw.notifications.get(notifyId)).last_error).toBe('HTTP 500');

    s.clock.advance(999);
    await s.gw.dispatcher.runDue();
    expect(receiver.received).toHaveLength(1);

    s.clock.advance(1);
    await s.gw.dispatcher.runDue();
    await receiver.waitFor((rs) => rs.length >= 4);
    expect(receiver.received.map((r) => [r.body.notify_type, r.behaviour])).toEqual([
      ['PAYMENT.AUTHORIZATION', 'http500'],
      ['PAYMENT.AUTHORIZATION', 'ok'],
      ['PAYMENT.SUCCESS', 'ok'],
      ['REFUND.SUCCESS', 'ok'],
    ]);
    const ids = receiver.acknowledgedIds();
    expect(ids[0]).toBe(notifyId);
    expect(new Set(ids).size).toBe(3);
    for (const r of receiver.received) verified(s, r);
    // The receiver sees the last request before the dispatcher records its answer: poll.
    const rows = await s.gw.notifications.list({ orderId: order.order_id });
    for (const r of rows) await row(s, r.notify_id, (current) => current.status === 'DELIVERED');
  });

  it('a retry resends the same body and notify_id with a fresh timestamp and signature', async () => {
    const receiver = await extraReceiver(s);
    receiver.respond = (_req, n) => (n === 1 ? 'http500' : 'ok');
    const order = await s.api.pay({ notify_url: receiver.url });
    await receiver.waitFor((rs) => rs.length >= 1);
    const notifyId = receiver.received[0]!.body.notify_id as string;
    await row(s, notifyId, (r) => r.attempts === 1);

    s.clock.advance(1_000);
    await s.gw.dispatcher.runDue();
    await receiver.waitFor((rs) => rs.length >= 2);
    const [first, retry] = receiver.received as [ReceivedRequest, ReceivedRequest];

    const a = verified(s, first);
    const b = verified(s, retry);
    expect(b.notify_id).toBe(a.notify_id);
    expect(b.order_id).toBe(order.order_id);
    expect(b.timestamp).toBe(Number(a.timestamp) + 1_000);
    expect(b.timestamp).toBe(s.clock.now());
    expect(retry.headers.signature).not.toBe(first.headers.signature);
    const withoutTimestamp = (text: string) => text.replace(/^\{"timestamp":\d+,/, '{');
    expect(withoutTimestamp(retry.rawBody)).toBe(withoutTimestamp(first.rawBody));
    expect(withoutTimestamp(first.rawBody)).not.toContain('"timestamp"');

    // The first attempt's signature does not cover the retry's body.
    expect(() =>
      verifyWebhook(retry.rawBody, first.headers, s.gw.platformPublicKeyPem, { now: () => s.clock.now() }),
    ).toThrow(/verify/);

    const stored = await row(s, notifyId, (r) => r.status === 'DELIVERED');
    expect(stored.attempts).toBe(2);
  });

  it('only HTTP 200 with ret_code 000000 acknowledges: other bodies, resets and timeouts are retried', async () => {
    const receiver = await extraReceiver(s);
    const plan = ['wrong-body', 'destroy', 'hang', 'ok'] as const;
    receiver.respond = (_req, n) => plan[n - 1] ?? 'ok';
    await s.api.pay({ notify_url: receiver.url });
    await receiver.waitFor((rs) => rs.length >= 1);
    const notifyId = receiver.received[0]!.body.notify_id as string;

    for (let attempt = 1; attempt < plan.length; attempt++) {
      await row(s, notifyId, (r) => r.attempts === attempt);
      s.clock.advance(1_000);
      await s.gw.dispatcher.runDue();
    }
    const stored = await row(s, notifyId, (r) => r.status === 'DELIVERED');
    expect(receiver.received.map((r) => r.behaviour)).toEqual([...plan]);
    expect(receiver.acknowledgedIds()).toEqual([notifyId]);
    expect(new Set(receiver.received.map((r) => r.body.notify_id))).toEqual(new Set([notifyId]));
    const log = (await s.gw.notifications.get(notifyId)).attempt_log;
    expect(log.map((a) => [a.attempt, a.http_status, a.delivered])).toEqual([
      [1, 200, 0],
      [2, null, 0],
      [3, null, 0],
      [4, 200, 1],
    ]);
    expect(log[0]!.error).toBe('ret_code "999999"');
    expect(log[1]!.error).toEqual(expect.any(String));
    expect(log[2]!.error).toBe('timed out');
    expect(stored.attempts).toBe(4);
  });
});

describe('examples/webhook-receiver.ts against a running gateway', () => {
  const example = fileURLToPath(new URL('../../../../examples/webhook-receiver.ts', import.meta.url));
  let gw: TestGateway;
  let child: ChildProcess | undefined;
  let keyDir: string;
  let output = '';

  beforeAll(async () => {
    // The example checks timestamps against the real clock, so this gateway keeps real time.
    gw = await startGateway();
    keyDir = mkdtempSync(join(tmpdir(), 'openkka-example-'));
    writeFileSync(join(keyDir, 'platform-public.pem'), gw.platformPublicKeyPem);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await gw?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('acknowledges verified notifications once each and answers 401 to a forged one', async () => {
    const merchant = await gw.createMerchant();
    child = spawn(process.execPath, ['--import', 'tsx', example], {
      env: {
        PATH: process.env.PATH ?? '',
        PLATFORM_PUBLIC_KEY_FILE: join(keyDir, 'platform-public.pem'),
        PORT: '0',
        MERCHANT_ID: merchant.merchantId,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    // The child's log lines can arrive after the HTTP answer they belong to: wait for them.
    const printed = async (pattern: RegExp, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (Date.now() > deadline) throw new Error(`the example never printed ${pattern}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const url = (await printed(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/, 20_000))[1]!;

    const order = await merchant.client.payments.create(cardPayment({ notify_url: url }));
    const [queued] = await gw.notifications.list({ orderId: order.order_id });
    const waitDelivered = async (attempts: number) => {
      const until = Date.now() + 10_000;
      for (;;) {
        const current = await gw.notifications.get(queued!.notify_id);
        if (current.status === 'DELIVERED' && current.attempts === attempts) return current;
        if (Date.now() > until) throw new Error(`not delivered: ${JSON.stringify(current)}\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await waitDelivered(1);
    await printed(
      new RegExp(`PAYMENT\\.SUCCESS ${order.order_id} \\(${order.trans_id}\\): SUCCESS 1000 USD`),
    );

    // An operator's redelivery arrives with the same notify_id: acknowledged, not handled twice.
    await gw.notifications.redeliver(queued!.notify_id);
    await gw.dispatcher.runDue();
    await waitDelivered(2);
    await printed(new RegExp(`repeat of ${queued!.notify_id}`));
    expect(output.split(`PAYMENT.SUCCESS ${order.order_id}`)).toHaveLength(2);

    // Signed, but by the merchant's key instead of the platform's: refused.
    const forged = JSON.stringify({ ...JSON.parse(queued!.body), timestamp: Date.now() });
    const signature = signBody(
      merchant.merchantId,
      JSON.parse(forged).timestamp,
      forged,
      merchant.privateKey,
    );
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', signature, type: 'RSA256', version: 'v1.2' },
      body: forged,
    });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('000000');
    await printed(/refused: notification signature does not verify/);
  });
});
