/**
 * The gateway keys browsers encrypt cards to: made on first use, once per store even when two
 * processes ask at the same moment, kept sealed under the master keyring like the platform
 * key, moved to the new card data key by a master-key rotation (the keys themselves unchanged,
 * so cards encrypted before still pay), and rotated on demand: a card encrypted under the
 * previous key still pays for the whole of its lifetime, and is refused (5011) once that key
 * has been retired.
 */
import type { GatewayPublicKey } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateMaster } from '../../src/cli/keys.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { GatewayKeys } from '../../src/modules/client-encryption/gateway-keys.ts';
import { openRuntime } from '../../src/runtime.ts';
import {
  BLOB_LIFETIME_MS,
  CARD_ENCRYPTION_KEYS_SETTING,
  RETAIN_SUPERSEDED_MS,
  readGatewayKeys,
  rotateGatewayKeys,
} from '../../src/vault/card-encryption-keys.ts';
import { KeyRotation } from '../../src/vault/rotation.ts';
import { encryptedPayment, gatewayKey } from '../helpers/client-encryption.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { signedPost } from '../helpers/raw.ts';

const clock = new ManualClock(Date.now());
let gw: TestGateway;
let merchant: TestMerchant;

beforeAll(async () => {
  gw = await startGateway({ clock });
  merchant = await gw.createMerchant();
});
afterAll(() => gw?.close());

const setting = async () =>
  (
    await gw.runtime.store.writer
      .selectFrom('settings')
      .select('value')
      .where('name', '=', CARD_ENCRYPTION_KEYS_SETTING)
      .executeTakeFirst()
  )?.value;

/** Pays with `body` at the gateway's clock; returns the order's status and error code. */
async function pay(body: Record<string, unknown>) {
  const res = await signedPost(
    gw.baseUrl,
    '/apis/payments',
    { merchant_id: merchant.merchantId, ...body, timestamp: clock.now() },
    merchant,
  );
  expect(res.status, res.text).toBe(200);
  const data = res.json.data as { status: string; error_code: string };
  return `${data.status} ${data.error_code}`;
}

/** Waits until the gateway hands out `kid` (it reads the store again every few seconds). */
const servedKey = (kid: string) =>
  eventually(`the gateway serves ${kid}`, async () => {
    const key = await gatewayKey(gw, merchant);
    return key.kid === kid ? key : undefined;
  });

describe('the first gateway key', () => {
  it('does not exist before anyone needs it; the first key request makes one, sealed', async () => {
    expect(await setting()).toBeUndefined();
    const key = await gatewayKey(gw, merchant);
    expect(key).toEqual({
      kty: 'OKP',
      crv: 'X25519',
      x: expect.any(String),
      kid: expect.stringMatching(/^gk_[0-9a-f]{12}$/),
      use: 'enc',
      alg: 'ECDH-ES',
    });
    const p256 = await gw.gatewayKeys.current();
    expect(p256).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: key.kid,
      use: 'enc',
      alg: 'ECDH-ES',
    });
    const sealed = (await setting())!;
    // Under the primary card data key, like the platform key; nothing of the key readable.
    expect(sealed.startsWith(`${gw.runtime.vault.primaryCardKeyId}.`)).toBe(true);
    for (const visible of [key.x, p256.x, p256.y, key.kid]) expect(sealed).not.toContain(visible);
    const stored = await readGatewayKeys(gw.runtime.store, gw.runtime.vault);
    expect(stored!.keys.map((k) => k.kid)).toEqual([key.kid]);
    expect(stored!.keys[0]!.jwk.d).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is one key per store when several processes make it at the same moment', async () => {
    const fresh = await startGateway({ clock });
    try {
      const others = await Promise.all(Array.from({ length: 2 }, () => openRuntime(fresh.config)));
      try {
        const made = await Promise.all([
          fresh.gatewayKeys.current(),
          ...others.map((rt) => new GatewayKeys(rt.store, rt.vault, clock).current()),
        ]);
        expect(new Set(made.map((k) => k.kid)).size).toBe(1);
      } finally {
        for (const rt of others) await rt.store.close();
      }
    } finally {
      await fresh.close();
    }
  });
});

describe('rotating the gateway key', () => {
  let old: GatewayPublicKey;
  let rotatedAt: number;
  const cardUnderOld: Record<string, ReturnType<typeof encryptedPayment>> = {};

  it('a new key is handed out; the previous one is kept, superseded', async () => {
    old = await gatewayKey(gw, merchant);
    rotatedAt = clock.now();
    // Encrypted by a page that fetched the key just before the rotation.
    cardUnderOld.first = encryptedPayment(old, merchant);
    cardUnderOld.second = encryptedPayment(old, merchant);
    const stored = await rotateGatewayKeys(gw.runtime.store, gw.runtime.vault, rotatedAt);
    expect(stored.keys.map((k) => k.superseded_at)).toEqual([rotatedAt, null]);
    const current = await servedKey(stored.keys[1]!.kid);
    expect(current.kid).not.toBe(old.kid);
    expect(await pay(encryptedPayment(current, merchant))).toBe('SUCCESS 0000');
  });

  it('a card encrypted under the previous key pays up to the end of its 24 h lifetime', async () => {
    expect(await pay(cardUnderOld.first!)).toBe('SUCCESS 0000');
    clock.set(rotatedAt + BLOB_LIFETIME_MS - 60_000);
    expect(await pay(cardUnderOld.second!)).toBe('SUCCESS 0000');
  });

  it('once the previous key is retired, cards under it are refused with 5011 (and never 5xx)', async () => {
    clock.set(rotatedAt + RETAIN_SUPERSEDED_MS);
    expect(await pay(encryptedPayment(old, merchant))).toBe('FAILURE 5011');
  });

  it('the next rotation drops the retired key from the store', async () => {
    const stored = await rotateGatewayKeys(gw.runtime.store, gw.runtime.vault, clock.now());
    expect(stored.keys.map((k) => k.kid)).not.toContain(old.kid);
    expect(stored.keys).toHaveLength(2);
    await servedKey(stored.keys[1]!.kid);
  });
});

describe('a master-key rotation', () => {
  it('re-seals the gateway keys under the new card data key; the keys, and cards encrypted before, stay good', async () => {
    clock.set(Date.now());
    const before = await readGatewayKeys(gw.runtime.store, gw.runtime.vault);
    const key = await gatewayKey(gw, merchant);
    const encryptedBefore = encryptedPayment(key, merchant);
    const oldDataKey = gw.runtime.vault.primaryCardKeyId;

    await rotateMaster(gw.config);
    const rotation = new KeyRotation({ store: gw.runtime.store, vault: gw.runtime.vault, clock, graceMs: 0 });
    expect(await rotation.followKeyring()).toBe(true);
    const pass = await rotation.reencrypt();
    expect(pass.resealed).toContain(CARD_ENCRYPTION_KEYS_SETTING);
    expect(pass.deleted).toEqual([oldDataKey]);
    expect((await setting())!.startsWith(`${gw.runtime.vault.primaryCardKeyId}.`)).toBe(true);

    // A process started now (the new keyring only) reads the same keys.
    const rt = await openRuntime(gw.config);
    try {
      const after = await readGatewayKeys(rt.store, rt.vault);
      expect(after!.keys).toEqual(before!.keys);
      expect(rt.vault.dataKeys.card_keys.map((k) => k.id)).not.toContain(oldDataKey);
    } finally {
      await rt.store.close();
    }
    expect(await pay(encryptedBefore)).toBe('SUCCESS 0000');
  });
});
