/**
 * Request signatures (docs/signing.md): the header, what is signed (the raw bytes as sent), the
 * tolerated header forms, and key rotation. Every refusal is request-level and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestMerchant } from '../helpers/gateway.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { Protocol } from '../helpers/protocol.ts';
import { signBody } from '../helpers/raw.ts';

let p: Protocol;

beforeAll(async () => {
  p = await Protocol.start();
});
afterAll(() => p.close());

/** Each test gets its own merchant, so "no order was stored" is an exact count. */
function merchant(): Promise<TestMerchant> {
  return p.merchant();
}

describe('a missing or broken signature is refused and changes nothing', () => {
  it('no signature header → 401 206002', async () => {
    const m = await merchant();
    const body = p.payment(m);
    p.expectRefused(await p.send(m, '/payments', body, { signature: null }), 401, '206002', m.merchantId);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it('an empty signature header → 401 206002', async () => {
    const m = await merchant();
    const body = p.payment(m);
    p.expectRefused(await p.send(m, '/payments', body, { signature: '' }), 401, '206002', m.merchantId);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it('one byte of the body changed after signing → 401 206003', async () => {
    const m = await merchant();
    const body = p.payment(m, { amount: 1000 });
    const res = await p.send(m, '/payments', body, {
      tamper: (text) => {
        const changed = text.replace('"amount":1000', '"amount":9000');
        expect(changed).not.toBe(text);
        expect(Buffer.byteLength(changed)).toBe(Buffer.byteLength(text));
        return changed;
      },
    });
    p.expectRefused(res, 401, '206003', m.merchantId);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it('signed by a key the merchant does not have → 401 206003', async () => {
    const m = await merchant();
    const body = p.payment(m);
    const res = await p.send(m, '/payments', body, { signer: { key: newKeyPair().privateKey } });
    p.expectRefused(res, 401, '206003', m.merchantId);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it("signed with another merchant's own key → 401 206003", async () => {
    const m = await merchant();
    const other = await p.gw.createMerchant();
    const body = p.payment(m);
    const res = await p.send(m, '/payments', body, { signer: { key: other.privateKey } });
    p.expectRefused(res, 401, '206003', m.merchantId);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it('a signature over another timestamp or merchant_id than the body carries → 401 206003', async () => {
    const m = await merchant();
    const body = p.payment(m);
    const otherTime = await p.send(m, '/payments', body, { signer: { timestamp: p.clock.now() - 1 } });
    p.expectRefused(otherTime, 401, '206003', m.merchantId);
    const otherId = await p.send(m, '/payments', body, { signer: { merchantId: `${m.merchantId}1` } });
    p.expectRefused(otherId, 401, '206003', m.merchantId);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it.each([
    ['text that is not base64', 'not a signature!'],
    ['well-formed base64 of the wrong bytes', Buffer.alloc(256, 7).toString('base64')],
    ['a truncated signature', 'QUJD'],
    ['bare padding', '=='],
    ['a broken percent-encoding', '%E0%A4%A'],
    ['only a Bearer prefix', 'Bearer '],
  ])('a garbage signature header (%s) → 401 206003', async (_name, signature) => {
    const m = await merchant();
    const body = p.payment(m);
    p.expectRefused(await p.send(m, '/payments', body, { signature }), 401, '206003', m.merchantId);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });
});

describe('tolerated forms of the signature header', () => {
  function signed(m: TestMerchant, body: Record<string, unknown>): string {
    return signBody(m.merchantId, body.timestamp as number, JSON.stringify(body), m.privateKey);
  }

  it('accepts a percent-encoded signature (encodeURIComponent of the base64)', async () => {
    const m = await merchant();
    const body = p.payment(m);
    const signature = encodeURIComponent(signed(m, body));
    // A 256-byte RSA signature always ends in '==', so the encoded form always differs.
    expect(signature).toContain('%');
    const data = p.expectOk(await p.send(m, '/payments', body, { signature }), m.merchantId);
    expect(data.trans_id).toBe(body.trans_id);
  });

  it('accepts a `Bearer ` prefix, also on a percent-encoded signature', async () => {
    const m = await merchant();
    const first = p.payment(m);
    p.expectOk(
      await p.send(m, '/payments', first, { signature: `Bearer ${signed(m, first)}` }),
      m.merchantId,
    );
    const second = p.payment(m);
    const res = await p.send(m, '/payments', second, {
      signature: `Bearer ${encodeURIComponent(signed(m, second))}`,
    });
    p.expectOk(res, m.merchantId);
    expect(await p.orderCount(m.merchantId)).toBe(2);
  });
});

describe('the raw body is what is verified', () => {
  it('a pretty-printed body signed exactly as sent is accepted', async () => {
    const m = await merchant();
    const body = p.payment(m);
    const pretty = JSON.stringify(body, null, 2);
    expect(pretty).toContain('\n  "');
    const data = p.expectOk(await p.send(m, '/payments', pretty), m.merchantId);
    expect(data.trans_id).toBe(body.trans_id);
  });

  it('the same object re-serialised differently, with the original signature → 401 206003', async () => {
    const m = await merchant();
    const body = p.payment(m);
    const pretty = JSON.stringify(body, null, 2);
    const signature = signBody(m.merchantId, body.timestamp as number, pretty, m.privateKey);
    const compact = JSON.stringify(body);
    expect(JSON.parse(compact)).toEqual(JSON.parse(pretty));
    p.expectRefused(await p.send(m, '/payments', compact, { signature }), 401, '206003', m.merchantId);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(body).reverse()), null, 2);
    p.expectRefused(await p.send(m, '/payments', reordered, { signature }), 401, '206003', m.merchantId);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it('the timestamp is signed as the digits the client sent, also when sent as a string', async () => {
    const m = await merchant();
    const body = p.payment(m, { timestamp: String(p.clock.now()) });
    p.expectOk(await p.send(m, '/payments', body), m.merchantId);
  });
});

describe('key rotation', () => {
  it('verifies with either of two keys, and refuses a removed key at once', async () => {
    const m = await merchant();
    const [original] = await p.gw.merchants.keys(m.merchantId);
    const next = newKeyPair();
    const nextKeyId = await p.gw.merchants.addKey(m.merchantId, next.publicKeyPem);
    expect(original!.key_id).not.toBe(nextKeyId);

    p.expectOk(await p.send(m, '/payments', p.payment(m)), m.merchantId);
    p.expectOk(
      await p.send(m, '/payments', p.payment(m), { signer: { key: next.privateKey } }),
      m.merchantId,
    );
    expect(await p.orderCount(m.merchantId)).toBe(2);

    await p.gw.merchants.removeKey(m.merchantId, original!.key_id);
    const refusedBody = p.payment(m);
    p.expectRefused(await p.send(m, '/payments', refusedBody), 401, '206003', m.merchantId);
    expect(await p.orderCount(m.merchantId)).toBe(2);

    const data = p.expectOk(
      await p.send(m, '/payments', refusedBody, { signer: { key: next.privateKey } }),
      m.merchantId,
    );
    expect({ trans_id: data.trans_id, status: data.status }).toEqual({
      trans_id: refusedBody.trans_id,
      status: 'SUCCESS',
    });
    expect(await p.orderCount(m.merchantId)).toBe(3);
  });
});
