/**
 * As docs/three-ds.md says: the CVV is never written in plaintext and never kept after authorization. While a
 * challenge is pending it is held sealed beside the challenge (the only copy, so the
 * authorization after the challenge can send it); passing, failing and expiring all delete it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import {
  CHALLENGE_CARDS,
  challengeBody,
  challenged,
  challengeRow,
  pass,
  setup,
  submit,
  type ThreeDs,
} from '../helpers/three-ds.ts';

const CVV = '737';
const AMEX_CVV = '7319';
const clock = new ManualClock();
let t: ThreeDs;

beforeAll(async () => {
  t = await setup({ clock, env: { OPENKKA_PAYMENT_EXPIRY: '30m' } });
});
afterAll(() => t?.close());

/**
 * Every cell of every table where `digits` stands on its own: not inside a longer run of digits
 * (a timestamp) nor of base64/hex characters (a ciphertext or an id, which may hold any three
 * digits by chance), so a plaintext CVV in any shape — a bare value, JSON, key=value — is found.
 */
function standsAlone(text: string, digits: string): boolean {
  return new RegExp(`(?<![0-9A-Za-z+/_-])${digits}(?![0-9A-Za-z+/=_-])`).test(text);
}

async function plaintextCells(gw: TestGateway, digits: string): Promise<string[]> {
  const db = gw.runtime.store.writer;
  const found: string[] = [];
  const tables = await db.introspection.getTables();
  // Guards the scan itself: it reads the tables a CVV could end up in.
  expect(tables.map((table) => table.name)).toEqual(
    expect.arrayContaining(['challenges', 'orders', 'order_events', 'notifications']),
  );
  for (const table of tables) {
    // biome-ignore lint/suspicious/noExplicitAny: every table, whatever its columns
    const rows = await (db as any).selectFrom(table.name).selectAll().execute();
    for (const row of rows as Record<string, unknown>[]) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const text = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
        if (standsAlone(text, digits)) found.push(`${table.name}.${column}`);
      }
    }
  }
  return found;
}

async function expectPendingCvvSealed(orderId: string, cvv: string): Promise<void> {
  const row = await challengeRow(t.gw, orderId);
  expect(row.status).toBe('PENDING');
  expect(row.cvv_ciphertext).toEqual(expect.any(String));
  // Not the digits on their own: a data key id or the ciphertext may hold them by chance.
  expect(standsAlone(row.cvv_ciphertext!, cvv)).toBe(false);
  // What is kept is the CVV sealed under the vault for this challenge only.
  expect(t.gw.runtime.vault.openText(row.cvv_ciphertext!, `cvv/${row.challenge_id}`)).toBe(cvv);
  expect(() => t.gw.runtime.vault.openText(row.cvv_ciphertext!, 'cvv/another-challenge')).toThrow();
  expect(await plaintextCells(t.gw, cvv)).toEqual([]);
}

describe('the CVV of a challenged payment', () => {
  it('(the scan finds a CVV in any plain shape, and not inside timestamps, ids or ciphertext)', () => {
    for (const plain of ['737', '{"cvv":"737"}', 'cvv=737&x=1', '{"cvv":737}', 'card 737 end']) {
      expect(standsAlone(plain, CVV), plain).toBe(true);
    }
    for (const other of ['1767225737000', 'a737f9c0', 'k1.Ab737_x', 'ab+737/c', '7370']) {
      expect(standsAlone(other, CVV), other).toBe(false);
    }
  });

  it('is held sealed while pending, in plaintext nowhere, and deleted when the shopper passes', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve, {}, { cvv: CVV }));
    await expectPendingCvvSealed(order.order_id, CVV);

    expect((await pass(url)).status).toBe(303);
    const row = await challengeRow(t.gw, order.order_id);
    expect(row).toMatchObject({ status: 'PASSED', cvv_ciphertext: null });
    // The authorization got it, from memory.
    expect(t.acquirer.calls.find((c) => c.orderId === order.order_id)?.card.cvv).toBe(CVV);
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('SUCCESS');
    expect(await plaintextCells(t.gw, CVV)).toEqual([]);
  });

  it('a 4-digit AMEX CVV likewise', async () => {
    const { order, url } = await challenged(
      t,
      challengeBody(
        '378282246310005',
        { authentication: { challenge_indicator: 'CHALLENGE' } },
        { cvv: AMEX_CVV },
      ),
    );
    await expectPendingCvvSealed(order.order_id, AMEX_CVV);
    await pass(url);
    expect((await challengeRow(t.gw, order.order_id)).cvv_ciphertext).toBeNull();
    expect(t.acquirer.calls.find((c) => c.orderId === order.order_id)?.card.cvv).toBe(AMEX_CVV);
  });

  it('is deleted when the shopper passes and the issuer declines', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.decline, {}, { cvv: CVV }));
    await expectPendingCvvSealed(order.order_id, CVV);
    await pass(url);
    expect(await challengeRow(t.gw, order.order_id)).toMatchObject({
      status: 'PASSED',
      cvv_ciphertext: null,
    });
    expect((await t.client.payments.query({ order_id: order.order_id })).error_code).toBe('5002');
  });

  it('is deleted when the shopper fails the challenge', async () => {
    const { order, url } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve, {}, { cvv: CVV }));
    await expectPendingCvvSealed(order.order_id, CVV);
    await submit(url, { action: 'fail' });
    expect(await challengeRow(t.gw, order.order_id)).toMatchObject({
      status: 'FAILED',
      cvv_ciphertext: null,
    });
    expect(await plaintextCells(t.gw, CVV)).toEqual([]);
  });

  it('is deleted when the challenge expires', async () => {
    const { order } = await challenged(t, challengeBody(CHALLENGE_CARDS.approve, {}, { cvv: CVV }));
    await expectPendingCvvSealed(order.order_id, CVV);
    clock.advance(30 * 60_000);
    expect(await t.gw.jobs.runDue()).toMatchObject({ expired: 1 });
    expect(await challengeRow(t.gw, order.order_id)).toMatchObject({
      status: 'EXPIRED',
      cvv_ciphertext: null,
    });
    expect(await plaintextCells(t.gw, CVV)).toEqual([]);
  });

  it('a payment sent without a CVV keeps none and still authorizes', async () => {
    const { order, url } = await challenged(
      t,
      challengeBody(CHALLENGE_CARDS.approve, {}, { cvv: undefined }),
    );
    expect((await challengeRow(t.gw, order.order_id)).cvv_ciphertext).toBeNull();
    await pass(url);
    expect((await t.client.payments.query({ order_id: order.order_id })).status).toBe('SUCCESS');
    expect(t.acquirer.calls.find((c) => c.orderId === order.order_id)?.card.cvv).toBeUndefined();
  });
});
