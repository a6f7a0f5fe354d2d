/**
 * Changes to a merchant made outside the running gateway (another connection to its store, as
 * the CLI or an operator's SQL makes them) apply to its next requests, although the gateway
 * keeps what authentication reads in memory. On SQLite it reads the store's data version before
 * every lookup, so the very next request sees the change; on PostgreSQL the change is known when
 * the store's notification arrives (in practice the first request after the change, but the
 * test allows the delivery a second).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { post } from '../helpers/payments.ts';
import type { RawResponse } from '../helpers/raw.ts';

let gw: TestGateway;
let other: Store;

beforeAll(async () => {
  gw = await startGateway();
  // A second, independent connection to the same store: what another process would use.
  other = await openStore({ databaseUrl: gw.config.databaseUrl, dataDir: gw.config.dataDir });
});
afterAll(async () => {
  await other?.close();
  await gw?.close();
});

const pay = (m: TestMerchant) => post(gw, m, cardPayment());

/** How long a change made elsewhere may take to apply: none at all on SQLite. */
const delivery = () => (other.dialect === 'sqlite' ? 0 : 1_000);

/** Sends payments until one is answered with `retCode`, for at most `withinMs` (at least one). */
async function answeredWithin(m: TestMerchant, retCode: string, withinMs = delivery()): Promise<RawResponse> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const res = await pay(m);
    if (res.json.ret_code === retCode || Date.now() >= deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits (PostgreSQL: for the listening connection) until authentication is kept in memory. */
async function cacheActive(): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (!gw.merchants.authCached && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return gw.merchants.authCached;
}

describe('merchant changes made by another connection', () => {
  it('authentication is served from memory', async () => {
    expect(await cacheActive()).toBe(true);
  });

  it('a disabled merchant is refused (206007), and served again once re-enabled', async () => {
    const m = await gw.createMerchant();
    await cacheActive();
    expect((await pay(m)).json.ret_code).toBe('000000');
    expect((await pay(m)).json.ret_code).toBe('000000');

    await other.writer
      .updateTable('merchants')
      .set({ status: 'DISABLED' })
      .where('merchant_id', '=', m.merchantId)
      .execute();
    const refused = await answeredWithin(m, '206007');
    expect(refused.status).toBe(403);

    await other.writer
      .updateTable('merchants')
      .set({ status: 'ACTIVE' })
      .where('merchant_id', '=', m.merchantId)
      .execute();
    expect((await answeredWithin(m, '000000')).status).toBe(200);
  });

  it('a merchant whose keys were removed is refused (206006)', async () => {
    const m = await gw.createMerchant();
    await cacheActive();
    expect((await pay(m)).json.ret_code).toBe('000000');

    await other.writer.deleteFrom('merchant_keys').where('merchant_id', '=', m.merchantId).execute();
    expect((await answeredWithin(m, '206006')).status).toBe(401);
  });

  it('a change through this gateway applies to the very next request', async () => {
    const m = await gw.createMerchant();
    await cacheActive();
    expect((await pay(m)).json.ret_code).toBe('000000');
    await gw.merchants.setEnabled(m.merchantId, false);
    expect((await pay(m)).json.ret_code).toBe('206007');
  });
});
