/**
 * `new OpenKKA({ protocol: 'v3' })` against a fake v3 gateway: the `x-paykka-*` headers and the
 * five-line signature of every request, the v3 path of every operation, the answer's v3
 * signature checked before anything is read, the envelope without `data.timestamp`, the `4032`
 * answer of a session not paid yet, and a fresh nonce on every attempt.
 */
import { afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  isUnpaidSession,
  OpenKKA,
  OpenKKAApiError,
  OpenKKAConnectionError,
  OpenKKAError,
  type OpenKKAOptions,
  OpenKKASignatureError,
  type Order,
  type PaymentQueryResult,
  type Protocol,
  type UnpaidSession,
  V3_PATHS,
} from '../src/index.ts';
import { type KeyPair, orderData, refundData, rsaKeyPair } from './fake-gateway.ts';
import {
  startV3FakeGateway,
  type V3FakeGateway,
  type V3ReceivedRequest,
  type V3Reply,
  v3Ok,
  v3Refusal,
} from './fake-gateway-v3.ts';

const NOW = 1_767_225_600_000;

let merchant: KeyPair;
let platform: KeyPair;
let rogue: KeyPair;
let running: V3FakeGateway | undefined;

beforeAll(() => {
  merchant = rsaKeyPair();
  platform = rsaKeyPair();
  rogue = rsaKeyPair();
});
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** An order as a v3 answer carries it: no `timestamp`. */
function v3Order(overrides: Record<string, unknown> = {}) {
  const { timestamp: _timestamp, ...order } = orderData(overrides);
  return order;
}

/** The identifiers a request named, which an answer about it carries. */
function named(body: Record<string, unknown>): Record<string, unknown> {
  const ids = ['trans_id', 'order_id', 'session_id', 'refund_trans_id', 'refund_order_id', 'ori_order_id'];
  return Object.fromEntries(Object.entries(body).filter(([name]) => ids.includes(name)));
}

async function start(reply: (request: V3ReceivedRequest, index: number) => V3Reply) {
  running = await startV3FakeGateway({
    merchantPublicKey: merchant.publicKey,
    platformPrivateKey: platform.privateKey,
    reply,
  });
  return running;
}

/** A v3 client of merchant M100 whose clock ticks one second per read and whose sleeps are recorded. */
function v3Client(baseUrl: string, options: Partial<OpenKKAOptions<'v3'>> = {}) {
  let clock = NOW;
  const sleeps: number[] = [];
  const client = new OpenKKA({
    baseUrl,
    merchantId: 'M100',
    privateKey: merchant.privateKey,
    platformPublicKey: platform.publicKey,
    protocol: 'v3',
    now: () => (clock += 1_000),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { client, sleeps };
}

async function clientFor(reply: (request: V3ReceivedRequest, index: number) => V3Reply, options = {}) {
  const gateway = await start(reply);
  return { gateway, ...v3Client(gateway.url, options) };
}

describe('v3 requests', () => {
  it('are signed over method, path, timestamp, nonce and body in the x-paykka-* headers', async () => {
    const { client, gateway } = await clientFor(() => v3Ok(v3Order()));
    await client.payments.query({ trans_id: 'T-1' });

    const [request] = gateway.received;
    expect(request!.signatureValid).toBe(true);
    expect(request!.url).toBe('/v3/payment/acq/query');
    expect(request!.appId).toBe('M100');
    expect(request!.timestamp).toBe(String(NOW + 1_000));
    expect(request!.nonce).toMatch(/^\d{16}$/);
    expect(request!.headers['x-paykka-sign-alg']).toBe('SHA256_WITH_RSA');
    expect(request!.headers['content-type']).toBe('application/json');
    // Percent-encoded as PayKKa's clients send it.
    expect(request!.headers['x-paykka-sign']).toMatch(/^[A-Za-z0-9%]+$/);
    // None of v1.2's headers.
    for (const name of ['signature', 'type', 'version']) expect(request!.headers[name]).toBeUndefined();
  });

  it('carry merchant_id in the body but no timestamp or version, whatever the params say', async () => {
    const { client, gateway } = await clientFor(() => v3Ok(v3Order()));
    await client.payments.query({
      trans_id: 'T-1',
      ...({ merchant_id: 'someone-else', timestamp: 1 } as object),
    });
    expect(gateway.received[0]!.body).toEqual({ merchant_id: 'M100', trans_id: 'T-1' });
  });

  it('send appId as x-paykka-appid when given, and merchantId in the body', async () => {
    const { client, gateway } = await clientFor(() => v3Ok(v3Order()), { appId: 'shop-app-7' });
    await client.payments.query({ order_id: 'GW1000001' });
    expect(gateway.received[0]!.appId).toBe('shop-app-7');
    expect(gateway.received[0]!.body['merchant_id']).toBe('M100');
    expect(gateway.received[0]!.signatureValid).toBe(true);
  });

  it('sign the path as sent: the base path of baseUrl and an apiPrefix included', async () => {
    const gateway = await start(() => v3Ok(v3Order()));
    await v3Client(`${gateway.url}/pay/`).client.payments.query({ trans_id: 'T-1' });
    await v3Client(gateway.url, { apiPrefix: '/edge' }).client.payments.query({ trans_id: 'T-1' });
    expect(gateway.received.map((r) => [r.url, r.signatureValid])).toEqual([
      ['/pay/v3/payment/acq/query', true],
      ['/edge/v3/payment/acq/query', true],
    ]);
  });

  it('go to the v3 path of every operation', async () => {
    const { client, gateway } = await clientFor((request) => {
      const path = request.url;
      // Each answer about what the request named, as the client checks it is.
      const about = named(request.body);
      if (path.includes('/refund')) return v3Ok(refundData(about));
      if (path.includes('/token/query')) return v3Ok([]);
      if (path.includes('/session')) return v3Ok({ session_id: 'CS1', status: 'OPEN', ...about });
      if (path.endsWith('/remove') || path.endsWith('/cancel')) return v3Ok(undefined);
      return v3Ok(v3Order(about));
    });
    const card = { card_no: '4242424242424242', exp_month: '12', exp_year: '2030', cvv: '123' };
    await client.payments.create({
      trans_id: 'T-1',
      payment_type: 'PURCHASE',
      currency: 'USD',
      amount: 1000,
      payment: { payment_method: 'BANKCARD', ...card },
    });
    await client.payments.createFirstRecurring({
      trans_id: 'T-2',
      currency: 'USD',
      amount: 1000,
      return_url: 'https://shop.example/return',
      payment: { ...card, shopper_reference: 'S1' },
    });
    await client.payments.createSubsequentRecurring({
      trans_id: 'T-3',
      currency: 'USD',
      amount: 1000,
      recurring_agreement_id: 'RA1',
      token: 'TK1',
      shopper_reference: 'S1',
    });
    await client.payments.query({ trans_id: 'T-1' });
    await client.payments.capture({ order_id: 'GW1', amount: 100, currency: 'USD' });
    await client.payments.void({ order_id: 'GW1' });
    await client.refunds.create({
      refund_trans_id: 'R-1',
      ori_order_id: 'GW1',
      refund_amount: 100,
      currency: 'USD',
    });
    await client.refunds.query({ refund_trans_id: 'R-1' });
    expect(await client.tokens.query({ shopper_reference: 'S1' })).toEqual([]);
    await client.tokens.remove({ token: 'TK1', shopper_reference: 'S1' });
    await client.recurring.cancel({ recurring_agreement_id: 'RA1', shopper_reference: 'S1' });
    await client.sessions.create({
      trans_id: 'T-4',
      currency: 'USD',
      amount: 1000,
      return_url: 'https://shop.example/return',
    });
    await client.sessions.query({ session_id: 'CS1' });

    expect(gateway.received.map((r) => r.url)).toEqual([
      '/v3/payment/acq/pay',
      '/v3/payment/acq/pay',
      '/v3/payment/acq/pay',
      '/v3/payment/acq/query',
      '/v3/payment/acq/capture',
      '/v3/payment/acq/void',
      '/v3/payment/acq/refund',
      '/v3/payment/acq/refund/query',
      '/v3/payment/acq/token/query',
      '/v3/payment/acq/token/remove',
      '/v3/payment/acq/recurring/cancel',
      '/v3/payment/acq/session',
      '/v3/payment/acq/session/query',
    ]);
    expect(gateway.received.every((r) => r.signatureValid)).toBe(true);
    expect(gateway.received.every((r) => !('timestamp' in r.body))).toBe(true);
    expect(V3_PATHS['/payments/apple-pay/create-session']).toBe('/v3/payment/acq/apple-pay/create-session');
  });

  it('refuse an operation with no v3 path before sending anything', async () => {
    const { client, gateway } = await clientFor(() => v3Ok({}));
    const sender = (
      client.payments as unknown as { sender: { post(path: string, p: object): Promise<unknown> } }
    ).sender;
    await expect(sender.post('/payments/unheard-of', {})).rejects.toThrow(/no PayKKa v3 path/);
    expect(gateway.received).toHaveLength(0);
  });
});

describe('v3 answers', () => {
  const query = { trans_id: 'T-1' };

  it('are unwrapped without data.timestamp', async () => {
    const { client } = await clientFor(() => v3Ok(v3Order()));
    const order = await client.payments.query({ order_id: 'GW1000001' });
    expect(isUnpaidSession(order)).toBe(false);
    if (isUnpaidSession(order)) throw new Error('unreachable');
    expect(order.order_id).toBe('GW1000001');
    expect(order.timestamp).toBeUndefined();
  });

  it('accept a signature sent as plain base64', async () => {
    const { client } = await clientFor(() => ({ ...v3Ok(v3Order()), plainSignature: true }));
    await expect(client.payments.query(query)).resolves.toMatchObject({ order_id: 'GW1000001' });
  });

  it('are refused when the body was changed after signing', async () => {
    const genuine = JSON.stringify(v3Ok(v3Order({ status: 'FAILURE' })).envelope);
    const forged = JSON.stringify(v3Ok(v3Order({ status: 'SUCCESS' })).envelope);
    const { client } = await clientFor(() => ({ rawBody: genuine, tamperedBody: forged }));
    await expect(client.payments.query(query)).rejects.toThrow(OpenKKASignatureError);
  });

  it('are refused when signed over another path (an answer to another request)', async () => {
    const { client } = await clientFor(() => ({
      ...v3Ok(v3Order()),
      signedPath: '/v3/payment/acq/refund/query',
    }));
    await expect(client.payments.query(query)).rejects.toThrow(/does not verify/);
  });

  it('are refused when signed by another key, or not signed, or missing the timestamp or nonce', async () => {
    for (const [reply, message] of [
      [{ signWith: rogue.privateKey }, /does not verify/],
      [{ signWith: null }, /no x-paykka-sign header/],
      [{ omit: ['x-paykka-timestamp'] }, /no x-paykka-timestamp header/],
      [{ omit: ['x-paykka-nonce'] }, /no x-paykka-nonce header/],
      [{ alg: 'SHA1_WITH_RSA' }, /SHA1_WITH_RSA/],
    ] as const) {
      const { client } = await clientFor(() => ({ ...v3Ok(v3Order()), ...reply }));
      const error = await client.payments.query(query).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenKKASignatureError);
      expect((error as Error).message).toMatch(message);
      await running?.close();
      running = undefined;
    }
  });

  it('are refused when only a v1.2 signature is present', async () => {
    const { client } = await clientFor(() => ({
      ...v3Ok(v3Order()),
      omit: ['x-paykka-sign', 'x-paykka-timestamp', 'x-paykka-nonce'],
    }));
    await expect(client.payments.query(query)).rejects.toThrow(/no x-paykka-sign header/);
  });

  it('turn a signed refusal into OpenKKAApiError, and a forged one into OpenKKASignatureError', async () => {
    const { client, gateway } = await clientFor((_, i) =>
      i === 0
        ? v3Refusal(404, '206024', 'Order does not exist')
        : { ...v3Refusal(404, '206024', 'forged'), signWith: rogue.privateKey },
    );
    const refused = await client.payments.query(query).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenKKAApiError);
    expect(refused).toMatchObject({ retCode: '206024', httpStatus: 404 });
    const forged = await client.payments.query(query).catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(OpenKKASignatureError);
    expect(forged).not.toBeInstanceOf(OpenKKAApiError);
    expect(gateway.received).toHaveLength(2);
  });

  it('answer a reused nonce (300070) as a refusal, not retried', async () => {
    const { client, gateway, sleeps } = await clientFor(() => v3Refusal(401, '300070', 'Nonce already used'));
    await expect(client.payments.query(query)).rejects.toMatchObject({ retCode: '300070', httpStatus: 401 });
    expect(gateway.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('a v3 query of a session not paid yet (4032)', () => {
  const unpaid: UnpaidSession = {
    merchant_id: 'M100',
    trans_id: 'T-9',
    session_id: 'CS10000000000000000001',
    status: 'PROCESSING',
    error_code: '4032',
    error_description: 'The session has no payment yet',
  };

  it('resolves with an UnpaidSession that isUnpaidSession tells from an order', async () => {
    const { client } = await clientFor(() => v3Ok(unpaid));
    const result = await client.payments.query({ session_id: unpaid.session_id });
    expect(result).toEqual(unpaid);
    expect(isUnpaidSession(result)).toBe(true);
    if (!isUnpaidSession(result)) throw new Error('unreachable');
    expect([result.status, result.session_id]).toEqual(['PROCESSING', unpaid.session_id]);
  });

  it('is typed: a v3 query may answer an UnpaidSession, a v1.2 query only an order', () => {
    const options = { baseUrl: 'http://127.0.0.1:9', merchantId: 'M1', privateKey: merchant.privateKey };
    const v3 = new OpenKKA({ ...options, platformPublicKey: platform.publicKey, protocol: 'v3' });
    const v12 = new OpenKKA({ ...options, platformPublicKey: platform.publicKey });
    const either = new OpenKKA({
      ...options,
      platformPublicKey: platform.publicKey,
      protocol: 'v3' as Protocol,
    });
    expectTypeOf(v3).toEqualTypeOf<OpenKKA<'v3'>>();
    expectTypeOf(v12).toEqualTypeOf<OpenKKA<'v1.2'>>();
    expectTypeOf(v3.payments.query).returns.resolves.toEqualTypeOf<Order | UnpaidSession>();
    expectTypeOf(v12.payments.query).returns.resolves.toEqualTypeOf<Order>();
    expectTypeOf(either.payments.query).returns.resolves.toEqualTypeOf<Order | UnpaidSession>();
    expectTypeOf<PaymentQueryResult<'v1.2'>>().toEqualTypeOf<Order>();
    expect([v3.protocol, v12.protocol, either.protocol]).toEqual(['v3', 'v1.2', 'v3']);
  });
});

describe('v3 retries', () => {
  it('sign every attempt after a lost answer with a fresh nonce and timestamp', async () => {
    const { client, gateway, sleeps } = await clientFor((_, i) =>
      i === 0 ? { drop: true } : v3Ok(refundData({ refund_trans_id: 'R-1', ori_order_id: 'GW1' })),
    );
    await expect(
      client.refunds.create({
        refund_trans_id: 'R-1',
        ori_order_id: 'GW1',
        refund_amount: 1,
        currency: 'USD',
      }),
    ).resolves.toMatchObject({ status: 'SUCCESS' });

    expect(gateway.received).toHaveLength(2);
    const [first, second] = gateway.received;
    expect([first!.signatureValid, second!.signatureValid]).toEqual([true, true]);
    expect(second!.nonce).not.toBe(first!.nonce);
    expect(second!.timestamp).not.toBe(first!.timestamp);
    expect(second!.headers['x-paykka-sign']).not.toBe(first!.headers['x-paykka-sign']);
    // The same request otherwise: the refund's own idempotency key makes the repeat safe.
    expect(second!.raw).toBe(first!.raw);
    expect(sleeps).toHaveLength(1);
  });

  it('use a fresh nonce on each of several attempts (HTTP 503), from the injected source', async () => {
    let n = 0;
    const { client, gateway } = await clientFor(
      (_, i) => (i < 2 ? v3Refusal(503, '999999', 'unavailable') : v3Ok(v3Order())),
      { nonce: () => `nonce-${++n}` },
    );
    await client.payments.query({ trans_id: 'T-1' });
    expect(gateway.received.map((r) => r.nonce)).toEqual(['nonce-1', 'nonce-2', 'nonce-3']);
    expect(gateway.received.every((r) => r.signatureValid)).toBe(true);
  });

  it('do not repeat a capture after a lost answer: it has no idempotency key', async () => {
    const { client, gateway } = await clientFor(() => ({ drop: true }));
    await expect(client.payments.capture({ order_id: 'GW1', amount: 1, currency: 'USD' })).rejects.toThrow(
      OpenKKAConnectionError,
    );
    expect(gateway.received).toHaveLength(1);
  });
});

describe('v3 options', () => {
  const base = () => ({
    baseUrl: 'http://127.0.0.1:9',
    merchantId: 'M1',
    privateKey: merchant.privateKey,
    platformPublicKey: platform.publicKey,
  });

  it('default to v1.2, with appId the merchant id', () => {
    const client = new OpenKKA(base());
    expect(client.protocol).toBe('v1.2');
  });

  it('refuse an unknown protocol and an app id no header can carry', () => {
    expect(() => new OpenKKA({ ...base(), protocol: 'v2' as 'v3' })).toThrow(OpenKKAError);
    expect(() => new OpenKKA({ ...base(), protocol: 'v3', appId: 'has space' })).toThrow(/appId/);
    expect(() => new OpenKKA({ ...base(), protocol: 'v3', appId: 'x'.repeat(65) })).toThrow(/appId/);
    expect(new OpenKKA({ ...base(), protocol: 'v3', appId: 'x'.repeat(64) }).protocol).toBe('v3');
  });
});
