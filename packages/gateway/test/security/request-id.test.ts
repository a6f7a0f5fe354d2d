/**
 * Request ids (docs/api.md#request-ids): a client's X-Request-ID is kept when it is a plain
 * token and replaced otherwise, never refused; it is echoed on every answer (signed v1.2 and v3
 * answers, a 404, a 413, the raw answer to a malformed request) and travels with the
 * notifications the request's events cause: sent as X-Request-ID to a real receiver, stored on
 * each attempt, shown on the dashboard's attempt list, and never on another merchant's.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstance } from '../../src/http/instance.ts';
import { DEFAULT_TIMEOUTS, RateLimits } from '../../src/http/limits/index.ts';
import { newRequestId } from '../../src/http/request-id.ts';
import type { AttemptRow } from '../../src/modules/notifications/repo.ts';
import { notificationsTable } from '../../src/pages/dashboard/notifications-table.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type RawResponse, rawPost, signedPost } from '../helpers/raw.ts';
import { v3Post } from '../helpers/v3.ts';
import { type Receiver, startReceiver } from '../notifications/receiver.ts';
import { openSlow, send } from './raw-http.ts';

const MADE = /^req_[0-9a-f]{16}$/;

let gw: TestGateway;
let inboxA: Receiver;
let inboxB: Receiver;
let merchantA: TestMerchant;
let merchantB: TestMerchant;

beforeAll(async () => {
  gw = await startGateway();
  inboxA = await startReceiver();
  inboxB = await startReceiver();
  merchantA = await gw.createMerchant({ notifyUrl: inboxA.url });
  merchantB = await gw.createMerchant({ notifyUrl: inboxB.url });
});
afterAll(async () => {
  await gw?.close();
  await inboxA?.close();
  await inboxB?.close();
});

function pay(
  merchant: TestMerchant,
  headers: Record<string, string> = {},
  fields: Record<string, unknown> = {},
) {
  const body = { merchant_id: merchant.merchantId, timestamp: Date.now(), ...cardPayment(fields) };
  return signedPost(gw.baseUrl, '/apis/payments', body, merchant, headers);
}

function orderIdOf(res: RawResponse): string {
  expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
    status: 200,
    ret_code: '000000',
  });
  return (res.json.data as { order_id: string }).order_id;
}

async function attemptsOf(orderId: string): Promise<AttemptRow[]> {
  const [n] = await gw.notifications.list({ orderId });
  return n ? (await gw.notifications.get(n.notify_id)).attempt_log : [];
}

describe('the id a client sends', () => {
  it('is echoed on a signed v1.2 answer, sent with its notification, and kept on the attempt', async () => {
    const id = '3f9c1e2a-7b4d-4e8f-9a0b-1c2d3e4f5a6b';
    const res = await pay(merchantA, { 'x-request-id': id });
    expect(res.headers.get('x-request-id')).toBe(id);
    expect(res.headers.get('signature')).toBeTruthy();
    const orderId = orderIdOf(res);
    const [delivery] = await inboxA.waitFor((all) => all.some((r) => r.body?.order_id === orderId));
    const received = inboxA.received.find((r) => r.body?.order_id === orderId)!;
    expect(delivery).toBeDefined();
    expect(received.headers['x-request-id']).toBe(id);
    const attempts = await pollAttempts(orderId);
    expect(attempts.map((a) => a.request_id)).toEqual([id]);
    // The dashboard's attempt list shows it, escaped like any value.
    const [n] = await gw.notifications.list({ orderId });
    const html = notificationsTable({ locale: 'en', csrf: 'x', zone: gw.config.timeZone, here: '/' }, [
      { ...n!, attempt_log: attempts },
    ]);
    expect(html).toContain(`<td class="request-id">${id}</td>`);
  });

  it('is echoed on a v3 answer and sent with its v3 notification', async () => {
    const id = 'shop:order-42/attempt=1';
    await gw.runtime.store.writer
      .updateTable('merchants')
      .set({ notify_protocol: 'v3' })
      .where('merchant_id', '=', merchantB.merchantId)
      .execute();
    const body = JSON.stringify({ merchant_id: merchantB.merchantId, ...cardPayment() });
    const res = await v3Post(
      gw.baseUrl,
      '/v3/payment/acq/pay',
      body,
      { appId: merchantB.merchantId, privateKey: merchantB.privateKey },
      { headers: { 'x-request-id': id } },
    );
    expect(res.headers.get('x-request-id')).toBe(id);
    expect(res.headers.get('x-paykka-sign')).toBeTruthy();
    const orderId = orderIdOf(res);
    await inboxB.waitFor((all) => all.some((r) => r.body?.order_id === orderId));
    const received = inboxB.received.find((r) => r.body?.order_id === orderId)!;
    expect(received.headers['x-paykka-sign']).toBeTruthy();
    expect(received.headers['x-request-id']).toBe(id);
  });

  it("of a capture is what the capture's notification carries, not the payment's", async () => {
    const orderId = orderIdOf(
      await pay(merchantA, { 'x-request-id': 'pay-1' }, { capture_method: 'MANUAL' }),
    );
    const capture = {
      merchant_id: merchantA.merchantId,
      timestamp: Date.now(),
      order_id: orderId,
      amount: 1000,
      currency: 'USD',
    };
    const res = await signedPost(gw.baseUrl, '/apis/payments/capture', capture, merchantA, {
      'x-request-id': 'capture-1',
    });
    expect(res.json.ret_code, res.text).toBe('000000');
    expect(res.headers.get('x-request-id')).toBe('capture-1');
    await inboxA.waitFor((all) => all.filter((r) => r.body?.order_id === orderId).length >= 2);
    const ids = inboxA.received
      .filter((r) => r.body?.order_id === orderId)
      .map((r) => r.headers['x-request-id']);
    expect(ids).toEqual(['pay-1', 'capture-1']);
  });

  it("never reaches another merchant's notifications", async () => {
    const [a, b] = await Promise.all([
      pay(merchantA, { 'x-request-id': 'only-a' }),
      pay(merchantB, { 'x-request-id': 'only-b' }),
    ]);
    const orderA = orderIdOf(a);
    await inboxA.waitFor((all) => all.some((r) => r.body?.order_id === orderA));
    expect((await pollAttempts(orderA)).map((x) => x.request_id)).toEqual(['only-a']);
    expect(inboxB.received.some((r) => r.headers['x-request-id'] === 'only-a')).toBe(false);
    expect(inboxA.received.some((r) => r.headers['x-request-id'] === 'only-b')).toBe(false);
    const orderB = orderIdOf(b);
    await inboxB.waitFor((all) => all.some((r) => r.body?.order_id === orderB));
    expect((await pollAttempts(orderB)).map((x) => x.request_id)).toEqual(['only-b']);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['a space', 'a b'],
    ['a quote and angle brackets', '"><script>'],
    ['a comma (a repeated header arrives joined)', 'a, b'],
    ['empty', ''],
  ])('is replaced by a made one when it has %s, and the request is served', async (_name, sent) => {
    const res = await pay(merchantA, { 'x-request-id': sent });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(MADE);
    const orderId = orderIdOf(res);
    await inboxA.waitFor((all) => all.some((r) => r.body?.order_id === orderId));
    expect(inboxA.received.find((r) => r.body?.order_id === orderId)!.headers['x-request-id']).toBe(
      res.headers.get('x-request-id'),
    );
  });

  it('of 128 characters is kept', async () => {
    const id = 'A1._:@/+=-'.repeat(12).concat('abcdefgh');
    expect(id).toHaveLength(128);
    const res = await rawPost(gw.baseUrl, '/apis/payments/query', '{}', { 'x-request-id': id });
    expect(res.headers.get('x-request-id')).toBe(id);
  });

  it('is replaced when repeated, or when it holds bytes beyond ASCII', async () => {
    const repeated = await new Promise<string>((resolve) => {
      const slow = openSlow(
        gw.baseUrl,
        'GET /nowhere HTTP/1.1\r\nHost: x\r\nX-Request-ID: one\r\nX-Request-ID: two\r\nConnection: close\r\n\r\n',
      );
      slow.socket.once('close', () => resolve(slow.received()));
    });
    expect(repeated).toMatch(/^HTTP\/1\.1 404 /);
    expect(/\r\nx-request-id: (\S+)\r\n/i.exec(repeated)?.[1]).toMatch(MADE);
    const unicode = await new Promise<string>((resolve) => {
      const slow = openSlow(gw.baseUrl, '');
      slow.socket.write(
        Buffer.concat([
          Buffer.from('GET /nowhere HTTP/1.1\r\nHost: x\r\nX-Request-ID: caf'),
          Buffer.from('é\u2028\u001b[31m', 'utf8'),
          Buffer.from('\r\nConnection: close\r\n\r\n'),
        ]),
      );
      slow.socket.once('close', () => resolve(slow.received()));
    });
    expect(unicode).toMatch(/^HTTP\/1\.1 (404|400) /);
    expect(/\r\nx-request-id: (\S+)\r\n/i.exec(unicode)?.[1]).toMatch(MADE);
    expect(unicode).not.toContain('caf');
  });
});

describe('an id of its own', () => {
  it('is made for a request without one, different for each', async () => {
    const [one, two] = await Promise.all([pay(merchantA), pay(merchantA)]);
    const ids = [one.headers.get('x-request-id'), two.headers.get('x-request-id')];
    expect(ids[0]).toMatch(MADE);
    expect(ids[1]).toMatch(MADE);
    expect(ids[0]).not.toBe(ids[1]);
    const many = new Set(Array.from({ length: 2000 }, () => newRequestId()));
    expect(many.size).toBe(2000);
  });

  it('is echoed on a 404, a refusal, a 413 and the raw answer to a malformed request', async () => {
    const missing = await send(gw.baseUrl, {
      method: 'GET',
      path: '/no/such/page',
      headers: { 'x-request-id': 'lost-1' },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('lost-1');
    const unsigned = await rawPost(gw.baseUrl, '/apis/payments', '{}', { 'x-request-id': 'refused-1' });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(unsigned.headers.get('x-request-id')).toBe('refused-1');
    const big = await rawPost(gw.baseUrl, '/apis/payments', 'x'.repeat(70 * 1024), {
      'x-request-id': 'big-1',
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('x-request-id')).toBe('big-1');
    const malformed = await new Promise<string>((resolve) => {
      const slow = openSlow(gw.baseUrl, 'NOT HTTP AT ALL\r\n\r\n');
      slow.socket.once('close', () => resolve(slow.received()));
    });
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    expect(/\r\nx-request-id: (\S+)\r\n/i.exec(malformed)?.[1]).toMatch(MADE);
  });
});

async function pollAttempts(orderId: string): Promise<AttemptRow[]> {
  for (let i = 0; ; i++) {
    const attempts = await attemptsOf(orderId);
    if (attempts.length > 0 || i > 3000) return attempts;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('log lines', () => {
  it('every line a request logs carries its id as reqId', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const app = createInstance({
      logger: pino({ level: 'info' }, sink),
      limits: { ...DEFAULT_TIMEOUTS, maxConnectionsPerIp: 0 },
      rateLimits: new RateLimits({ perIp: undefined, perMerchant: undefined }, Date.now),
    });
    app.get('/twice', async (request) => {
      request.log.info('first');
      request.log.child({ step: 2 }).warn('second');
      return 'ok';
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`${url}/twice`, { headers: { 'x-request-id': 'traced-1' } });
      expect(res.headers.get('x-request-id')).toBe('traced-1');
      const made = await fetch(`${url}/twice`);
      const madeId = made.headers.get('x-request-id');
      expect(madeId).toMatch(MADE);
      const mine = lines.filter((l) => l.msg === 'first' || l.msg === 'second');
      expect(mine.map((l) => l.reqId)).toEqual(['traced-1', 'traced-1', madeId, madeId]);
    } finally {
      await app.close();
    }
  });
});
