/**
 * Notifications signed the v3 way (`x-paykka-sign` over `POST`, the notify_url's path,
 * `x-paykka-timestamp`, `x-paykka-nonce` and the raw body), told from v1.2 ones by their
 * headers, by `verifyWebhook` and `openkka.webhooks.verify`. The five lines are built here by
 * hand, not with the SDK's v3StringToSign.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { OpenKKAError, OpenKKASignatureError } from '../src/errors.ts';
import { OpenKKA } from '../src/index.ts';
import { stringToSign } from '../src/signing.ts';
import { isRefundNotification, verifyWebhook, webhookProtocol } from '../src/webhooks.ts';
import { fiveLines } from './fake-gateway-v3.ts';

const NOW = 1_767_225_600_000;
const MERCHANT = '52831903747286';
const PATH = '/hooks/paykka';

let platform: { privateKey: KeyObject; publicKey: KeyObject };
let other: { privateKey: KeyObject; publicKey: KeyObject };

beforeAll(() => {
  platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  other = generateKeyPairSync('rsa', { modulusLength: 2048 });
});

const balances = {
  authed_amount: 1000,
  captured_amount: 1000,
  able_to_capture_amount: 0,
  voided_amount: 0,
  able_to_void_amount: 0,
  refunded_amount: 0,
  able_to_refund_amount: 1000,
  refunding_amount: 0,
};

/** A v3 payment notification body: v1.2's fields and event_type, session_id, no timestamp. */
function paymentBody(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    notify_id: 'NT123',
    notify_type: 'PAYMENT.SUCCESS',
    event_type: 'PAYMENT.SUCCESS',
    error_code: '0000',
    error_description: 'request success',
    merchant_id: MERCHANT,
    trans_id: 't-1',
    order_id: 'GW1',
    session_id: 'CS10000000000000000001',
    status: 'SUCCESS',
    amount: 1000,
    currency: 'USD',
    payment: { payment_method: 'BANKCARD' },
    card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
    balances,
    ...fields,
  });
}

interface SignOptions {
  key?: KeyObject;
  path?: string;
  timestamp?: number;
  nonce?: string;
}

/** The headers the gateway sends with a v3 notification, signed over `body` as given. */
function signed(body: string, options: SignOptions = {}): Record<string, string> {
  const timestamp = String(options.timestamp ?? NOW);
  const nonce = options.nonce ?? '1461078956873802';
  const data = fiveLines(options.path ?? PATH, timestamp, nonce, body);
  const signature = sign('sha256', data, options.key ?? platform.privateKey).toString('base64');
  return {
    'content-type': 'application/json',
    'x-paykka-timestamp': timestamp,
    'x-paykka-nonce': nonce,
    'x-paykka-sign': encodeURIComponent(signature),
  };
}

const at = (ms: number, path: string | undefined = PATH) => ({ now: () => ms, ...(path ? { path } : {}) });

function expectThrows(
  fn: () => unknown,
  kind: typeof OpenKKAError | typeof OpenKKASignatureError,
  message: RegExp,
): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(kind);
  expect((caught as Error).message).toMatch(message);
  if (kind === OpenKKAError) expect(caught).not.toBeInstanceOf(OpenKKASignatureError);
  else expect((caught as OpenKKASignatureError).httpStatus).toBe(401);
}

describe('webhookProtocol', () => {
  it('tells the protocol by the signature header, in any case, as a record or Fetch Headers', () => {
    expect(webhookProtocol({ 'x-paykka-sign': 'abc' })).toBe('v3');
    expect(webhookProtocol(new Headers({ 'X-PayKKa-Sign': 'abc' }))).toBe('v3');
    expect(webhookProtocol({ Signature: 'abc', type: 'RSA256', version: 'v1.2' })).toBe('v1.2');
    expect(webhookProtocol({ 'x-paykka-sign': '  ', signature: 'abc' })).toBe('v1.2');
    expect(webhookProtocol({ 'content-type': 'application/json' })).toBeNull();
  });
});

describe('verifyWebhook, v3', () => {
  it('returns the parsed body when the signature over the receiver path verifies', () => {
    const body = paymentBody();
    const n = verifyWebhook(body, signed(body), platform.publicKey, at(NOW));
    expect(n).toEqual(JSON.parse(body));
    expect(n.notify_type).toBe('PAYMENT.SUCCESS');
    expect(n.event_type).toBe('PAYMENT.SUCCESS');
    expect(n.timestamp).toBeUndefined();
    expect(isRefundNotification(n)).toBe(false);
  });

  it('takes the path as Node has req.url (with a query), or as a whole URL', () => {
    const body = paymentBody();
    const headers = signed(body);
    for (const path of [
      PATH,
      `${PATH}?wc-api=paykka&x=1`,
      `https://shop.example${PATH}?wc-api=paykka`,
      `http://127.0.0.1:3000${PATH}`,
    ]) {
      expect(verifyWebhook(body, headers, platform.publicKey, at(NOW, path)).notify_id, path).toBe('NT123');
    }
  });

  it('accepts the signature plain or percent-encoded, and the headers as Fetch Headers', () => {
    const body = paymentBody();
    const headers = signed(body);
    const plain = decodeURIComponent(headers['x-paykka-sign']!);
    expect(plain).not.toBe(headers['x-paykka-sign']);
    expect(
      verifyWebhook(body, { ...headers, 'x-paykka-sign': plain }, platform.publicKey, at(NOW)).notify_id,
    ).toBe('NT123');
    expect(verifyWebhook(body, new Headers(headers), platform.publicKey, at(NOW)).notify_id).toBe('NT123');
    const withAlg = { ...headers, 'x-paykka-sign-alg': 'sha256_with_rsa' };
    expect(verifyWebhook(body, withAlg, platform.publicKey, at(NOW)).notify_id).toBe('NT123');
  });

  it('types refund notifications, with ori_order_id', () => {
    const body = paymentBody({
      notify_type: 'REFUND.SUCCESS',
      event_type: 'REFUND.SUCCESS',
      amount: 300,
      refund_trans_id: 'r-1',
      refund_order_id: 'RG1',
      ori_order_id: 'GW1',
    });
    const n = verifyWebhook(body, signed(body), platform.publicKey, at(NOW));
    expect(isRefundNotification(n)).toBe(true);
    if (!isRefundNotification(n)) throw new Error('unreachable');
    expect([n.refund_order_id, n.ori_order_id, n.amount]).toEqual(['RG1', 'GW1', 300]);
  });

  it('refuses a body changed after signing, even in whitespace', () => {
    const body = paymentBody();
    const headers = signed(body);
    const tampered = body.replace('"amount":1000', '"amount":9000');
    expect(tampered).not.toBe(body);
    expectThrows(
      () => verifyWebhook(tampered, headers, platform.publicKey, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
    const reformatted = JSON.stringify(JSON.parse(body), null, 1);
    expectThrows(
      () => verifyWebhook(reformatted, headers, platform.publicKey, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
  });

  it('refuses a notification signed for another path', () => {
    const body = paymentBody();
    const headers = signed(body, { path: '/hooks/other-shop' });
    expectThrows(
      () => verifyWebhook(body, headers, platform.publicKey, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
    expectThrows(
      () => verifyWebhook(body, signed(body), platform.publicKey, at(NOW, `${PATH}/`)),
      OpenKKASignatureError,
      /verify/,
    );
  });

  it('refuses a changed timestamp or nonce, and another key', () => {
    const body = paymentBody();
    const headers = signed(body);
    for (const changed of [
      { ...headers, 'x-paykka-timestamp': String(NOW + 1) },
      { ...headers, 'x-paykka-nonce': '1461078956873803' },
    ]) {
      expectThrows(
        () => verifyWebhook(body, changed, platform.publicKey, at(NOW)),
        OpenKKASignatureError,
        /verify/,
      );
    }
    expectThrows(
      () => verifyWebhook(body, signed(body, { key: other.privateKey }), platform.publicKey, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
    expectThrows(
      () => verifyWebhook(body, headers, other.publicKey, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
  });

  it('checks the x-paykka-timestamp within the tolerance either side; the body has none to check', () => {
    const body = paymentBody();
    const minutes5 = 5 * 60_000;
    const headers = signed(body);
    expect(verifyWebhook(body, headers, platform.publicKey, at(NOW + minutes5)).notify_id).toBe('NT123');
    expect(verifyWebhook(body, headers, platform.publicKey, at(NOW - minutes5)).notify_id).toBe('NT123');
    expectThrows(
      () => verifyWebhook(body, headers, platform.publicKey, at(NOW + minutes5 + 1)),
      OpenKKASignatureError,
      /timestamp/,
    );
    expectThrows(
      () => verifyWebhook(body, headers, platform.publicKey, at(NOW - minutes5 - 1)),
      OpenKKASignatureError,
      /timestamp/,
    );
    expect(
      verifyWebhook(body, headers, platform.publicKey, {
        ...at(NOW + 60 * 60_000),
        toleranceMs: 2 * 60 * 60_000,
      }).notify_id,
    ).toBe('NT123');
    // A stale timestamp inside the body does not matter: the header is what was signed as the time.
    const withOld = paymentBody({ timestamp: NOW - 24 * 60 * 60_000 });
    expect(verifyWebhook(withOld, signed(withOld), platform.publicKey, at(NOW)).notify_id).toBe('NT123');
    // …and a fresh one in the body does not rescue a stale header.
    const withNew = paymentBody({ timestamp: NOW });
    expectThrows(
      () =>
        verifyWebhook(
          withNew,
          signed(withNew, { timestamp: NOW - 10 * 60_000 }),
          platform.publicKey,
          at(NOW),
        ),
      OpenKKASignatureError,
      /timestamp/,
    );
  });

  it('uses Date.now by default', () => {
    const body = paymentBody();
    const fresh = signed(body, { timestamp: Date.now() });
    expect(verifyWebhook(body, fresh, platform.publicKey, { path: PATH }).notify_id).toBe('NT123');
    const stale = signed(body, { timestamp: Date.now() - 10 * 60_000 });
    expectThrows(
      () => verifyWebhook(body, stale, platform.publicKey, { path: PATH }),
      OpenKKASignatureError,
      /timestamp/,
    );
  });

  it('refuses a missing or malformed x-paykka-timestamp or nonce, and another algorithm', () => {
    const body = paymentBody();
    const headers = signed(body);
    const { 'x-paykka-timestamp': _t, ...noTimestamp } = headers;
    const { 'x-paykka-nonce': _n, ...noNonce } = headers;
    for (const [changed, message] of [
      [noTimestamp, /x-paykka-timestamp/],
      [{ ...headers, 'x-paykka-timestamp': 'yesterday' }, /x-paykka-timestamp/],
      [noNonce, /x-paykka-nonce/],
      [{ ...headers, 'x-paykka-nonce': ' ' }, /x-paykka-nonce/],
      [{ ...headers, 'x-paykka-sign-alg': 'MD5_WITH_RSA' }, /algorithm/],
      [{ ...headers, 'x-paykka-sign': 'not base64!' }, /verify/],
    ] as const) {
      expectThrows(
        () => verifyWebhook(body, changed, platform.publicKey, at(NOW)),
        OpenKKASignatureError,
        message,
      );
    }
  });

  it('needs the path: without one it says so, as a usage error rather than a forgery', () => {
    const body = paymentBody();
    for (const path of [undefined, '', ' ']) {
      expectThrows(
        () =>
          verifyWebhook(body, signed(body), platform.publicKey, {
            now: () => NOW,
            ...(path === undefined ? {} : { path }),
          }),
        OpenKKAError,
        /options\.path/,
      );
    }
  });

  it('refuses a verified body that is not a notification', () => {
    for (const [body, message] of [
      ['not json', /not JSON/],
      ['[1]', /not a JSON object/],
      [JSON.stringify({ notify_type: 'PAYMENT.SUCCESS' }), /merchant_id/],
      [JSON.stringify({ merchant_id: MERCHANT }), /notify_type/],
    ] as const) {
      expectThrows(
        () => verifyWebhook(body, signed(body), platform.publicKey, at(NOW)),
        OpenKKAError,
        message,
      );
    }
  });

  it('refuses another merchant when merchantId is given', () => {
    const body = paymentBody();
    const headers = signed(body);
    expect(
      verifyWebhook(body, headers, platform.publicKey, { ...at(NOW), merchantId: MERCHANT }).notify_id,
    ).toBe('NT123');
    expectThrows(
      () => verifyWebhook(body, headers, platform.publicKey, { ...at(NOW), merchantId: '11111111111111' }),
      OpenKKASignatureError,
      /merchant/,
    );
  });
});

describe('OpenKKA#webhooks.verify with both protocols', () => {
  function client(protocol: 'v1.2' | 'v3', merchantId = MERCHANT) {
    return new OpenKKA({
      baseUrl: 'http://127.0.0.1:9',
      merchantId,
      privateKey: other.privateKey,
      platformPublicKey: platform.publicKey,
      protocol,
      now: () => NOW,
    });
  }

  /** A v1.2 notification of the same payment: timestamp in the body, the `signature` header. */
  function v12(): { body: string; headers: Record<string, string> } {
    const body = JSON.stringify({ timestamp: NOW, ...JSON.parse(paymentBody()) });
    const signature = sign('sha256', stringToSign(MERCHANT, NOW, body), platform.privateKey).toString(
      'base64',
    );
    return { body, headers: { signature, type: 'RSA256', version: 'v1.2' } };
  }

  it('verifies a v3 notification and a v1.2 one, whichever protocol the client speaks', () => {
    const body = paymentBody();
    for (const protocol of ['v1.2', 'v3'] as const) {
      const openkka = client(protocol);
      expect(openkka.webhooks.verify(body, signed(body), { path: PATH }).notify_id).toBe('NT123');
      const old = v12();
      // A v1.2 call stays as it was; a path given for v3 does not disturb v1.2.
      expect(openkka.webhooks.verify(old.body, old.headers).timestamp).toBe(NOW);
      expect(openkka.webhooks.verify(old.body, old.headers, { path: '/anything' }).notify_id).toBe('NT123');
    }
  });

  it("uses the client's clock and merchant id", () => {
    const body = paymentBody();
    const stale = signed(body, { timestamp: NOW - 10 * 60_000 });
    expectThrows(
      () => client('v3').webhooks.verify(body, stale, { path: PATH }),
      OpenKKASignatureError,
      /timestamp/,
    );
    expectThrows(
      () => client('v3', '11111111111111').webhooks.verify(body, signed(body), { path: PATH }),
      OpenKKASignatureError,
      /merchant/,
    );
  });

  it('does not take a v1.2 signature for a v3 one, or the other way round', () => {
    const old = v12();
    // The v1.2 signature moved into x-paykka-sign does not verify over the five lines.
    const moved = {
      'x-paykka-timestamp': String(NOW),
      'x-paykka-nonce': '1',
      'x-paykka-sign': old.headers.signature!,
    };
    expectThrows(
      () => client('v3').webhooks.verify(old.body, moved, { path: PATH }),
      OpenKKASignatureError,
      /verify/,
    );
    const body = paymentBody({ timestamp: NOW });
    const v3Signature = decodeURIComponent(signed(body)['x-paykka-sign']!);
    expectThrows(
      () => client('v3').webhooks.verify(body, { signature: v3Signature }, { path: PATH }),
      OpenKKASignatureError,
      /verify/,
    );
  });
});
