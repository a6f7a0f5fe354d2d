/**
 * Google Pay tokens as Google sends them (ECv2), through the real HTTP API: `payment.token_data`
 * holds the raw token string, as PayKKa's integrations forward it. The tokens are minted by the
 * module behind `openkka google-pay test-token`: signed by the store's sandbox root, encrypted
 * to its recipient key. Every refusal is an order in FAILURE with its own business code.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateMaster } from '../../src/cli/keys.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { rootKeysDocument } from '../../src/modules/wallets/google-pay/root-keys.ts';
import { mintSandboxToken } from '../../src/modules/wallets/google-pay/sandbox-token.ts';
import type { TestTokenOptions } from '../../src/modules/wallets/google-pay/test-token.ts';
import { UsedGooglePayMessages } from '../../src/modules/wallets/google-pay/used-messages.ts';
import { openRuntime } from '../../src/runtime.ts';
import type { Store } from '../../src/store/db.ts';
import {
  ensureGooglePayRecipientKey,
  ensureGooglePaySandboxRoot,
  GOOGLE_PAY_RECIPIENT_KEY_SETTING,
  GOOGLE_PAY_SANDBOX_ROOT_SETTING,
} from '../../src/vault/google-pay-keys.ts';
import { KeyRotation } from '../../src/vault/rotation.ts';
import type { Vault } from '../../src/vault/vault.ts';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { countOrders, post } from '../helpers/payments.ts';
import { CHALLENGE_CARDS, challenged, notified, pass, setup, type ThreeDs } from '../helpers/three-ds.ts';

let t: ThreeDs;

beforeAll(async () => {
  t = await setup();
});
afterAll(() => t?.close());

type MintOptions = Partial<Omit<TestTokenOptions, 'rootKey'>> & { rootKey?: TestTokenOptions['rootKey'] };

function token(pan = '4242424242424242', options: MintOptions = {}, gw = t.gw): Promise<string> {
  return mintSandboxToken(gw.runtime.store, gw.runtime.vault, {
    pan,
    expMonth: 12,
    expYear: Number(FUTURE_YEAR),
    now: Date.now(),
    ...options,
  });
}

function body(tokenData: string, overrides: Record<string, unknown> = {}) {
  return {
    trans_id: `gp-${Math.random().toString(36).slice(2)}`,
    payment_type: 'PURCHASE' as const,
    currency: 'EUR',
    amount: 2500,
    return_url: 'https://shop.example/return',
    ...overrides,
    payment: { payment_method: 'GOOGLE_PAY', token_data: tokenData as unknown as Record<string, unknown> },
  };
}

describe('a valid token', () => {
  it('CRYPTOGRAM_3DS → SUCCESS with the card from the token, notified, never challenged', async () => {
    const order = await t.client.payments.create(body(await token(CHALLENGE_CARDS.approve)));
    expect(order).toMatchObject({
      status: 'SUCCESS',
      error_code: '0000',
      payment: { payment_method: 'GOOGLE_PAY' },
      card_info: { bin: '400000', last4: '3184', card_brand: 'VISA' },
    });
    expect(order.authentication_result).toBeUndefined();
    expect(t.acquirer.calls.find((c) => c.orderId === order.order_id)?.card.pan).toBe(
      CHALLENGE_CARDS.approve,
    );
    const note = await notified(t.inbox, order.order_id, 'PAYMENT.SUCCESS');
    expect(note.payment).toEqual({ payment_method: 'GOOGLE_PAY' });
  });

  it('as PayKKa’s v1.2 plugin sends it: GooglePay, gateway paykkaeu, the token string, /apis/payments', async () => {
    const tokenData = await token('5555555555554444', { recipientId: 'gateway:paykkaeu' });
    const res = await post(t.gw, t.merchant, {
      ...body(tokenData, { capture_method: 'MANUAL' }),
      payment: { payment_method: 'GooglePay', token_data: tokenData },
    });
    expect(res.status).toBe(200);
    expect(res.json.ret_code).toBe('000000');
    expect(res.json.data).toMatchObject({ status: 'AUTHORIZED', card_info: { card_brand: 'MASTERCARD' } });
  });

  it('whose card declines → FAILURE 5001, as a typed card', async () => {
    const order = await t.client.payments.create(body(await token('4000000000000002')));
    expect(order).toMatchObject({ status: 'FAILURE', error_code: '5001' });
  });
});

describe('PAN_ONLY', () => {
  it('a card that asks for 3-D Secure is challenged, then approved once the shopper passes', async () => {
    const { order, url } = await challenged(
      t,
      body(await token(CHALLENGE_CARDS.approve, { authMethod: 'PAN_ONLY' })) as never,
    );
    expect(order.payment).toEqual({ payment_method: 'GOOGLE_PAY' });
    expect((await pass(url)).status).toBe(303);
    const done = await t.client.payments.query({ order_id: order.order_id });
    expect(done).toMatchObject({ status: 'SUCCESS', card_info: { last4: '3184' } });
  });

  it('a card that does not ask is approved at once', async () => {
    const order = await t.client.payments.create(
      body(await token('4242424242424242', { authMethod: 'PAN_ONLY' })),
    );
    expect(order.status).toBe('SUCCESS');
    expect(order.authentication_result).toBeUndefined();
  });
});

describe('refused tokens: FAILURE with a specific code, never the acquirer', () => {
  async function refusedWith(tokenData: string, code: string) {
    const order = await t.client.payments.create(body(tokenData));
    expect(order).toMatchObject({
      status: 'FAILURE',
      error_code: code,
      payment: { payment_method: 'GOOGLE_PAY' },
    });
    expect(order.error_description).toMatch(/^Google Pay/);
    expect(t.acquirer.calls.some((c) => c.orderId === order.order_id)).toBe(false);
    return order;
  }

  it('expired message → 5024', async () => {
    await refusedWith(await token('4242424242424242', { messageExpiresAt: Date.now() - 1 }), '5024');
  });

  it('expired intermediate signing key → 5021', async () => {
    await refusedWith(await token('4242424242424242', { signingKeyExpiresAt: Date.now() - 1 }), '5021');
  });

  it('tampered signature → 5022', async () => {
    const parsed = JSON.parse(await token());
    const signature = Buffer.from(parsed.signature, 'base64');
    signature[signature.length - 1]! ^= 1;
    await refusedWith(JSON.stringify({ ...parsed, signature: signature.toString('base64') }), '5022');
  });

  it('signed for another recipient id → 5022', async () => {
    await refusedWith(await token('4242424242424242', { recipientId: 'gateway:othergateway' }), '5022');
  });

  it('encrypted to another recipient key → 5023', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(other.x!, 'base64url'),
      Buffer.from(other.y!, 'base64url'),
    ]);
    await refusedWith(await token('4242424242424242', { recipientPoint: point }), '5023');
  });

  it('signed by a root this gateway does not trust → 5020', async () => {
    const rootKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await refusedWith(await token('4242424242424242', { rootKey }), '5020');
  });
});

describe('replay', () => {
  it('the same payment again answers its order; the token for another order → 5025', async () => {
    const tokenData = await token('4242424242424242');
    const first = body(tokenData);
    const order = await t.client.payments.create(first);
    expect(order.status).toBe('SUCCESS');
    const again = await t.client.payments.create({ ...first });
    expect(again.order_id).toBe(order.order_id);
    const other = await t.client.payments.create(body(tokenData));
    expect(other).toMatchObject({ status: 'FAILURE', error_code: '5025' });
    expect(other.order_id).not.toBe(order.order_id);
    expect(
      t.acquirer.calls.filter((c) => c.card.pan === '4242424242424242' && c.orderId === other.order_id),
    ).toEqual([]);
  });

  it('a request refused for reusing a trans_id (300001) does not use its token up', async () => {
    const first = body(await token('4242424242424242'));
    await t.client.payments.create(first);
    const fresh = await token('4242424242424242');
    const res = await post(t.gw, t.merchant, { ...body(fresh, { trans_id: first.trans_id, amount: 9999 }) });
    expect(res.status).toBe(409);
    expect(res.json.ret_code).toBe('300001');
    expect((await t.client.payments.create(body(fresh))).status).toBe('SUCCESS');
  });

  it('an expired token replayed for its own order answers that order', async () => {
    const tokenData = await token('4242424242424242', { messageExpiresAt: Date.now() - 1 });
    const first = body(tokenData);
    const order = await t.client.payments.create(first);
    expect(order.error_code).toBe('5024');
    expect((await t.client.payments.create({ ...first })).order_id).toBe(order.order_id);
  });
});

describe('the messages kept against replay', () => {
  const kept = async () =>
    (await t.gw.runtime.store.writer.selectFrom('google_pay_messages').select('message_id').execute()).map(
      (r) => r.message_id,
    );

  it('are deleted by the expiry job once their token has expired', async () => {
    await t.client.payments.create(body(await token('4242424242424242', { messageId: 'gp-live' })));
    await new UsedGooglePayMessages(t.gw.runtime.store).claim(
      { messageId: 'gp-expired', expiresAt: Date.now() - 1 },
      { merchantId: t.merchant.merchantId, transId: 'gp-old' },
      Date.now() - 3_600_000,
    );
    expect(await kept()).toEqual(expect.arrayContaining(['gp-live', 'gp-expired']));
    await t.gw.jobs.runDue();
    const after = await kept();
    expect(after).toContain('gp-live');
    expect(after).not.toContain('gp-expired');
  });
});

describe('malformed tokens: 010000, no order', () => {
  it.each([
    ['a wrong protocolVersion', (raw: Record<string, unknown>) => ({ ...raw, protocolVersion: 'ECv1' })],
    ['no signedMessage', ({ signedMessage: _m, ...raw }: Record<string, unknown>) => raw],
    [
      'no intermediate signatures',
      (raw: Record<string, unknown>) => ({ ...raw, intermediateSigningKey: { signedKey: 'x' } }),
    ],
  ])('%s', async (_name, change) => {
    const before = await countOrders(t.gw, t.merchant.merchantId);
    const res = await post(t.gw, t.merchant, body(JSON.stringify(change(JSON.parse(await token())))));
    expect(res.status).toBe(400);
    expect(res.json.ret_code).toBe('010000');
    expect(String(res.json.ret_msg)).toContain('payment.token_data');
    expect(await countOrders(t.gw, t.merchant.merchantId)).toBe(before);
  });
});

describe('any token, however broken', () => {
  it('is answered 200 with a Google Pay business code or 400 010000, never a 5xx', async () => {
    const valid = JSON.parse(await token());
    const part = fc.oneof(fc.string(), fc.json(), fc.base64String(), fc.integer(), fc.constant(null));
    const broken = fc.oneof(
      // One of the four parts replaced by anything.
      fc.record({ name: fc.constantFrom(...Object.keys(valid)), value: part }).map(({ name, value }) => {
        const copy = { ...valid, [name]: value };
        return JSON.stringify(copy);
      }),
      // The token string cut short, or one of its characters changed.
      fc.nat().map((n) => JSON.stringify(valid).slice(0, n % JSON.stringify(valid).length)),
      fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(([n, c]) => {
        const text = JSON.stringify(valid);
        const at = n % text.length;
        return text.slice(0, at) + c + text.slice(at + 1);
      }),
    );
    await fc.assert(
      fc.asyncProperty(broken, async (tokenData) => {
        const res = await post(t.gw, t.merchant, body(tokenData));
        if (res.status === 200) {
          expect(res.json.ret_code).toBe('000000');
          const data = res.json.data as { status: string; error_code: string };
          // A changed character may leave the token valid (whitespace, a key's order): then it pays.
          if (data.status !== 'SUCCESS') expect(data.error_code).toMatch(/^502[0-6]$/);
        } else {
          expect(res.status).toBe(400);
          expect(res.json.ret_code).toBe('010000');
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('OPENKKA_GOOGLE_PAY_ROOT_KEYS', () => {
  const rootKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let g: ThreeDs;

  beforeAll(async () => {
    const file = join(tmpdir(), `openkka-google-roots-${process.pid}-${Date.now()}.json`);
    writeFileSync(
      file,
      rootKeysDocument([{ publicKey: rootKey.publicKey, expiresAt: Date.now() + 86_400_000 }]),
    );
    g = await setup({ env: { OPENKKA_GOOGLE_PAY_ROOT_KEYS: file } });
  });
  afterAll(() => g?.close());

  it('accepts tokens signed by the configured roots and refuses the sandbox root’s (5020)', async () => {
    const signed = await token('4242424242424242', { rootKey: rootKey.privateKey }, g.gw);
    expect((await g.client.payments.create(body(signed))).status).toBe('SUCCESS');
    const sandbox = await token('4242424242424242', {}, g.gw);
    expect(await g.client.payments.create(body(sandbox))).toMatchObject({
      status: 'FAILURE',
      error_code: '5020',
    });
  });
});

describe('a master-key rotation', () => {
  it('re-seals the Google Pay keys under the new card data key; the keys themselves stay', async () => {
    const { store, vault } = t.gw.runtime;
    const before = JSON.stringify(await keysOf(store, vault));
    const minted = await token('4242424242424242');
    await rotateMaster(t.gw.config);
    const rotation = new KeyRotation({ store, vault, clock: systemClock, graceMs: 0 });
    expect(await rotation.followKeyring()).toBe(true);
    const pass = await rotation.reencrypt();
    expect(pass.resealed).toEqual(
      expect.arrayContaining([GOOGLE_PAY_RECIPIENT_KEY_SETTING, GOOGLE_PAY_SANDBOX_ROOT_SETTING]),
    );
    // A process started now (the new keyring only) holds the same keys.
    const rt = await openRuntime(t.gw.config);
    try {
      expect(JSON.stringify(await keysOf(rt.store, rt.vault))).toBe(before);
    } finally {
      await rt.store.close();
    }
    expect((await t.client.payments.create(body(minted))).status).toBe('SUCCESS');
  });
});

/** The public halves of the store's Google Pay keys. */
async function keysOf(store: Store, vault: Vault) {
  const spki = (key: KeyObject) =>
    createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    recipient: spki(await ensureGooglePayRecipientKey(store, vault)),
    root: spki(await ensureGooglePaySandboxRoot(store, vault)),
  };
}
