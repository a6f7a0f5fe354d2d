/**
 * Card data at rest and in logs (docs/three-ds.md, design principle 7): after payments with canary
 * cards, neither the PAN nor the CVV is anywhere in the data dir's files (the SQLite database
 * and its WAL), in any text column of the store, in the logs or in a response. The PAN is kept
 * encrypted only while an outcome is unknown; the CVV is never kept.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { OpenKKA } from '@openkka/sdk';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { post, randomPan, strictClient } from '../helpers/payments.ts';
import { rawPost, signBody } from '../helpers/raw.ts';

const NO_ANSWER = '4000000000000408';
// Canaries: numbers no test card or fixture uses, so finding one anywhere is a leak.
const VISA = randomPan('4');
const AMEX = randomPan('37', 15);
const MASTERCARD = randomPan('52');
const VISA_CVV = '739';
const AMEX_CVV = '8264';
const CANARY_PANS = [VISA, AMEX, MASTERCARD, NO_ANSWER];
const CANARY_CVVS = [VISA_CVV, AMEX_CVV];

let gw: TestGateway;
let merchant: TestMerchant;
let client: OpenKKA;
const logChunks: Buffer[] = [];
const responses: string[] = [];
const orderIds: Record<string, string> = {};

/**
 * A CVV as a value of its own: not inside a longer run of digits, letters or base64 (ids,
 * fingerprints and ciphertexts are full of short digit runs that mean nothing).
 */
function cvvPattern(cvv: string): RegExp {
  return new RegExp(`(?<![0-9A-Za-z+/=_-])${cvv}(?![0-9A-Za-z+/=_-])`);
}

function expectNoCardData(text: string, where: string) {
  for (const pan of CANARY_PANS) {
    expect(text.includes(pan), `${where} holds the PAN ${pan}`).toBe(false);
    // Nor most of it: the first or last 12 digits already say more than bin + last4.
    expect(text.includes(pan.slice(0, 12)), `${where} holds the start of ${pan}`).toBe(false);
    expect(text.includes(pan.slice(-12)), `${where} holds the end of ${pan}`).toBe(false);
  }
  for (const cvv of CANARY_CVVS) {
    expect(cvvPattern(cvv).test(text), `${where} holds the CVV ${cvv}`).toBe(false);
  }
}

beforeAll(async () => {
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logChunks.push(chunk));
  gw = await startGateway({ logStream, env: { OPENKKA_ACQUIRER_TIMEOUT: '300ms' } });
  merchant = await gw.createMerchant();
  client = strictClient(gw, merchant);

  const pay = async (name: string, overrides: Record<string, unknown>, card: Record<string, unknown>) => {
    const body = cardPayment(overrides, card);
    const res = await post(gw, merchant, body);
    responses.push(res.text);
    // The same request again goes through the idempotent replay path.
    responses.push((await post(gw, merchant, body)).text);
    const data = res.json.data as { order_id?: string } | undefined;
    if (data?.order_id) orderIds[name] = data.order_id;
    return res;
  };
  await pay('visa', {}, { card_no: VISA, cvv: VISA_CVV });
  await pay('visa again', { amount: 77 }, { card_no: VISA, cvv: VISA_CVV });
  await pay('amex manual', { capture_method: 'MANUAL' }, { card_no: AMEX, cvv: AMEX_CVV });
  await pay(
    'mastercard spaced',
    {},
    { card_no: MASTERCARD.replace(/(\d{4})/g, '$1 ').trim(), cvv: VISA_CVV },
  );
  await pay('expired', {}, { card_no: VISA, cvv: VISA_CVV, exp_year: '2020' });
  await pay('bad cvv length', {}, { card_no: AMEX, cvv: VISA_CVV });
  await pay('no answer', {}, { card_no: NO_ANSWER, cvv: VISA_CVV });
  // Refused before anything is stored, card data and all.
  await pay('refused', { currency: 'usd' }, { card_no: VISA, cvv: VISA_CVV });
  await pay('too long cvv', {}, { card_no: VISA, cvv: `${AMEX_CVV}9` });
});
afterAll(() => gw.close());

describe('card data never leaves in the clear', () => {
  it('the payments happened as expected', async () => {
    const status = async (name: string) =>
      (await client.payments.query({ order_id: orderIds[name]! })).status;
    expect(await status('visa')).toBe('SUCCESS');
    expect(await status('amex manual')).toBe('AUTHORIZED');
    expect(await status('mastercard spaced')).toBe('SUCCESS');
    expect(await status('expired')).toBe('FAILURE');
    expect(await status('bad cvv length')).toBe('FAILURE');
    expect(await status('no answer')).toBe('PROCESSING');
    expect(orderIds.refused).toBeUndefined();
  });

  it('no response carries more than bin + last4, or the CVV', () => {
    expect(responses.length).toBeGreaterThan(0);
    for (const text of responses) expectNoCardData(text, 'a response');
  });

  it('no file in the data dir holds a PAN or CVV (SQLite database and WAL included)', async () => {
    if (gw.store.kind === 'sqlite') {
      // Copy the WAL into the main file too (FULL keeps the WAL), so both are looked at with data in them.
      await sql`pragma wal_checkpoint(FULL)`.execute(gw.runtime.store.writer);
    }
    const files = readdirSync(gw.store.dataDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    if (gw.store.kind === 'sqlite') {
      expect(files.some((f) => f.endsWith('.db'))).toBe(true);
      expect(files.some((f) => f.endsWith('.db-wal'))).toBe(true);
    }
    for (const file of files) expectNoCardData(readFileSync(file).toString('latin1'), file);
  });

  it('no text in any table of the store holds a PAN or CVV', async () => {
    const { writer: db } = gw.runtime.store;
    const tables =
      gw.store.kind === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
        : await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
    expect(tables.rows.map((t) => t.name)).toContain('orders');
    let values = 0;
    for (const { name } of tables.rows) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
      for (const row of rows.rows) {
        for (const [column, value] of Object.entries(row)) {
          if (typeof value !== 'string') continue;
          values++;
          const where = `${name}.${column}`;
          expectNoCardData(value, where);
          expect(CANARY_CVVS, `${where} is a CVV`).not.toContain(value);
        }
      }
    }
    expect(values).toBeGreaterThan(0);
  });

  it('the logs hold no PAN or CVV', () => {
    const logs = Buffer.concat(logChunks).toString('utf8');
    // pino's own numeric fields (pid, time) are not card data; drop them before looking.
    expectNoCardData(logs.replace(/"(pid|time)":\d+/g, ''), 'the logs');
  });
});

describe('what is kept of the card', () => {
  async function row(name: string) {
    return gw.runtime.store.writer
      .selectFrom('orders')
      .selectAll()
      .where('order_id', '=', orderIds[name]!)
      .executeTakeFirstOrThrow();
  }

  it.each(['visa', 'amex manual', 'mastercard spaced', 'expired', 'bad cvv length'])(
    'a final order (%s) keeps no ciphertext, only a keyed fingerprint, bin and last4',
    async (name) => {
      const order = await row(name);
      expect(['SUCCESS', 'AUTHORIZED', 'FAILURE']).toContain(order.status);
      expect(order.card_ciphertext).toBeNull();
      expect(order.card_fingerprint).toEqual(expect.any(String));
      expect(order.card_fingerprint!.length).toBeGreaterThanOrEqual(32);
    },
  );

  it('the fingerprint is the same for the same card and is keyed (not a bare hash of the PAN)', async () => {
    const [one, two, amex] = await Promise.all([row('visa'), row('visa again'), row('amex manual')]);
    expect(two.card_fingerprint).toBe(one.card_fingerprint);
    expect(amex.card_fingerprint).not.toBe(one.card_fingerprint);
    const sha = createHash('sha256').update(VISA).digest();
    expect([sha.toString('hex'), sha.toString('base64'), sha.toString('base64url')]).not.toContain(
      one.card_fingerprint,
    );
  });

  it('the spaced card number is fingerprinted by its digits', async () => {
    const spaced = await row('mastercard spaced');
    expect(spaced.card_fingerprint).toBe(gw.runtime.vault.fingerprint(MASTERCARD));
    expect(spaced).toMatchObject({ card_bin: MASTERCARD.slice(0, 6), card_last4: MASTERCARD.slice(-4) });
  });

  it('an order whose outcome is unknown keeps the card encrypted, without the CVV', async () => {
    const order = await row('no answer');
    expect(order.status).toBe('PROCESSING');
    expect(order.card_ciphertext).toEqual(expect.any(String));
    expect(order.card_ciphertext).not.toContain(NO_ANSWER);
    const card = gw.runtime.vault.decryptCard(order.card_ciphertext!);
    expect(card).toMatchObject({ pan: NO_ANSWER, exp_month: 12 });
    expect(JSON.stringify(card)).not.toContain(VISA_CVV);
    expect(Object.keys(card).sort()).toEqual(['exp_month', 'exp_year', 'pan']);
  });
});

describe('malformed bodies', () => {
  // JSON.parse's message quotes the text around the error; a body is full of card data.
  it('a body that is not valid JSON is refused without quoting it (card data) back', async () => {
    const text =
      `{"merchant_id":"${merchant.merchantId}","timestamp":${Date.now()},` +
      `"payment":{"card_no":"${VISA}","cvv":"${VISA_CVV}","x":NaN}}`;
    const timestamp = Date.now();
    const signature = signBody(merchant.merchantId, timestamp, text, merchant.privateKey);
    const res = await rawPost(gw.baseUrl, '/apis/payments', text, {
      signature,
      type: 'RSA256',
      version: 'v1.2',
    });
    expect(res.status).toBe(400);
    expect(res.json.ret_code).toBe('010000');
    expectNoCardData(res.text, 'the refusal');
  });
});
