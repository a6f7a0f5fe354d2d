/**
 * Finding 1: a signed v1.2 request could be sent again for the whole signature window, and to
 * another endpoint (the v1.2 signature does not cover the path): a /payments/query body sent to
 * /payments/void voided the order. Now a signature is accepted once per merchant, however its
 * header is written, across gateway processes on one store; the repeat is refused with 300071,
 * signed, and changes nothing. Only a request that passed the signature and the window check
 * uses its signature up, and the expiry job forgets it once the window has passed.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { buildApp } from '../../src/app.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { openRuntime } from '../../src/runtime.ts';
import { listen } from '../../src/server.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { events, MoneyApi } from '../helpers/money.ts';
import { type RawResponse, rawPost, responseSignatureValid, signBody } from '../helpers/raw.ts';

const clock = new ManualClock();
let gw: TestGateway;
let merchant: TestMerchant;
let api: MoneyApi;

beforeAll(async () => {
  gw = await startGateway({ clock });
  merchant = await gw.createMerchant();
  api = new MoneyApi(gw, merchant, clock);
});
afterAll(() => gw?.close());

/** One request signed once: its exact bytes and its signature, to be sent as often as a test likes. */
interface Captured {
  text: string;
  signature: string;
  /** Its timestamp. */
  at: number;
}

let made = 0;
/** A request of `merchant` signed now; each gets a timestamp of its own, so none repeats another. */
function capture(fields: Record<string, unknown>, at = clock.now() + made++): Captured {
  const text = JSON.stringify({ merchant_id: merchant.merchantId, ...fields, timestamp: at });
  return { text, signature: signBody(merchant.merchantId, at, text, merchant.privateKey), at };
}

const send = (path: string, request: Captured, signature = request.signature, url = gw.baseUrl) =>
  rawPost(url, path, request.text, { signature, type: 'RSA256', version: 'v1.2' });

/** The refusal of a repeat: its own code, the bare envelope, signed for the merchant like every answer. */
function expectReused(res: RawResponse): void {
  expect([res.status, res.json.ret_code], res.text).toEqual([401, '300071']);
  expect(res.json).toEqual({ ret_code: '300071', ret_msg: 'Signature already used' });
  expect(responseSignatureValid(res, merchant.merchantId, gw.platformPublicKeyPem)).toBe(true);
}

/** How many of the merchant's signatures the store holds (PostgreSQL counts in a bigint, a string). */
const kept = async () =>
  Number(
    (
      await gw.runtime.store.writer
        .selectFrom('used_signatures')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('merchant_id', '=', merchant.merchantId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('a signed v1.2 request sent again', () => {
  it('is refused with 300071 and changes nothing: a partial capture sent 4 times captures once', async () => {
    const order = await api.authorized(1000);
    const partial = capture({ order_id: order.order_id, amount: 100, currency: 'USD', capture_final: false });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await send('/apis/payments/capture', partial));
    expect(answers[0]!.json.ret_code, answers[0]!.text).toBe('000000');
    for (const repeat of answers.slice(1)) expectReused(repeat);
    expect((await api.order(order.order_id)).balances).toMatchObject({
      captured_amount: 100,
      able_to_capture_amount: 900,
    });
    expect((await events(gw, order.order_id)).map((e) => e.type)).toEqual(['AUTHORIZATION', 'CAPTURE']);
  });

  it('to another endpoint is refused: a /payments/query body replayed to /payments/void voids nothing', async () => {
    const order = await api.authorized(1000);
    const query = capture({ order_id: order.order_id });
    const asked = await send('/apis/payments/query', query);
    expect(asked.json.ret_code, asked.text).toBe('000000');
    for (const path of ['/apis/payments/void', '/payments/void', '/payments/query']) {
      expectReused(await send(path, query));
    }
    expect(await api.order(order.order_id)).toMatchObject({
      status: 'AUTHORIZED',
      balances: { voided_amount: 0, able_to_capture_amount: 1000 },
    });
    expect((await events(gw, order.order_id)).map((e) => e.type)).toEqual(['AUTHORIZATION']);
  });

  it('20 copies at once: exactly one is served', async () => {
    const order = await api.authorized(1000);
    const partial = capture({ order_id: order.order_id, amount: 10, currency: 'USD', capture_final: false });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => send('/apis/payments/capture', partial)),
    );
    const codes = answers.map((a) => a.json.ret_code);
    expect(codes.filter((c) => c === '000000')).toHaveLength(1);
    expect(codes.filter((c) => c === '300071')).toHaveLength(19);
    expect((await api.order(order.order_id)).balances.captured_amount).toBe(10);
  });

  it('is one request however its signature header is written: Bearer, %-encoded, without padding', async () => {
    const query = capture({ trans_id: 'no-such-order' });
    expect(query.signature).toMatch(/=$/);
    const first = await send('/apis/payments/query', query, `Bearer ${query.signature}`);
    expect(first.json.ret_code, first.text).toBe('206024');
    for (const variant of [
      query.signature,
      `bearer ${query.signature}`,
      encodeURIComponent(query.signature),
      query.signature.replace(/=+$/, ''),
      `  ${query.signature}  `,
    ]) {
      expectReused(await send('/apis/payments/query', query, variant));
    }
  });
});

describe('what cannot use a signature up', () => {
  it('a forged signature, the genuine one over other bytes, or the request outside the window', async () => {
    const order = await api.authorized(1000);
    const voiding = capture({ order_id: order.order_id });
    const before = await kept();

    // Signed by someone else's key over the same bytes.
    const forged = signBody(merchant.merchantId, voiding.at, voiding.text, newKeyPair().privateKey);
    expect((await send('/apis/payments/void', voiding, forged)).json.ret_code).toBe('206003');
    // The genuine signature over a body changed by one field.
    const tampered = { ...voiding, text: voiding.text.replace(order.order_id, `${order.order_id}0`) };
    expect((await send('/apis/payments/void', tampered)).json.ret_code).toBe('206003');
    // The genuine request, while the gateway's clock is past its window.
    const at = clock.now();
    clock.set(voiding.at + gw.config.signatureWindowMs + 1);
    try {
      expect((await send('/apis/payments/void', voiding)).json.ret_code).toBe('206004');
    } finally {
      clock.set(at);
    }
    expect(await kept()).toBe(before);

    const voided = await send('/apis/payments/void', voiding);
    expect(voided.json.ret_code, voided.text).toBe('000000');
    expect(await kept()).toBe(before + 1);
    expectReused(await send('/apis/payments/void', voiding));
  });
});

describe('across gateway processes on one store', () => {
  it('a signature used on one is refused by the other', async () => {
    const runtime = await openRuntime(gw.config);
    const second = buildApp({
      ...runtime,
      acquirer: new SimulatedAcquirer({ clock }),
      clock,
      logger: pino({ level: 'silent' }),
      settings: gw.config,
    });
    const secondUrl = await listen(second.app, '127.0.0.1', 0);
    try {
      const order = await api.authorized(1000);
      const query = capture({ order_id: order.order_id });
      expect((await send('/apis/payments/query', query, undefined, secondUrl)).json.ret_code).toBe('000000');
      expectReused(await send('/apis/payments/void', query));
      const other = capture({ order_id: order.order_id });
      expect((await send('/apis/payments/query', other)).json.ret_code).toBe('000000');
      expectReused(await send('/apis/payments/query', other, undefined, secondUrl));
      expect((await api.order(order.order_id)).status).toBe('AUTHORIZED');
    } finally {
      await second.app.close();
      await runtime.store.close();
    }
  });
});

describe('the signatures kept', () => {
  it('are deleted by the expiry job once no request could use them, and the request stays refused', async () => {
    const query = capture({ trans_id: 'pruned' });
    expect((await send('/apis/payments/query', query)).json.ret_code).toBe('206024');
    const held = await kept();
    expect(held).toBeGreaterThan(0);
    await gw.jobs.runDue();
    expect(await kept()).toBe(held);
    expectReused(await send('/apis/payments/query', query));

    const at = clock.now();
    clock.set(query.at + gw.config.signatureWindowMs + 120_000);
    try {
      await gw.jobs.runDue();
      expect(await kept()).toBe(0);
      // Gone from the store, and no longer inside the window either.
      expect((await send('/apis/payments/query', query)).json.ret_code).toBe('206004');
    } finally {
      clock.set(at);
    }
  });
});
