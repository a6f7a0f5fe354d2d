/**
 * Answers that verify but must still not be believed (docs/security.md, "Answers the SDK
 * accepts"): a genuine answer captured earlier and replayed for another request, another
 * merchant's answer, an answer signed too long ago, over v1.2 and v3; and the one stale answer
 * that is believed, the gateway's 206004 refusal of a client whose clock is off.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  OpenKKA,
  OpenKKAApiError,
  type OpenKKAOptions,
  OpenKKAResponseMismatchError,
  OpenKKASignatureError,
  type Protocol,
} from '../src/index.ts';
import { type KeyPair, ok, orderData, refundData, rsaKeyPair } from './fake-gateway.ts';
import { startV3FakeGateway, type V3FakeGateway, type V3Reply, v3Ok, v3Refusal } from './fake-gateway-v3.ts';
import { useFakeGateway } from './harness.ts';

const NOW = 1_767_225_600_000;
const MINUTE = 60_000;

/** A kept answer: what an attacker in the middle recorded, to hand back later. */
interface Captured {
  status: number;
  headers: [string, string][];
  body: ArrayBuffer;
}

/**
 * An attacker in the middle, as the client's fetch: passes requests on and keeps every answer,
 * until `replay` is set; from then on it answers every request with that captured answer.
 */
function middle() {
  const kept: Captured[] = [];
  const state: { replay?: Captured } = {};
  const intercept: typeof fetch = async (input, init) => {
    const forged = state.replay;
    if (forged) return new Response(forged.body.slice(0), { status: forged.status, headers: forged.headers });
    const answer = await fetch(input, init);
    const captured = {
      status: answer.status,
      headers: [...answer.headers],
      body: await answer.arrayBuffer(),
    };
    kept.push(captured);
    return new Response(captured.body.slice(0), { status: captured.status, headers: captured.headers });
  };
  return { fetch: intercept, kept, state };
}

/** The error a call rejects with, asserted to be the mismatch error of `kind` about `field`. */
async function mismatch(call: Promise<unknown>, kind: string, field: string) {
  const error = await call.then(
    () => expect.fail('the answer was accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenKKAResponseMismatchError);
  expect(error).toBeInstanceOf(OpenKKASignatureError);
  expect(error).toMatchObject({ kind, field });
  return error as OpenKKAResponseMismatchError;
}

describe('v1.2 answers', () => {
  const fake = useFakeGateway();
  let clock = NOW;
  const at = (options: Partial<OpenKKAOptions> = {}) => ({ now: () => clock, ...options });
  afterEach(() => {
    clock = NOW;
  });

  it('a captured answer for order T-1, replayed to a query for T-2, is refused', async () => {
    const mitm = middle();
    const { client } = await fake.clientFor(
      (request) => ok(orderData({ trans_id: request.body['trans_id'] })),
      at({ fetch: mitm.fetch }),
    );
    expect((await client.payments.query({ trans_id: 'T-1' })).trans_id).toBe('T-1');

    mitm.state.replay = mitm.kept[0]!;
    const error = await mismatch(client.payments.query({ trans_id: 'T-2' }), 'other-request', 'trans_id');
    expect(error.message).toMatch(/trans_id is "T-1", not "T-2"/);
    expect(error.httpStatus).toBe(200);
  });

  it('the same captured answer, replayed for the same order 6 minutes later, is refused as stale', async () => {
    const mitm = middle();
    const { client } = await fake.clientFor(() => ok(orderData()), at({ fetch: mitm.fetch }));
    await client.payments.query({ trans_id: 'T-1' });

    mitm.state.replay = mitm.kept[0]!;
    clock += 6 * MINUTE;
    await mismatch(client.payments.query({ trans_id: 'T-1' }), 'stale', 'timestamp');
  });

  it('is bound to the identifiers the request named: order_id, session_id, refund ids, ori_order_id', async () => {
    const { client } = await fake.clientFor((request) => {
      if (request.url.endsWith('/refund')) return ok(refundData({ ori_order_id: 'GW-other' }));
      if (request.url.endsWith('/refund/query')) return ok(refundData({ refund_order_id: 'RG-other' }));
      return ok(orderData({ order_id: 'GW-other' }));
    }, at());
    await mismatch(client.payments.void({ order_id: 'GW1000001' }), 'other-request', 'order_id');
    await mismatch(client.payments.query({ session_id: 'CS-1' }), 'other-request', 'session_id');
    await mismatch(
      client.refunds.query({ refund_order_id: 'RG1000001' }),
      'other-request',
      'refund_order_id',
    );
    await mismatch(
      client.refunds.create({
        refund_trans_id: 'R-1',
        ori_order_id: 'GW1000001',
        refund_amount: 1,
        currency: 'USD',
      }),
      'other-request',
      'ori_order_id',
    );
  });

  it('refuses a token list of another shopper, and an answer naming another merchant', async () => {
    const token = {
      token: 'TK00000000000000000001',
      token_usage: 'ONE_CLICK',
      payment_method: 'BANKCARD',
      status: 'ACTIVATE',
      shopper_reference: 'S-other',
      card_info: { bin: '424242', last4: '4242', card_brand: 'VISA', exp_month: '12', exp_year: '2030' },
    };
    const { client } = await fake.clientFor(
      (request) => (request.url.includes('token') ? ok([token]) : ok(orderData({ merchant_id: 'M200' }))),
      at(),
    );
    await mismatch(client.tokens.query({ shopper_reference: 'S-1' }), 'other-request', 'shopper_reference');
    await mismatch(client.payments.query({ trans_id: 'T-1' }), 'other-merchant', 'merchant_id');
  });

  it("refuses another merchant's captured answer: over v1.2 its signature names that merchant", async () => {
    const mitm = middle();
    const gateway = await fake.start((request) =>
      ok(orderData({ merchant_id: request.body['merchant_id'], trans_id: request.body['trans_id'] })),
    );
    const other = fake.client(gateway.url, at({ fetch: mitm.fetch, merchantId: 'M200' })).client;
    await other.payments.query({ trans_id: 'T-1' });

    mitm.state.replay = mitm.kept[0]!;
    const victim = fake.client(gateway.url, at({ fetch: mitm.fetch })).client;
    await expect(victim.payments.query({ trans_id: 'T-1' })).rejects.toThrow(OpenKKASignatureError);
  });

  it('refuses an answer signed 6 minutes ago or ahead, accepts one 4 minutes old, and takes answerToleranceMs', async () => {
    let answeredAt = NOW - 6 * MINUTE;
    const { client, gateway } = await fake.clientFor(() => ({ ...ok(orderData()), answeredAt }), at());
    const error = await mismatch(client.payments.query({ trans_id: 'T-1' }), 'stale', 'timestamp');
    expect(error.message).toMatch(/360000 ms before this client's clock/);

    answeredAt = NOW + 6 * MINUTE;
    await mismatch(client.payments.query({ trans_id: 'T-1' }), 'stale', 'timestamp');

    answeredAt = NOW - 4 * MINUTE;
    expect((await client.payments.query({ trans_id: 'T-1' })).order_id).toBe('GW1000001');

    const strict = fake.client(gateway.url, at({ answerToleranceMs: MINUTE })).client;
    await mismatch(strict.payments.query({ trans_id: 'T-1' }), 'stale', 'timestamp');
    expect(() => fake.client(gateway.url, { answerToleranceMs: Number.NaN })).toThrow(/answerToleranceMs/);
  });

  it('refuses a stale signed refusal, but surfaces 206004 as the API error it is: the client clock is off', async () => {
    let retCode = '206004';
    // The gateway's clock is 10 minutes behind this client's: it refuses the request as expired.
    const { client } = await fake.clientFor(
      () => ({
        status: 401,
        envelope: { ret_code: retCode, ret_msg: 'Signature expired' },
        answeredAt: NOW - 10 * MINUTE,
      }),
      at(),
    );
    const expired = await client.payments.query({ trans_id: 'T-1' }).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(OpenKKAApiError);
    expect(expired).toMatchObject({ retCode: '206004', httpStatus: 401 });

    retCode = '206024';
    await mismatch(client.payments.query({ trans_id: 'T-1' }), 'stale', 'timestamp');
  });
});

describe('v3 answers', () => {
  let merchant: KeyPair;
  let platform: KeyPair;
  let running: V3FakeGateway | undefined;
  beforeAll(() => {
    merchant = rsaKeyPair();
    platform = rsaKeyPair();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  const start = async (reply: Parameters<typeof startV3FakeGateway>[0]['reply']) => {
    running = await startV3FakeGateway({
      merchantPublicKey: merchant.publicKey,
      platformPrivateKey: platform.privateKey,
      reply,
    });
    return running;
  };
  const client = (baseUrl: string, options: Partial<OpenKKAOptions<Protocol>> = {}) =>
    new OpenKKA<Protocol>({
      baseUrl,
      merchantId: 'M100',
      privateKey: merchant.privateKey,
      platformPublicKey: platform.publicKey,
      protocol: 'v3',
      now: () => NOW,
      ...options,
    });
  /** The order a v3 gateway answers for the request: its merchant and trans_id. */
  const echo = (request: { body: Record<string, unknown> }): V3Reply => {
    const { timestamp: _timestamp, ...order } = orderData({
      merchant_id: request.body['merchant_id'],
      trans_id: request.body['trans_id'],
    });
    return v3Ok(order);
  };

  it('a captured answer for T-1 replayed for T-2, or for another merchant, is refused', async () => {
    const mitm = middle();
    const gateway = await start(echo);
    const victim = client(gateway.url, { fetch: mitm.fetch });
    await victim.payments.query({ trans_id: 'T-1' });
    await client(gateway.url, { fetch: mitm.fetch, merchantId: 'M200' }).payments.query({ trans_id: 'T-2' });

    mitm.state.replay = mitm.kept[0]!;
    await mismatch(victim.payments.query({ trans_id: 'T-2' }), 'other-request', 'trans_id');
    // M200's answer verifies for M100 (a v3 signature covers the path, not the merchant).
    mitm.state.replay = mitm.kept[1]!;
    await mismatch(victim.payments.query({ trans_id: 'T-2' }), 'other-merchant', 'merchant_id');
  });

  it('refuses an answer 6 minutes old, accepts a fresh matching one', async () => {
    let answeredAt: number | undefined = NOW - 6 * MINUTE;
    const gateway = await start((request) => ({ ...echo(request), ...(answeredAt ? { answeredAt } : {}) }));
    const payer = client(gateway.url);
    await mismatch(payer.payments.query({ trans_id: 'T-1' }), 'stale', 'timestamp');

    answeredAt = undefined;
    const order = await payer.payments.query({ trans_id: 'T-1' });
    expect(order).toMatchObject({ merchant_id: 'M100', trans_id: 'T-1' });
  });

  it('surfaces a stale 206004 refusal as OpenKKAApiError, and refuses any other stale refusal', async () => {
    let retCode = '206004';
    const gateway = await start(() => ({
      ...v3Refusal(401, retCode, 'Signature expired'),
      answeredAt: NOW + 10 * MINUTE,
    }));
    const payer = client(gateway.url);
    await expect(payer.payments.query({ trans_id: 'T-1' })).rejects.toMatchObject({
      name: 'OpenKKAApiError',
      retCode: '206004',
    });

    retCode = '300070';
    await mismatch(payer.payments.query({ trans_id: 'T-1' }), 'stale', 'timestamp');
  });
});
