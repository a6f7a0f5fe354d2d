/**
 * Strict input (docs/security.md#strict-input): a body means one thing or is refused. Duplicate
 * keys (JSON.parse let the last win: a signed `"amount":1000,…,"amount":1` charged 1), bytes
 * that are not UTF-8 (read as U+FFFD, so two trans_ids became one), a non-integer that reads
 * as an integer (1000.00000000000001 charged 1000) and impossible dates (expire_time 0000-01-01
 * was taken) are refused with a 010000 that says why, over v1.2, over v3 and from the card
 * frame, and nothing is stored or charged.
 */
import { createSign } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { countOrders } from '../helpers/payments.ts';
import { type RawResponse, rawPost } from '../helpers/raw.ts';
import { newTestNonce } from '../helpers/v3.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

type Wire = 'v1.2' | 'v3';
const PATHS: Record<Wire, string> = { 'v1.2': '/apis/payments', v3: '/v3/payment/acq/pay' };

/** Signs the exact bytes of `body` as `merchant` over `wire` (docs/signing.md) and posts them. */
async function send(
  wire: Wire,
  merchant: TestMerchant,
  body: Buffer,
  path = PATHS[wire],
): Promise<RawResponse> {
  const timestamp = String(Date.now());
  const signer = createSign('sha256');
  if (wire === 'v1.2') {
    // The body's own merchant_id and timestamp are what v1.2 signs: the test bodies carry both.
    const { merchant_id, timestamp: sent } = JSON.parse(body.toString('latin1')) as Record<string, string>;
    signer.update(`merchantId=${merchant_id}&timestamp=${sent}&requestBody=`).update(body);
    const signature = signer.sign(merchant.privateKey, 'base64');
    return rawPost(gw.baseUrl, path, body, { signature, type: 'RSA256', version: 'v1.2' });
  }
  const nonce = newTestNonce();
  signer.update(`POST\n${path}\n${timestamp}\n${nonce}\n`).update(body);
  return rawPost(gw.baseUrl, path, body, {
    'x-paykka-appid': merchant.merchantId,
    'x-paykka-timestamp': timestamp,
    'x-paykka-nonce': nonce,
    'x-paykka-sign': encodeURIComponent(signer.sign(merchant.privateKey, 'base64')),
  });
}

/** A card payment's JSON text for `merchant`, with `extra` written by hand before the last brace. */
function paymentText(merchant: TestMerchant, extra = '', overrides: Record<string, unknown> = {}): string {
  const body = {
    merchant_id: merchant.merchantId,
    timestamp: String(Date.now()),
    ...cardPayment(overrides),
  };
  const text = JSON.stringify(body);
  return extra === '' ? text : `${text.slice(0, -1)},${extra}}`;
}

function expectRefused(res: RawResponse, message: string): void {
  expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
    status: 400,
    ret_code: '010000',
  });
  expect(res.json.ret_msg).toBe(`Invalid request: ${message}`);
}

describe.each<Wire>(['v1.2', 'v3'])('over %s', (wire) => {
  let merchant: TestMerchant;
  let orders: number;
  beforeAll(async () => {
    merchant = await gw.createMerchant();
  });
  // Each refusal below must leave the merchant's orders as they were.
  beforeEach(async () => {
    orders = await countOrders(gw, merchant.merchantId);
  });
  const expectNothingStored = async () => expect(await countOrders(gw, merchant.merchantId)).toBe(orders);

  it('a signed body with "amount":1000,…,"amount":1 is refused, and nothing is charged', async () => {
    const text = paymentText(merchant, '"amount":1');
    expect(JSON.parse(text).amount).toBe(1); // what the gateway used to charge
    expectRefused(await send(wire, merchant, Buffer.from(text)), 'duplicate key "amount"');
    // Written escaped, it is the same key.
    const escaped = paymentText(merchant, '"\\u0061mount":1');
    expectRefused(await send(wire, merchant, Buffer.from(escaped)), 'duplicate key "amount"');
    await expectNothingStored();
  });

  it('a duplicate key nested in payment is refused, naming where', async () => {
    const text = paymentText(merchant).replace(
      '"card_no":"4242424242424242"',
      '"card_no":"4242424242424242","card_no":"4000000000000002"',
    );
    expectRefused(await send(wire, merchant, Buffer.from(text)), 'duplicate key "card_no" in payment');
    await expectNothingStored();
  });

  it('bytes that are not UTF-8 in trans_id are refused: two byte strings never become one trans_id', async () => {
    for (const bad of [[0xff], [0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const marker = 'TRANS_ID_HERE';
      const [before, after] = paymentText(merchant, '', { trans_id: marker }).split(marker) as [
        string,
        string,
      ];
      const raw = Buffer.concat([Buffer.from(`${before}t-`), Buffer.from(bad), Buffer.from(after)]);
      expectRefused(await send(wire, merchant, raw), 'the body is not valid UTF-8');
    }
    await expectNothingStored();
    // U+FFFD itself, sent as UTF-8, is an ordinary character: one order, of its own.
    const text = paymentText(merchant, '', { trans_id: `t-\uFFFD-${wire}` });
    const res = await send(wire, merchant, Buffer.from(text));
    expect(res.json.ret_code, res.text).toBe('000000');
    expect(await countOrders(gw, merchant.merchantId)).toBe(orders + 1);
  });

  it('an amount of 1000.00000000000001 is refused: not an integer, though JSON.parse reads 1000', async () => {
    const text = paymentText(merchant, '', { amount: 777 }).replace(
      '"amount":777',
      '"amount":1000.00000000000001',
    );
    expect(JSON.parse(text).amount).toBe(1000);
    expectRefused(
      await send(wire, merchant, Buffer.from(text)),
      'amount must be an integer: 1000.00000000000001 is not one, though it would be read as 1000',
    );
    await expectNothingStored();
  });

  it.each([
    ['0000-01-01T00:00:00+08:00', 'expire_time must be in 1970 or later'],
    ['0000-01-01 00:00:00', 'expire_time must be in 1970 or later'],
    ['2025-02-30 10:00:00', 'expire_time names day 30 of 2025-02, which has 28 days'],
    ['2031-13-01T00:00:00Z', 'expire_time names month 13, which does not exist (01 to 12)'],
    ['2031-05-06T24:00:00+08:00', 'expire_time names hour 24, which does not exist (00 to 23)'],
  ])('expire_time %s is refused', async (expireTime, message) => {
    const text = paymentText(merchant, '', { expire_time: expireTime });
    expectRefused(await send(wire, merchant, Buffer.from(text)), message);
    await expectNothingStored();
  });

  it('the same payment, written once and plainly, is taken', async () => {
    const text = paymentText(merchant, '', { amount: 1000, expire_time: '2031-05-06 14:40:43' });
    const res = await send(wire, merchant, Buffer.from(text));
    expect(res.json.ret_code, res.text).toBe('000000');
    expect((res.json.data as Record<string, unknown>).amount).toBe(1000);
  });
});

describe('the card frame reads its JSON as strictly', () => {
  it.each([
    [
      'a duplicate key',
      Buffer.from('{"card_no":"4242424242424242","card_no":"4000000000000002"}'),
      'duplicate key "card_no"',
    ],
    [
      'bytes that are not UTF-8',
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      'the body is not valid UTF-8',
    ],
  ])('%s is refused', async (_what, body, message) => {
    const res = await rawPost(gw.baseUrl, '/cp/frame/SESSION/pay', body);
    expectRefused(res, message);
  });
});
