/**
 * PayKKa v3 notifications (docs/notifications.md#v3-deliveries): an order notifies in the wire it
 * was created over (its session's, when paid through one) unless its merchant chose one for all,
 * and a v3 delivery is verified here exactly as PayKKa's WooCommerce plugin verifies it
 * (paykka-plugin.ts). Also: each attempt re-signed, the refund notice's fields, orders of both
 * wires side by side, queried and refunded over the other, and the acknowledgement rule.
 * Everything goes over HTTP: v3 orders by /v3/payment/acq/pay, v3 sessions by /session.
 */
import { verifyWebhook } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import type { Wire } from '../../src/domain/wire.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { CARDS, MoneyApi, type Order, type Refund } from '../helpers/money.ts';
import type { RawResponse } from '../helpers/raw.ts';
import { cardForm, postForm, sessionBody } from '../helpers/sessions.ts';
import { v3Post } from '../helpers/v3.ts';
import { pluginAnswer, pluginSeesRefund, pluginVerifies } from './paykka-plugin.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from './receiver.ts';

/** Where the plugin listens, with a query the signature must leave out. */
const WEBHOOK_PATH = '/wp-json/paykka/v1/webhook';

interface Setup {
  clock: ManualClock;
  gw: TestGateway;
  merchant: TestMerchant;
  /** The merchant over v1.2, every request signed by hand. */
  api: MoneyApi;
  receivers: Receiver[];
}

async function setup(): Promise<Setup> {
  const clock = new ManualClock();
  const gw = await startGateway({
    clock,
    env: { OPENKKA_NOTIFY_BACKOFF: '1s,1s,1s', OPENKKA_NOTIFY_TIMEOUT: '2s' },
  });
  const s: Setup = { clock, gw, merchant: undefined as never, api: undefined as never, receivers: [] };
  s.merchant = await gw.createMerchant();
  s.api = new MoneyApi(gw, s.merchant, clock);
  return s;
}

async function teardown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  await s.gw.close();
  await Promise.all(s.receivers.map((r) => r.close()));
}

/** A receiver that answers as the plugin does, and the notify_url that reaches it. */
async function plugin(s: Setup): Promise<{ receiver: Receiver; url: string }> {
  const receiver = await startReceiver({
    now: () => s.clock.now(),
    respond: pluginAnswer(s.gw.platformPublicKeyPem),
  });
  s.receivers.push(receiver);
  return { receiver, url: `${new URL(receiver.url).origin}${WEBHOOK_PATH}?source=openkka` };
}

/** A signed v3 request of the merchant, timed by the gateway's clock. */
async function v3(
  s: Setup,
  path: string,
  fields: Record<string, unknown>,
  merchant: TestMerchant = s.merchant,
): Promise<RawResponse> {
  const body = JSON.stringify({ merchant_id: merchant.merchantId, ...fields });
  return v3Post(
    s.gw.baseUrl,
    `/v3/payment/acq${path}`,
    body,
    { appId: merchant.merchantId, privateKey: merchant.privateKey },
    { timestamp: s.clock.now() },
  );
}

/** `data` of a v3 answer that succeeded. */
function ok<T>(res: RawResponse): T {
  expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
    status: 200,
    ret_code: '000000',
  });
  return res.json.data as T;
}

/** A card payment over v3 (`/v3/payment/acq/pay`). */
async function payOverV3(
  s: Setup,
  overrides: Record<string, unknown> = {},
  card: Record<string, unknown> = {},
  merchant: TestMerchant = s.merchant,
): Promise<Order> {
  return ok<Order>(await v3(s, '/pay', cardPayment(overrides, card), merchant));
}

/** The wire an order or a session was stored with. */
async function storedWire(s: Setup, table: 'orders' | 'checkout_sessions', id: string): Promise<Wire> {
  const row = await s.gw.runtime.store.writer
    .selectFrom(table)
    .select('wire')
    .where(table === 'orders' ? 'order_id' : 'session_id', '=', id)
    .executeTakeFirstOrThrow();
  return row.wire as Wire;
}

/** Waits for `count` requests about the order and returns them, in arrival order. */
async function requestsFor(receiver: Receiver, orderId: string, count: number): Promise<ReceivedRequest[]> {
  const mine = () => receiver.received.filter((r) => r.body?.order_id === orderId);
  await receiver.waitFor(() => mine().length >= count);
  return mine();
}

/** Polls the stored notification until `done` holds (the dispatcher records after the answer). */
async function stored(s: Setup, notifyId: string, done: (status: string, attempts: number) => boolean) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const row = await s.gw.notifications.get(notifyId);
    if (done(row.status, row.attempts)) return row;
    if (Date.now() > deadline) throw new Error(`notification ${notifyId} stuck: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A v3 delivery: its transport, and the plugin's verification. */
function expectV3(s: Setup, r: ReceivedRequest): void {
  expect(r.method).toBe('POST');
  expect(r.headers['content-type']).toBe('application/json');
  expect(r.headers['x-paykka-timestamp']).toMatch(/^\d{13}$/);
  expect(r.headers['x-paykka-nonce']).toMatch(/^\d{16}$/);
  expect(r.headers['x-paykka-sign-alg']).toBe('SHA256_WITH_RSA');
  // Nothing of v1.2's signature rides along.
  expect(r.headers.signature).toBeUndefined();
  expect(r.headers.version).toBeUndefined();
  expect(pluginVerifies(r, s.gw.platformPublicKeyPem)).toBe(true);
  expect(r.body).not.toHaveProperty('timestamp');
  expect(r.body.event_type).toBe(r.body.notify_type);
}

/** A v1.2 delivery, verified by the SDK as a v1.2 merchant verifies it. */
function expectV12(s: Setup, r: ReceivedRequest, merchant: TestMerchant = s.merchant): void {
  expect(r.headers.version).toBe('v1.2');
  expect(r.headers['x-paykka-sign']).toBeUndefined();
  const n = verifyWebhook(r.rawBody, r.headers, s.gw.platformPublicKeyPem, {
    now: () => r.at,
    merchantId: merchant.merchantId,
  });
  expect(n.notify_id).toBe(r.body.notify_id);
  expect(r.body.timestamp).toBe(r.at);
  expect(r.body).not.toHaveProperty('event_type');
}

describe("a v3 order's notifications, as PayKKa's plugin receives them", () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => teardown(s));

  it('are signed in x-paykka-* headers over the path without its query, and carry no timestamp', async () => {
    const { receiver, url } = await plugin(s);
    const order = await payOverV3(s, { notify_url: url });
    expect(order.status).toBe('SUCCESS');
    expect(await storedWire(s, 'orders', order.order_id)).toBe('v3');
    const [r] = await requestsFor(receiver, order.order_id, 1);
    expectV3(s, r!);
    expect(r!.behaviour).toBe('ok');
    expect(r!.path).toBe(`${WEBHOOK_PATH}?source=openkka`);
    expect(r!.headers['x-paykka-timestamp']).toBe(String(s.clock.now()));
    // What the signature covers: another path, another byte of the body, another key fail.
    const key = s.gw.platformPublicKeyPem;
    expect(pluginVerifies({ ...r!, path: '/wp-json/paykka/v1/other' }, key)).toBe(false);
    expect(pluginVerifies({ ...r!, rawBody: r!.rawBody.replace('"SUCCESS"', '"FAILURE"') }, key)).toBe(false);
    expect(pluginVerifies(r!, newKeyPair().publicKeyPem)).toBe(false);

    // The body the plugin reads: a payment notice, found by order_id, trans_id; status a fallback.
    expect(pluginSeesRefund(r!.body)).toBe(false);
    const { notify_id, notify_type, event_type, ...rest } = r!.body;
    expect(notify_id).toMatch(/^NT\d{20}$/);
    expect([notify_type, event_type]).toEqual(['PAYMENT.SUCCESS', 'PAYMENT.SUCCESS']);
    // The rest is the order as v1.2's query answers it (a v3 order is queryable over v1.2).
    const { payment_type: _omit, ...queried } = (await s.api.order(order.order_id)) as Order & {
      payment_type?: string;
    };
    expect(rest).toEqual(queried);
    expect(rest).toMatchObject({ order_id: order.order_id, trans_id: order.trans_id, status: 'SUCCESS' });
    await stored(s, notify_id, (status) => status === 'DELIVERED');
  });

  it('are re-signed for every attempt: a new timestamp and nonce over the same bytes', async () => {
    const { receiver, url } = await plugin(s);
    const answer = pluginAnswer(s.gw.platformPublicKeyPem);
    receiver.respond = (req, n) => (n === 1 ? 'http500' : answer(req));
    const order = await payOverV3(s, { notify_url: url });
    const [first] = await requestsFor(receiver, order.order_id, 1);
    await stored(s, first!.body.notify_id, (_status, attempts) => attempts === 1);

    s.clock.advance(1_000);
    await s.gw.dispatcher.runDue();
    const [, retry] = await requestsFor(receiver, order.order_id, 2);
    expectV3(s, first!);
    expectV3(s, retry!);
    expect(retry!.behaviour).toBe('ok');
    expect(Number(retry!.headers['x-paykka-timestamp'])).toBe(
      Number(first!.headers['x-paykka-timestamp']) + 1_000,
    );
    expect(retry!.headers['x-paykka-nonce']).not.toBe(first!.headers['x-paykka-nonce']);
    expect(retry!.headers['x-paykka-sign']).not.toBe(first!.headers['x-paykka-sign']);
    // One event, one notify_id, one body: only the headers change between attempts.
    expect(retry!.rawBody).toBe(first!.rawBody);
    expect(await s.gw.notifications.list({ orderId: order.order_id })).toHaveLength(1);
    // The first attempt's headers do not verify the retry.
    const mixed = {
      ...retry!,
      headers: { ...retry!.headers, 'x-paykka-sign': first!.headers['x-paykka-sign'] },
    };
    expect(pluginVerifies(mixed, s.gw.platformPublicKeyPem)).toBe(false);
  });

  it("treats the plugin's 401 as no acknowledgement: pending, and retried", async () => {
    const { receiver, url } = await plugin(s);
    // The shop had a wrong platform key configured for the first attempt, then the right one.
    const wrongKey = newKeyPair().publicKeyPem;
    receiver.respond = (req, n) => pluginAnswer(n === 1 ? wrongKey : s.gw.platformPublicKeyPem)(req);
    const order = await payOverV3(s, { notify_url: url });
    const [first] = await requestsFor(receiver, order.order_id, 1);
    expect(first!.behaviour).toBe('unauthorized');
    const notifyId = first!.body.notify_id as string;
    const pending = await stored(s, notifyId, (_status, attempts) => attempts === 1);
    expect(pending).toMatchObject({ status: 'PENDING', last_error: 'HTTP 401' });

    s.clock.advance(1_000);
    await s.gw.dispatcher.runDue();
    const [, retry] = await requestsFor(receiver, order.order_id, 2);
    expect(retry!.behaviour).toBe('ok');
    expect(await stored(s, notifyId, (status) => status === 'DELIVERED')).toMatchObject({ attempts: 2 });
  });
});

describe('v3 refund notices', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => teardown(s));

  it('REFUND.SUCCESS: the refund fields and ori_order_id, for a v3 order refunded over v1.2', async () => {
    const { receiver, url } = await plugin(s);
    const order = await payOverV3(s, { notify_url: url });
    const refund = await s.api.ok<Refund>('/payments/refund', {
      refund_trans_id: `r-${order.trans_id}`,
      ori_order_id: order.order_id,
      refund_amount: 300,
      currency: 'USD',
    });
    const [, n] = await requestsFor(receiver, order.order_id, 2);
    expectV3(s, n!);
    expect(pluginSeesRefund(n!.body)).toBe(true);
    expect(n!.body).toMatchObject({
      notify_type: 'REFUND.SUCCESS',
      event_type: 'REFUND.SUCCESS',
      merchant_id: s.merchant.merchantId,
      order_id: order.order_id,
      ori_order_id: order.order_id,
      trans_id: order.trans_id,
      refund_trans_id: refund.refund_trans_id,
      refund_order_id: refund.refund_order_id,
      status: 'SUCCESS',
      amount: 300,
      currency: 'USD',
      error_code: refund.error_code,
      error_description: refund.error_description,
    });
    // Paid by /payments, not through a checkout session.
    expect(n!.body).not.toHaveProperty('session_id');
  });

  it('REFUND.FAILURE when the refund fails later, with its error code', async () => {
    const { receiver, url } = await plugin(s);
    const order = await payOverV3(s, { notify_url: url }, { card_no: CARDS.refundsFail });
    const refund = ok<Refund>(
      await v3(s, '/refund', {
        refund_trans_id: `r-${order.trans_id}`,
        ori_order_id: order.order_id,
        refund_amount: 400,
        currency: 'USD',
        reason: 'REQUESTED_BY_CUSTOMER',
      }),
    );
    await requestsFor(receiver, order.order_id, 1);
    s.clock.advance(s.gw.config.simRefundFailureDelayMs);
    await s.gw.jobs.runDue();
    await s.gw.dispatcher.runDue();
    const [, n] = await requestsFor(receiver, order.order_id, 2);
    expectV3(s, n!);
    expect(pluginSeesRefund(n!.body)).toBe(true);
    expect(n!.body).toMatchObject({
      event_type: 'REFUND.FAILURE',
      ori_order_id: order.order_id,
      refund_order_id: refund.refund_order_id,
      status: 'FAILURE',
      amount: 400,
    });
    expect(n!.body.error_code).not.toBe('0000');
  });

  it('an order paid on a v3 checkout session is v3, and both notices carry its session_id', async () => {
    const { receiver, url } = await plugin(s);
    const session = ok<{ session_id: string; session_url: string }>(
      await v3(s, '/session', { ...sessionBody({ notify_url: url }) }),
    );
    expect(await storedWire(s, 'checkout_sessions', session.session_id)).toBe('v3');
    const paid = await postForm(session.session_url, cardForm());
    expect(paid.status).toBe(303);
    const order = ok<Order & { session_id: string }>(
      await v3(s, '/query', { session_id: session.session_id }),
    );
    expect(order.session_id).toBe(session.session_id);
    expect(await storedWire(s, 'orders', order.order_id)).toBe('v3');

    const refund = await s.api.ok<Refund>('/payments/refund', {
      refund_trans_id: `r-${order.trans_id}`,
      ori_order_id: order.order_id,
      refund_amount: 250,
      currency: 'EUR',
    });
    const [payment, refunded] = await requestsFor(receiver, order.order_id, 2);
    for (const r of [payment!, refunded!]) {
      expectV3(s, r);
      expect(r.body.session_id).toBe(session.session_id);
    }
    expect(payment!.body.event_type).toBe('PAYMENT.SUCCESS');
    expect(refunded!.body).toMatchObject({
      event_type: 'REFUND.SUCCESS',
      ori_order_id: order.order_id,
      refund_order_id: refund.refund_order_id,
    });
  });
});

describe('orders of both wires side by side', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => teardown(s));

  it('each notifies in its own wire, and is queried and refunded over the other', async () => {
    const { receiver, url } = await plugin(s);
    // The plugin refuses what it cannot verify; a v1.2 receiver sits on another URL.
    const v12Inbox = await startReceiver({ now: () => s.clock.now() });
    s.receivers.push(v12Inbox);
    const older = await s.api.pay({ notify_url: v12Inbox.url });
    const v3Order = await payOverV3(s, { notify_url: url });

    const [v12Payment] = await requestsFor(v12Inbox, older.order_id, 1);
    expectV12(s, v12Payment!);
    const [v3Payment] = await requestsFor(receiver, v3Order.order_id, 1);
    expectV3(s, v3Payment!);

    // Queried over the other wire: the v1.2 order over v3, the v3 order over v1.2.
    const queried = ok<Order>(await v3(s, '/query', { order_id: older.order_id }));
    expect(queried).toMatchObject({ order_id: older.order_id, status: 'SUCCESS' });
    expect(await s.api.order(v3Order.order_id)).toMatchObject({ status: 'SUCCESS' });

    // Refunded over the other wire: each refund notice keeps its order's wire.
    ok(
      await v3(s, '/refund', {
        refund_trans_id: `r-${older.trans_id}`,
        ori_order_id: older.order_id,
        refund_amount: 100,
        currency: 'USD',
        reason: 'REQUESTED_BY_CUSTOMER',
      }),
    );
    await s.api.ok('/payments/refund', {
      refund_trans_id: `r-${v3Order.trans_id}`,
      ori_order_id: v3Order.order_id,
      refund_amount: 100,
      currency: 'USD',
    });
    const [, v12Refunded] = await requestsFor(v12Inbox, older.order_id, 2);
    expectV12(s, v12Refunded!);
    expect(v12Refunded!.body).toMatchObject({ notify_type: 'REFUND.SUCCESS', order_id: older.order_id });
    expect(v12Refunded!.body).not.toHaveProperty('ori_order_id');
    const [, v3Refunded] = await requestsFor(receiver, v3Order.order_id, 2);
    expectV3(s, v3Refunded!);
    expect(v3Refunded!.body).toMatchObject({ event_type: 'REFUND.SUCCESS', ori_order_id: v3Order.order_id });
    expect(v12Inbox.received.every((r) => r.behaviour === 'ok')).toBe(true);
    expect(receiver.received.every((r) => r.behaviour === 'ok')).toBe(true);
  });
});

describe("the merchant's notify protocol", () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => teardown(s));

  it('overrides the order wire both ways, and auto gives each order its own again', async () => {
    const merchant = await s.gw.createMerchant();
    const api = new MoneyApi(s.gw, merchant, s.clock);
    const inbox = await startReceiver({ now: () => s.clock.now() });
    s.receivers.push(inbox);
    const url = `${new URL(inbox.url).origin}${WEBHOOK_PATH}`;
    const id = merchant.merchantId;
    const delivered = async (orderId: string) => (await requestsFor(inbox, orderId, 1))[0]!;

    await s.gw.merchants.setNotifyProtocol(id, 'v3');
    expect((await s.gw.merchants.find(id)).notify_protocol).toBe('v3');
    const v12AsV3 = await api.pay({ notify_url: url });
    const r1 = await delivered(v12AsV3.order_id);
    expectV3(s, r1);
    expect(r1.body.merchant_id).toBe(id);

    await s.gw.merchants.setNotifyProtocol(id, 'v1.2');
    const v3AsV12 = await payOverV3(s, { notify_url: url }, {}, merchant);
    expectV12(s, await delivered(v3AsV12.order_id), merchant);

    await s.gw.merchants.setNotifyProtocol(id, null);
    expect((await s.gw.merchants.find(id)).notify_protocol).toBeNull();
    const v3Own = await payOverV3(s, { notify_url: url }, {}, merchant);
    expectV3(s, await delivered(v3Own.order_id));
    const v12Own = await api.pay({ notify_url: url });
    expectV12(s, await delivered(v12Own.order_id), merchant);

    // Only the two protocols are protocols.
    await expect(s.gw.merchants.setNotifyProtocol(id, 'v2' as Wire)).rejects.toThrow(/v1\.2 or v3/);
    await expect(s.gw.merchants.setNotifyProtocol('99999999999999', 'v3')).rejects.toThrow(/no merchant/);
  });

  it('is read at each attempt: a queued v1.2 notification the plugin refused goes out as v3', async () => {
    const merchant = await s.gw.createMerchant();
    const api = new MoneyApi(s.gw, merchant, s.clock);
    const { receiver, url } = await plugin(s);
    const order = await api.pay({ notify_url: url });
    const [first] = await requestsFor(receiver, order.order_id, 1);
    // A v1.2 delivery has no x-paykka-* headers: the plugin refuses it.
    expect(first!.behaviour).toBe('unauthorized');
    expectV12(s, first!, merchant);
    const notifyId = first!.body.notify_id as string;
    await stored(s, notifyId, (_status, attempts) => attempts === 1);

    await s.gw.merchants.setNotifyProtocol(merchant.merchantId, 'v3');
    s.clock.advance(1_000);
    await s.gw.dispatcher.runDue();
    const [, retry] = await requestsFor(receiver, order.order_id, 2);
    expectV3(s, retry!);
    expect(retry!.behaviour).toBe('ok');
    expect(retry!.body.notify_id).toBe(notifyId);
    expect(await stored(s, notifyId, (status) => status === 'DELIVERED')).toMatchObject({ attempts: 2 });
  });
});
