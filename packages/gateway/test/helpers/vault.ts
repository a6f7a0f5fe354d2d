/**
 * Shared pieces of the key-rotation tests: payments whose card stays stored (the no-answer
 * test card leaves the order PROCESSING with its encrypted card), each with its own expiry so
 * every record decrypts to something recognisably its own; and a second table of card records
 * standing in for stored cards, found by the rotation the way any such table is.
 */
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Clock } from '../../src/domain/clock.ts';
import type { Store } from '../../src/store/db.ts';
import type { CardSecret, Vault } from '../../src/vault/vault.ts';
import { cardPayment, FUTURE_YEAR } from './cards.ts';
import type { TestGateway, TestMerchant } from './gateway.ts';
import { signedPost } from './raw.ts';

export const NO_ANSWER = '4000000000000408';
export const ACQUIRER_TIMEOUT = '200ms';

/** The card a stored record must decrypt to. */
export type Expected = Map<string, CardSecret>;

let serial = 0;

/** A PROCESSING order whose encrypted card stays in `orders.card_ciphertext`; records what it must decrypt to. */
export async function unanswered(
  gw: TestGateway,
  merchant: TestMerchant,
  clock: Clock,
  expected: Expected,
): Promise<string> {
  serial++;
  const card: CardSecret = {
    pan: NO_ANSWER,
    exp_month: (serial % 12) + 1,
    exp_year: Number(FUTURE_YEAR) + (serial % 5),
  };
  const body = {
    merchant_id: merchant.merchantId,
    ...cardPayment(
      { amount: 1000 + serial },
      {
        card_no: NO_ANSWER,
        exp_month: String(card.exp_month).padStart(2, '0'),
        exp_year: String(card.exp_year),
      },
    ),
    timestamp: clock.now(),
  };
  const res = await signedPost(gw.baseUrl, '/apis/payments', body, merchant);
  expect(res.json.ret_code, res.text).toBe('000000');
  const orderId = (res.json.data as { order_id: string }).order_id;
  const row = await orderOf(gw.runtime.store, orderId);
  expect(row.status).toBe('PROCESSING');
  expect(row.card_ciphertext).not.toBeNull();
  expected.set(orderId, card);
  return orderId;
}

/** Stores `card` as a token for `shopper` with an approved payment; records what the token must decrypt to. */
export async function storeToken(
  gw: TestGateway,
  merchant: TestMerchant,
  clock: Clock,
  expected: Expected,
  shopper: string,
  card: CardSecret,
): Promise<string> {
  const body = {
    merchant_id: merchant.merchantId,
    ...cardPayment(
      {},
      {
        card_no: card.pan,
        exp_month: String(card.exp_month).padStart(2, '0'),
        exp_year: String(card.exp_year),
        store_payment_method: true,
        token_usage: 'CARD_ON_FILE',
        shopper_reference: shopper,
      },
    ),
    timestamp: clock.now(),
  };
  const res = await signedPost(gw.baseUrl, '/apis/payments', body, merchant);
  expect(res.json.ret_code, res.text).toBe('000000');
  const data = res.json.data as { status: string; token?: string };
  expect(data.status, res.text).toBe('SUCCESS');
  expect(data.token, res.text).toMatch(/^TK\d+$/);
  expected.set(`token:${data.token}`, card);
  return data.token!;
}

/** Pays by a stored card; returns the order. */
export async function payByToken(
  gw: TestGateway,
  merchant: TestMerchant,
  clock: Clock,
  token: string,
  shopper: string,
): Promise<{ order_id: string; status: string }> {
  const body = {
    merchant_id: merchant.merchantId,
    trans_id: `by-token-${Math.random().toString(36).slice(2)}`,
    payment_type: 'PURCHASE',
    currency: 'USD',
    amount: 700,
    return_url: 'https://shop.example/return',
    payment: { payment_method: 'BANKCARD', token, shopper_reference: shopper },
    timestamp: clock.now(),
  };
  const res = await signedPost(gw.baseUrl, '/apis/payments', body, merchant);
  expect(res.json.ret_code, res.text).toBe('000000');
  return res.json.data as { order_id: string; status: string };
}

export async function orderOf(store: Store, orderId: string) {
  return store.writer
    .selectFrom('orders')
    .select(['order_id', 'status', 'card_ciphertext', 'card_fingerprint'])
    .where('order_id', '=', orderId)
    .executeTakeFirstOrThrow();
}

/** The data key id a record is under. */
export const keyOf = (record: string) => record.slice(0, record.indexOf('.'));

/** A stand-in for a table of stored cards: any table with a `card_ciphertext` column is rotated. */
export const PROBE_TABLE = 'stored_cards_probe';

export async function createProbeTable(store: Store): Promise<void> {
  await sql`create table ${sql.table(PROBE_TABLE)} (card_id text primary key, card_ciphertext text)`.execute(
    store.writer,
  );
}

export async function insertProbeRecord(store: Store, id: string, record: string): Promise<void> {
  await sql`insert into ${sql.table(PROBE_TABLE)} (card_id, card_ciphertext) values (${id}, ${record})`.execute(
    store.writer,
  );
}

export function storeProbeCard(store: Store, vault: Vault, id: string, card: CardSecret): Promise<void> {
  return insertProbeRecord(store, id, vault.encryptCard(card));
}

/** Every card record in the store: `<order_id>` / `probe:<card_id>` / `token:<token>` → ciphertext. */
export async function cardRecords(store: Store): Promise<Map<string, string>> {
  const records = new Map<string, string>();
  const orders = await store.writer
    .selectFrom('orders')
    .select(['order_id', 'card_ciphertext'])
    .where('card_ciphertext', 'is not', null)
    .execute();
  for (const o of orders) records.set(o.order_id, o.card_ciphertext!);
  const probe = await sql<{ card_id: string; card_ciphertext: string | null }>`
    select card_id, card_ciphertext from ${sql.table(PROBE_TABLE)}`.execute(store.writer);
  for (const p of probe.rows) if (p.card_ciphertext) records.set(`probe:${p.card_id}`, p.card_ciphertext);
  const tokens = await store.writer
    .selectFrom('tokens')
    .select(['token', 'card_ciphertext'])
    .where('card_ciphertext', 'is not', null)
    .execute();
  for (const t of tokens) records.set(`token:${t.token}`, t.card_ciphertext!);
  return records;
}

/** Every stored record decrypts, with `vault`, to the card it was made from. */
export async function expectAllDecrypt(store: Store, vault: Vault, expected: Expected): Promise<void> {
  const records = await cardRecords(store);
  expect([...records.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, record] of records) expect(vault.decryptCard(record), id).toEqual(expected.get(id));
}
