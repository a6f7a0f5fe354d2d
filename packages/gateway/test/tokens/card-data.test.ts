/**
 * Card data of stored cards (docs/api.md#stored-cards-and-recurring-payments, docs/three-ds.md): after every kind of scenario this folder exercises
 * (storing, repeats, concurrent storing, payments by token, first payments and renewals, rule
 * refusals, request refusals, token removal, cancellation), run here with canary card numbers
 * and CVVs, neither a PAN nor a CVV is in any answer, any text column of the store, the SQLite
 * files (while open and after the gateway closed) or the logs. Stored cards exist only
 * encrypted, and a removed token keeps no card data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUTURE_YEAR } from '../helpers/cards.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { randomPan } from '../helpers/payments.ts';
import { type RawResponse, rawPost, signBody } from '../helpers/raw.ts';
import {
  firstRecurring,
  type Order,
  renewal,
  shopper,
  storingPayment,
  TokenApi,
  tokenPayment,
  tokenRow,
} from '../helpers/tokens.ts';

// Canaries: numbers no fixture uses, so finding one anywhere is a leak.
const VISA = randomPan('4');
const AMEX = randomPan('37', 15);
const MASTERCARD = randomPan('52');
const VISA_CVV = '739';
const AMEX_CVV = '8264';
const OTHER_CVV = '517';
const CANARY_PANS = [VISA, AMEX, MASTERCARD];
const CANARY_CVVS = [VISA_CVV, AMEX_CVV, OTHER_CVV];

let gw: TestGateway;
let api: TokenApi;
let closed = false;
const logChunks: Buffer[] = [];
const answers: string[] = [];
const outcomes: Record<string, Order> = {};
const refusals: Record<string, RawResponse> = {};

/** A CVV as a value of its own, not inside a longer run of digits, letters or base64. */
function cvvPattern(cvv: string): RegExp {
  return new RegExp(`(?<![0-9A-Za-z+/=_-])${cvv}(?![0-9A-Za-z+/=_-])`);
}

function expectNoCardData(text: string, where: string): void {
  for (const pan of CANARY_PANS) {
    expect(text.includes(pan), `${where} holds the PAN ${pan}`).toBe(false);
    // Nor most of it: the first or last 11 digits already say more than bin + last4.
    expect(text.includes(pan.slice(0, 11)), `${where} holds the start of ${pan}`).toBe(false);
    expect(text.includes(pan.slice(-11)), `${where} holds the end of ${pan}`).toBe(false);
  }
  for (const cvv of CANARY_CVVS)
    expect(cvvPattern(cvv).test(text), `${where} holds the CVV ${cvv}`).toBe(false);
}

async function closeGateway(): Promise<void> {
  if (closed) return;
  closed = true;
  await gw.app.close();
  await gw.runtime.store.close();
}

beforeAll(async () => {
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logChunks.push(chunk));
  gw = await startGateway({ logStream });
  // A notification URL nobody answers: notifications are stored (and their delivery fails).
  api = new TokenApi(gw, await gw.createMerchant({ notifyUrl: 'http://127.0.0.1:9/notify' }));

  const send = async (body: Record<string, unknown>, path = '/payments') => {
    const res = await api.post(path, body);
    answers.push(res.text);
    return res;
  };
  const pay = async (name: string, body: Record<string, unknown>) => {
    const res = await send(body);
    // Every payment again with the same trans_id: the idempotent replay path.
    await send(body);
    if (res.status === 200) outcomes[name] = res.json.data as Order;
    else refusals[name] = res;
    return res.json.data as Order;
  };
  const alice = shopper('alice');
  const bob = shopper('bob');
  const carol = shopper('carol');
  const visa = { card_no: VISA, cvv: VISA_CVV };
  const amex = { card_no: AMEX, cvv: AMEX_CVV };

  // Storing, the same card again with another expiry and CVV, another usage.
  const stored = await pay('store visa', storingPayment(alice, { card: visa }));
  await pay(
    'store visa again',
    storingPayment(alice, { card: { ...visa, exp_month: '01', cvv: OTHER_CVV } }),
  );
  await pay(
    'store mastercard spaced',
    storingPayment(alice, {
      usage: 'UNSCHEDULED_CARD_ON_FILE',
      card: { card_no: MASTERCARD.replace(/(\d{4})/g, '$1 ').trim(), cvv: OTHER_CVV },
    }),
  );
  // Ten at once, one card, one shopper.
  await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      pay(`concurrent ${i}`, storingPayment(bob, { usage: 'SUBSCRIPTION', card: amex })),
    ),
  );
  // Refused before anything is stored; card invalid after the request was accepted.
  await pay('no shopper', storingPayment(undefined, { card: visa }));
  await pay('no token_usage', storingPayment(carol, { card: { ...visa, token_usage: undefined } }));
  await pay('expired', storingPayment(carol, { card: { ...visa, exp_year: '2020' } }));
  await pay('amex with a 3-digit cvv', storingPayment(carol, { card: { ...amex, cvv: VISA_CVV } }));

  // A payment by token, with a CVV.
  await pay('by token', tokenPayment(stored.token!, alice, {}, { cvv: VISA_CVV }));

  // A subscription: first payment, renewals, rule refusals, cancellation.
  const first = await pay('first recurring', firstRecurring(carol, {}, amex));
  const agreement = first.recurring_agreement_id!;
  await pay('renewal 1', renewal(agreement, first.token!, carol));
  await pay('renewal 2', renewal(agreement, first.token!, carol));
  await pay('2010', firstRecurring(carol, { mit: undefined }, visa));
  await pay('2012', firstRecurring(carol, { mit: true }, visa));
  await pay('2013', firstRecurring(carol, {}, { ...visa, payment_method: 'ApplePay' }));
  await pay('2014', firstRecurring(carol, {}, { ...visa, store_payment_method: false }));
  await pay('5010 other token', renewal(agreement, stored.token!, carol));
  answers.push((await api.cancel(agreement, carol)).text);
  await pay('2016', renewal(agreement, first.token!, carol));

  // Token query, removal, and a payment with the removed token.
  answers.push(JSON.stringify(await api.tokens(alice)), JSON.stringify(await api.tokens(bob)));
  answers.push((await api.removeToken(stored.token!, alice)).text);
  await pay('removed token', tokenPayment(stored.token!, alice, {}, { cvv: VISA_CVV }));

  // A body that is not valid JSON, full of card data.
  const text =
    `{"merchant_id":"${api.merchantId}","timestamp":${Date.now()},"trans_id":"x",` +
    `"payment":{"card_no":"${VISA}","cvv":"${VISA_CVV}","store_payment_method":true,"x":NaN}}`;
  const timestamp = Date.now();
  const signature = signBody(api.merchantId, timestamp, text, api.merchant.privateKey);
  const malformed = await rawPost(gw.baseUrl, '/apis/payments', text, {
    signature,
    type: 'RSA256',
    version: 'v1.2',
  });
  expect(malformed.status).toBe(400);
  answers.push(malformed.text);
});

afterAll(async () => {
  await closeGateway();
  await gw.store.drop();
});

describe('card data of stored cards never leaves in the clear', () => {
  it('the scenarios went as expected', () => {
    const status = (name: string) => [outcomes[name]?.status, outcomes[name]?.error_code];
    expect(status('store visa')).toEqual(['SUCCESS', '0000']);
    expect(outcomes['store visa again']!.token).toBe(outcomes['store visa']!.token);
    expect(new Set(Array.from({ length: 10 }, (_, i) => outcomes[`concurrent ${i}`]!.token)).size).toBe(1);
    expect(refusals['no shopper']!.json.ret_code).toBe('210002');
    expect(refusals['no token_usage']!.json.ret_code).toBe('010000');
    expect(status('expired')).toEqual(['FAILURE', '2099']);
    expect(status('amex with a 3-digit cvv')).toEqual(['FAILURE', '2099']);
    expect(status('by token')).toEqual(['SUCCESS', '0000']);
    expect(status('first recurring')).toEqual(['SUCCESS', '0000']);
    expect(status('renewal 2')).toEqual(['SUCCESS', '0000']);
    for (const code of ['2010', '2012', '2013', '2014', '2016'])
      expect(status(code)).toEqual(['FAILURE', code]);
    expect(status('5010 other token')).toEqual(['FAILURE', '5010']);
    expect(status('removed token')).toEqual(['FAILURE', '5010']);
  });

  it('no answer carries more than bin + last4, or a CVV', () => {
    expect(answers.length).toBeGreaterThan(40);
    for (const text of answers) expectNoCardData(text, `the answer ${text.slice(0, 80)}`);
  });

  it('no text column of tokens, orders, agreements, notifications (or any table) holds a PAN or CVV', async () => {
    const { writer: db } = gw.runtime.store;
    const tables =
      gw.store.kind === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
        : await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
    const names = tables.rows.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['tokens', 'orders', 'agreements', 'notifications']));
    const counted: Record<string, number> = {};
    for (const name of names) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
      counted[name] = rows.rows.length;
      for (const row of rows.rows) {
        for (const [column, value] of Object.entries(row)) {
          if (typeof value !== 'string') continue;
          expectNoCardData(value, `${name}.${column}`);
          expect(CANARY_CVVS, `${name}.${column} is a CVV`).not.toContain(value);
        }
      }
    }
    // The scenarios wrote to each of the four.
    for (const name of ['tokens', 'orders', 'agreements', 'notifications']) {
      expect(counted[name], name).toBeGreaterThan(0);
    }
  });

  it('stored cards exist only encrypted; the removed token keeps no card data', async () => {
    const active = await tokenRow(gw, outcomes['first recurring']!.token!);
    expect(active!.card_ciphertext).toEqual(expect.any(String));
    const card = gw.runtime.vault.decryptCard(active!.card_ciphertext!);
    expect(card).toEqual({ pan: AMEX, exp_month: 12, exp_year: Number(FUTURE_YEAR) });
    const removed = await tokenRow(gw, outcomes['store visa']!.token!);
    expect(removed).toMatchObject({ status: 'INACTIVE', card_ciphertext: null });
  });

  it('no file of the data dir holds a PAN or CVV, while open and after the gateway closed', async () => {
    const scan = (when: string) => {
      const files = readdirSync(gw.store.dataDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name));
      for (const file of files) expectNoCardData(readFileSync(file).toString('latin1'), `${file} (${when})`);
      return files;
    };
    const open = scan('open');
    if (gw.store.kind === 'sqlite') {
      expect(open.some((f) => f.endsWith('.db'))).toBe(true);
      expect(open.some((f) => f.endsWith('.db-wal'))).toBe(true);
    }
    await closeGateway();
    const after = scan('closed');
    if (gw.store.kind === 'sqlite') expect(after.some((f) => f.endsWith('.db'))).toBe(true);
  });

  it('the logs hold no PAN or CVV', async () => {
    await closeGateway();
    const logs = Buffer.concat(logChunks).toString('utf8');
    expect(logs.length).toBeGreaterThan(0);
    // pino's own numeric fields (pid, time) are not card data; drop them before looking.
    expectNoCardData(logs.replace(/"(pid|time)":\d+/g, ''), 'the logs');
  });
});
