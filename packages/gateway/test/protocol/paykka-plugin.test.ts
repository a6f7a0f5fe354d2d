/**
 * PayKKa's v1.2 WooCommerce plugin, unchanged: its exact request bodies (paykka-plugin-bodies.ts),
 * signed as it signs them (SHA256withRSA over `merchantId=…&timestamp=…&requestBody=<the pretty
 * JSON>`, base64, then URL-encoded), with no `version` header, at the paths it uses. The
 * gateway's clock stands at each body's own timestamp, since the plugin's `expire_time` is
 * five minutes after it in Hong Kong time.
 */
import { createSign } from 'node:crypto';
import { type EncryptedCardFields, encryptCard, fetchGatewayKey } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { mintSandboxToken } from '../../src/modules/wallets/google-pay/sandbox-token.ts';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { type RawResponse, rawPost, responseSignatureValid } from '../helpers/raw.ts';
import { cardForm, postForm } from '../helpers/sessions.ts';
import { type ShopperGateway, startShopperGateway } from '../helpers/shopper-gateway.ts';
import { BANKCARD_PAYMENT, GOOGLE_PAY_PAYMENT, HOSTED_SESSION } from './paykka-plugin-bodies.ts';

const PLUGIN_MERCHANT_ID = '13954142990646';
const clock = new ManualClock();
let t: ShopperGateway;

beforeAll(async () => {
  t = await startShopperGateway({ clock });
});
afterAll(() => t?.close());

/** The plugin's body for the test merchant: its merchant id is the only byte that changes. */
function forTestMerchant(body: string): string {
  expect(body).toContain(`"merchant_id": "${PLUGIN_MERCHANT_ID}"`);
  return body.replace(`"merchant_id": "${PLUGIN_MERCHANT_ID}"`, `"merchant_id": "${t.merchant.merchantId}"`);
}

/** Sends `body` as the plugin does, at its own timestamp. */
async function sendAsThePlugin(path: string, body: string): Promise<RawResponse> {
  const timestamp = /"timestamp": (\d+),/.exec(body)![1]!;
  clock.set(Number(timestamp));
  const signature = createSign('sha256')
    .update(`merchantId=${t.merchant.merchantId}&timestamp=${timestamp}&requestBody=${body}`)
    .sign(t.merchant.privateKey, 'base64');
  // PHP's urlencode: `+`, `/` and `=` arrive percent-encoded.
  const headers = {
    'content-type': 'application/json',
    type: 'RSA256',
    signature: encodeURIComponent(signature),
  };
  const res = await rawPost(t.gw.baseUrl, path, body, headers);
  expect(responseSignatureValid(res, t.merchant.merchantId, t.gw.platformPublicKeyPem)).toBe(true);
  return res;
}

/**
 * The plugin's body as it builds it again a second later: the gateway accepts a signature once,
 * and the plugin signs each request it sends afresh, at its own time.
 */
function aSecondLater(body: string): string {
  return body.replace(/"timestamp": (\d+),/, (_, at: string) => `"timestamp": ${Number(at) + 1000},`);
}

describe("the v1.2 WooCommerce plugin's hosted checkout", () => {
  it('creates its session at /apis/session, in Hong Kong time, and gets its own order_id back', async () => {
    const body = forTestMerchant(HOSTED_SESSION);
    expect(body).toContain('"trans_id": 1967860,');
    const res = await sendAsThePlugin('/apis/session', body);
    expect(res.status, res.text).toBe(200);
    expect(res.json.ret_code).toBe('000000');
    const session = res.json.data as Record<string, unknown>;
    expect(session).toMatchObject({
      merchant_id: t.merchant.merchantId,
      trans_id: '1967860',
      session_mode: 'HOSTED',
      status: 'OPEN',
      payment_type: 'PURCHASE',
      amount: 2500,
      currency: 'USD',
      return_url: 'https://shop.example/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=1967860',
      // "2026-12-02 15:38:06" in Hong Kong: five minutes after the request, as the plugin meant.
      expire_time: '2026-12-02T15:38:06+08:00',
    });
    // The fields sent as null are absent, not stored as the text "null".
    expect(session.display_locale).toBeUndefined();
    expect(session.display_merchant_name).toBeUndefined();

    // The shopper pays on the page and comes back to the shop's own callback URL.
    const paid = await postForm(session.session_url as string, cardForm());
    expect(paid.status).toBe(303);
    expect(paid.location).toBe(
      'https://shop.example/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=1967860&trans_id=1967860&status=SUCCESS',
    );

    // Repeating the plugin's request answers the same session, now paid.
    const again = await sendAsThePlugin('/apis/session', aSecondLater(body));
    expect(again.json.data).toMatchObject({ session_id: session.session_id, order_status: 'SUCCESS' });

    // The notification carries the trans_id as a string, as the plugin reads it.
    const [queued] = await t.gw.runtime.store.writer
      .selectFrom('notifications')
      .select(['body', 'url'])
      .where('order_id', '=', (again.json.data as { order_id: string }).order_id)
      .execute();
    expect(queued!.url).toBe('https://shop.example/wp-json/paykka/v1/webhook');
    expect(JSON.parse(queued!.body)).toMatchObject({
      notify_type: 'PAYMENT.SUCCESS',
      trans_id: '1967860',
      status: 'SUCCESS',
      pay_finish_time: '2026-12-02T15:33:06+08:00',
    });
  });
});

describe("the v1.2 WooCommerce plugin's card payment", () => {
  /** The plugin's card body with its four encrypted fields set to `fields`, under `transId`. */
  function withEncryptedFields(transId: number, fields: EncryptedCardFields): string {
    let body = forTestMerchant(BANKCARD_PAYMENT).replace('"trans_id": 1967909,', `"trans_id": ${transId},`);
    for (const [name, value] of Object.entries(fields)) {
      body = body.replace(new RegExp(`"${name}": "[^"]*"`), `"${name}": "${value}"`);
    }
    return body;
  }

  it('passes every field check with its exact body; the placeholder fields end in FAILURE 2004', async () => {
    const res = await sendAsThePlugin('/apis/payments', forTestMerchant(BANKCARD_PAYMENT));
    // The version, the signature, the numeric trans_id and the nulls are all taken; what the
    // fixture holds in place of real encrypted fields is not openkka's format: a business outcome.
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toMatchObject({ trans_id: '1967909', status: 'FAILURE', error_code: '2004' });
  });

  it("is paid with real encrypted fields made under the merchant's client key", async () => {
    const key = await fetchGatewayKey({
      baseUrl: t.gw.baseUrl,
      clientKey: t.merchant.clientKey,
      platformPublicKey: t.gw.platformPublicKeyPem,
    });
    const fields = encryptCard({
      key,
      clientKey: t.merchant.clientKey,
      card: { number: '4242424242424242', expiryMonth: '12', expiryYear: FUTURE_YEAR, cvv: '123' },
      now: Number(/"timestamp": (\d+),/.exec(BANKCARD_PAYMENT)![1]),
    });
    const res = await sendAsThePlugin('/apis/payments', withEncryptedFields(1967910, fields));
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toMatchObject({
      trans_id: '1967910',
      status: 'SUCCESS',
      payment: { payment_method: 'BANKCARD' },
      card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
    });
  });

  it('is paid, with the same body carrying a typed card in place of the encrypted one', async () => {
    const typed = forTestMerchant(BANKCARD_PAYMENT)
      .replace('"trans_id": 1967909,', '"trans_id": 1967911,')
      .replace(/"encrypted_card_no": "[^"]*"/, '"encrypted_card_no": null')
      .replace(/"encrypted_exp_year": "[^"]*"/, '"encrypted_exp_year": null')
      .replace(/"encrypted_exp_month": "[^"]*"/, '"encrypted_exp_month": null')
      .replace(/"encrypted_cvv": "[^"]*"/, '"encrypted_cvv": null')
      .replace(
        '"card_no": null',
        `"card_no": "4242424242424242",\n        "exp_month": "12",\n        "exp_year": "${FUTURE_YEAR}",\n        "cvv": "123"`,
      );
    const res = await sendAsThePlugin('/apis/payments', typed);
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toMatchObject({
      trans_id: '1967911',
      status: 'SUCCESS',
      amount: 2500,
      currency: 'USD',
      expire_time: '2026-12-02T15:38:10+08:00',
      pay_finish_time: '2026-12-02T15:33:10+08:00',
      payment: { payment_method: 'BANKCARD' },
    });
  });
});

describe("the v1.2 WooCommerce plugin's Google Pay payment", () => {
  const timestamp = Number(/"timestamp": (\d+),/.exec(GOOGLE_PAY_PAYMENT)![1]);

  it('passes every field check with its exact body; the placeholder token ends in FAILURE 5020', async () => {
    const res = await sendAsThePlugin('/apis/payments', forTestMerchant(GOOGLE_PAY_PAYMENT));
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toMatchObject({
      trans_id: '1967919',
      status: 'FAILURE',
      error_code: '5020',
      payment: { payment_method: 'GOOGLE_PAY' },
    });
  });

  it('is paid with a token Google would send for gateway paykkaeu, forwarded unchanged', async () => {
    const token = await mintSandboxToken(t.gw.runtime.store, t.gw.runtime.vault, {
      pan: '4242424242424242',
      expMonth: 12,
      expYear: Number(FUTURE_YEAR),
      now: timestamp,
      recipientId: 'gateway:paykkaeu',
    });
    const body = forTestMerchant(GOOGLE_PAY_PAYMENT)
      .replace('"trans_id": 1967919,', '"trans_id": 1967920,')
      .replace(/"token_data": ".*",\n/, () => `"token_data": ${JSON.stringify(token)},\n`);
    const res = await sendAsThePlugin('/apis/payments', body);
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toMatchObject({
      trans_id: '1967920',
      status: 'SUCCESS',
      payment: { payment_method: 'GOOGLE_PAY' },
      card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
    });
  });
});
