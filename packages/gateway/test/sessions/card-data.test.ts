/**
 * Card data typed on the checkout page (docs/three-ds.md, design principle 7): after paying with canary
 * cards (approved, challenged, mistyped, stored with consent), neither PAN nor CVV is in the
 * logs, in any page the gateway answered, in any row of the store, or in the SQLite files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { randomPan, strictClient } from '../helpers/payments.ts';
import { getPage, postForm } from '../helpers/sessions.ts';

const PLAIN = randomPan('4');
const STORED = randomPan('52');
const MISTYPED = `${PLAIN.slice(0, 15)}${(Number(PLAIN[15]) + 1) % 10}`;
const CVV = '739';
const PANS = [PLAIN, STORED, MISTYPED];

let gw: TestGateway;
let merchant: TestMerchant;
const logChunks: Buffer[] = [];
const pages: string[] = [];

function expectNoCardData(text: string, where: string) {
  for (const pan of PANS) {
    expect(text.includes(pan), `${where} holds the PAN ${pan}`).toBe(false);
    expect(text.includes(pan.slice(0, 12)), `${where} holds the start of ${pan}`).toBe(false);
    expect(text.includes(pan.slice(-12)), `${where} holds the end of ${pan}`).toBe(false);
  }
  expect(
    new RegExp(`(?<![0-9A-Za-z+/=_-])${CVV}(?![0-9A-Za-z+/=_-])`).test(text),
    `${where} holds the CVV`,
  ).toBe(false);
}

beforeAll(async () => {
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logChunks.push(chunk));
  gw = await startGateway({ logStream });
  merchant = await gw.createMerchant();
  const client = strictClient(gw, merchant);
  const form = (pan: string, extra: Record<string, string> = {}) => ({
    method: 'BANKCARD',
    card_no: pan.replace(/(\d{4})/g, '$1 ').trim(),
    exp: `11 / ${FUTURE_YEAR.slice(2)}`,
    cvv: CVV,
    ...extra,
  });
  const session = (extra: Record<string, unknown> = {}) =>
    client.sessions.create({
      trans_id: `cd-${Math.random().toString(36).slice(2)}`,
      currency: 'USD',
      amount: 1000,
      return_url: 'https://shop.example/return',
      ...extra,
    });

  const plain = await session();
  pages.push((await postForm(plain.session_url, form(MISTYPED))).html);
  pages.push((await postForm(plain.session_url, form(PLAIN))).html);
  const challenged = await session({ authentication: { challenge_indicator: 'CHALLENGE' } });
  const paid = await postForm(challenged.session_url, form(PLAIN));
  pages.push(paid.html, (await getPage(paid.location!)).html);
  const stored = await session({
    payment: { store_payment_method: true, token_usage: 'CARD_ON_FILE', shopper_reference: 'cd-1' },
  });
  pages.push((await postForm(stored.session_url, form(STORED, { consent: 'yes' }))).html);
  expect((await client.payments.query({ session_id: stored.session_id })).token).toMatch(/^TK/);
});
afterAll(() => gw?.close());

describe('card data from the checkout page', () => {
  it('is in no log line and no page', () => {
    expectNoCardData(Buffer.concat(logChunks).toString('utf8'), 'the logs');
    for (const [i, html] of pages.entries()) expectNoCardData(html, `page ${i}`);
  });

  it('is in no row of the store', async () => {
    const db = gw.runtime.store.writer;
    const tables = [
      'checkout_sessions',
      'orders',
      'order_events',
      'notifications',
      'tokens',
      'challenges',
    ] as const;
    for (const table of tables) {
      const rows = await db.selectFrom(table).selectAll().execute();
      expectNoCardData(JSON.stringify(rows), `table ${table}`);
    }
  });

  it('is in none of the data dir’s files', () => {
    for (const name of readdirSync(gw.store.dataDir)) {
      const bytes = readFileSync(join(gw.store.dataDir, name));
      expectNoCardData(bytes.toString('latin1'), name);
    }
  });
});
