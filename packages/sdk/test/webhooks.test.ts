import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { OpenKKAError, OpenKKASignatureError } from '../src/errors.ts';
import { OpenKKA } from '../src/index.ts';
import { stringToSign } from '../src/signing.ts';
import { isRefundNotification, verifyWebhook } from '../src/webhooks.ts';

const NOW = 1_767_225_600_000;
const MERCHANT = '52831903747286';

let platform: { privateKey: KeyObject; publicKey: KeyObject };
let other: { privateKey: KeyObject; publicKey: KeyObject };
let platformPem: string;

beforeAll(() => {
  platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  platformPem = platform.publicKey.export({ type: 'spki', format: 'pem' }).toString();
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

/** A body laid out as the gateway sends it: timestamp first, then the stored snapshot. */
function paymentBody(timestamp: number | string = NOW, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    timestamp,
    notify_id: 'NT123',
    notify_type: 'PAYMENT.SUCCESS',
    error_code: '0000',
    error_description: 'request success',
    merchant_id: MERCHANT,
    trans_id: 't-1',
    order_id: 'GW1',
    status: 'SUCCESS',
    amount: 1000,
    currency: 'USD',
    payment: { payment_method: 'BANKCARD' },
    card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
    balances,
    ...fields,
  });
}

function signed(body: string, key = platform.privateKey, merchantId = MERCHANT): Record<string, string> {
  const timestamp = (JSON.parse(body) as { timestamp: number }).timestamp;
  return {
    'content-type': 'application/json',
    signature: sign('sha256', stringToSign(merchantId, timestamp, body), key).toString('base64'),
    type: 'RSA256',
    version: 'v1.2',
  };
}

const at = (ms: number) => ({ now: () => ms });

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
}

describe('verifyWebhook', () => {
  it('returns the parsed body when the signature verifies', () => {
    const body = paymentBody();
    const n = verifyWebhook(body, signed(body), platformPem, at(NOW));
    expect(n).toEqual(JSON.parse(body));
    expect(n.notify_type).toBe('PAYMENT.SUCCESS');
    expect(isRefundNotification(n)).toBe(false);
  });

  it('verifies the raw bytes: a Buffer, pretty-printed, in any key order', () => {
    const body = JSON.stringify(JSON.parse(paymentBody()), null, 2);
    expect(verifyWebhook(Buffer.from(body), signed(body), platform.publicKey, at(NOW)).order_id).toBe('GW1');
  });

  it('types refund notifications by notify_type', () => {
    const body = paymentBody(NOW, {
      notify_type: 'REFUND.FAILURE',
      status: 'FAILURE',
      amount: 300,
      refund_trans_id: 'r-1',
      refund_order_id: 'RG1',
    });
    const n = verifyWebhook(body, signed(body), platformPem, at(NOW));
    expect(isRefundNotification(n)).toBe(true);
    if (!isRefundNotification(n)) throw new Error('unreachable');
    expect([n.refund_order_id, n.status, n.amount]).toEqual(['RG1', 'FAILURE', 300]);
  });

  it('refuses a body changed after signing', () => {
    const body = paymentBody();
    const headers = signed(body);
    const tampered = body.replace('"amount":1000', '"amount":9000');
    expect(tampered).not.toBe(body);
    expectThrows(
      () => verifyWebhook(tampered, headers, platformPem, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
    // Re-serialising changes the bytes too: whitespace counts.
    const reformatted = JSON.stringify(JSON.parse(body), null, 1);
    expectThrows(
      () => verifyWebhook(reformatted, headers, platformPem, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
  });

  it('refuses a signature made with another key', () => {
    const body = paymentBody();
    expectThrows(
      () => verifyWebhook(body, signed(body, other.privateKey), platformPem, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
    // …and a genuine signature checked against the wrong key.
    expectThrows(
      () => verifyWebhook(body, signed(body), other.publicKey, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
  });

  it('refuses a signature over another merchant_id than the body names', () => {
    const body = paymentBody();
    expectThrows(
      () => verifyWebhook(body, signed(body, platform.privateKey, '99999999999999'), platformPem, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
  });

  it('accepts a timestamp up to the tolerance away, either side, and refuses beyond it', () => {
    const body = paymentBody();
    const headers = signed(body);
    const minutes5 = 5 * 60_000;
    expect(verifyWebhook(body, headers, platformPem, at(NOW + minutes5)).notify_id).toBe('NT123');
    expect(verifyWebhook(body, headers, platformPem, at(NOW - minutes5)).notify_id).toBe('NT123');
    expectThrows(
      () => verifyWebhook(body, headers, platformPem, at(NOW + minutes5 + 1)),
      OpenKKASignatureError,
      /timestamp/,
    );
    expectThrows(
      () => verifyWebhook(body, headers, platformPem, at(NOW - minutes5 - 1)),
      OpenKKASignatureError,
      /timestamp/,
    );
    expect(
      verifyWebhook(body, headers, platformPem, {
        now: () => NOW + 60 * 60_000,
        toleranceMs: 2 * 60 * 60_000,
      }).notify_id,
    ).toBe('NT123');
  });

  it('uses Date.now by default', () => {
    const fresh = paymentBody(Date.now());
    expect(verifyWebhook(fresh, signed(fresh), platformPem).notify_id).toBe('NT123');
    const stale = paymentBody(Date.now() - 10 * 60_000);
    expectThrows(() => verifyWebhook(stale, signed(stale), platformPem), OpenKKASignatureError, /timestamp/);
  });

  it('accepts a timestamp sent as a numeric string, signed as written', () => {
    const body = paymentBody(String(NOW));
    expect(verifyWebhook(body, signed(body), platformPem, at(NOW)).notify_id).toBe('NT123');
  });

  it('tolerates a Bearer prefix and a percent-encoded signature', () => {
    const body = paymentBody();
    const headers = signed(body);
    const signature = headers.signature!;
    expect(encodeURIComponent(signature)).not.toBe(signature);
    for (const variant of [
      `Bearer ${signature}`,
      `bearer ${signature}`,
      encodeURIComponent(signature),
      `Bearer ${encodeURIComponent(signature)}`,
    ]) {
      expect(verifyWebhook(body, { ...headers, signature: variant }, platformPem, at(NOW)).notify_id).toBe(
        'NT123',
      );
    }
  });

  it('reads a Fetch Headers object, any header-name case, and repeated headers', () => {
    const body = paymentBody();
    const { signature, type, version } = signed(body);
    const headers = new Headers({ Signature: signature!, TYPE: type!, Version: version! });
    expect(verifyWebhook(body, headers, platformPem, at(NOW)).notify_id).toBe('NT123');
    expect(verifyWebhook(body, { Signature: signature }, platformPem, at(NOW)).notify_id).toBe('NT123');
    expect(verifyWebhook(body, { signature: [signature!, 'junk'] }, platformPem, at(NOW)).notify_id).toBe(
      'NT123',
    );
  });

  it('refuses a missing, empty or non-base64 signature', () => {
    const body = paymentBody();
    const { signature: _signature, ...unsigned } = signed(body);
    expectThrows(
      () => verifyWebhook(body, unsigned, platformPem, at(NOW)),
      OpenKKASignatureError,
      /no signature/,
    );
    expectThrows(
      () => verifyWebhook(body, { ...unsigned, signature: '' }, platformPem, at(NOW)),
      OpenKKASignatureError,
      /no signature/,
    );
    expectThrows(
      () => verifyWebhook(body, new Headers(unsigned), platformPem, at(NOW)),
      OpenKKASignatureError,
      /no signature/,
    );
    expectThrows(
      () => verifyWebhook(body, { ...unsigned, signature: 'not base64!' }, platformPem, at(NOW)),
      OpenKKASignatureError,
      /verify/,
    );
  });

  it('refuses another signature type or version, and accepts them absent', () => {
    const body = paymentBody();
    const headers = signed(body);
    expectThrows(
      () => verifyWebhook(body, { ...headers, type: 'RSA512' }, platformPem, at(NOW)),
      OpenKKASignatureError,
      /type/,
    );
    expectThrows(
      () => verifyWebhook(body, { ...headers, version: 'v1.1' }, platformPem, at(NOW)),
      OpenKKASignatureError,
      /version/,
    );
    expect(verifyWebhook(body, { signature: headers.signature }, platformPem, at(NOW)).notify_id).toBe(
      'NT123',
    );
  });

  it('answers 401 as the status for a receiver to reply with', () => {
    const body = paymentBody();
    try {
      verifyWebhook(body, {}, platformPem, at(NOW));
      expect.unreachable();
    } catch (err) {
      expect((err as OpenKKASignatureError).httpStatus).toBe(401);
    }
  });

  it('refuses a body that is not a JSON object, or lacks merchant_id, timestamp or notify_type', () => {
    const sig = { signature: signed(paymentBody()).signature };
    for (const body of ['', 'not json', '[1,2]', 'null', '"text"', '42']) {
      expectThrows(
        () => verifyWebhook(body, sig, platformPem, at(NOW)),
        OpenKKAError,
        /not (JSON|a JSON object)/,
      );
    }
    const without = (key: string) => {
      const fields = JSON.parse(paymentBody()) as Record<string, unknown>;
      delete fields[key];
      return JSON.stringify(fields);
    };
    expectThrows(
      () => verifyWebhook(without('merchant_id'), sig, platformPem, at(NOW)),
      OpenKKAError,
      /merchant_id/,
    );
    expectThrows(
      () => verifyWebhook(without('timestamp'), sig, platformPem, at(NOW)),
      OpenKKAError,
      /timestamp/,
    );
    expectThrows(
      () => verifyWebhook(without('notify_type'), sig, platformPem, at(NOW)),
      OpenKKAError,
      /notify_type/,
    );
    expectThrows(() => verifyWebhook(paymentBody(1.5), sig, platformPem, at(NOW)), OpenKKAError, /timestamp/);
  });

  it('explains a parsed object passed instead of the raw body', () => {
    const body = paymentBody();
    expectThrows(
      () => verifyWebhook(JSON.parse(body) as string, signed(body), platformPem, at(NOW)),
      OpenKKAError,
      /raw body/,
    );
  });

  it('refuses another merchant when merchantId is given', () => {
    const body = paymentBody();
    expect(
      verifyWebhook(body, signed(body), platformPem, { ...at(NOW), merchantId: MERCHANT }).notify_id,
    ).toBe('NT123');
    expectThrows(
      () => verifyWebhook(body, signed(body), platformPem, { ...at(NOW), merchantId: '11111111111111' }),
      OpenKKASignatureError,
      /merchant/,
    );
  });
});

describe('OpenKKA#webhooks.verify', () => {
  function client(merchantId = MERCHANT) {
    return new OpenKKA({
      baseUrl: 'http://127.0.0.1:9',
      merchantId,
      // Only its own requests would use the merchant key; any RSA key will do here.
      privateKey: other.privateKey,
      platformPublicKey: platformPem,
      now: () => NOW,
    });
  }

  it("verifies with the client's platform key and clock", () => {
    const body = paymentBody();
    expect(client().webhooks.verify(body, signed(body)).order_id).toBe('GW1');
    expectThrows(
      () => client().webhooks.verify(body, signed(body, other.privateKey)),
      OpenKKASignatureError,
      /verify/,
    );
    const stale = paymentBody(NOW - 6 * 60_000);
    expectThrows(() => client().webhooks.verify(stale, signed(stale)), OpenKKASignatureError, /timestamp/);
  });

  it("refuses a notification for another merchant than the client's", () => {
    const body = paymentBody();
    expectThrows(
      () => client('11111111111111').webhooks.verify(body, signed(body)),
      OpenKKASignatureError,
      /merchant/,
    );
  });
});
