/**
 * The transport rules of docs/api.md#transport-rules: the 64 KiB body limit, JSON objects only, content types,
 * and that every refusal of an unreadable body is still a signed envelope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT } from '../../src/app.ts';
import type { TestMerchant } from '../helpers/gateway.ts';
import { Protocol, signBytes } from '../helpers/protocol.ts';

let p: Protocol;

beforeAll(async () => {
  p = await Protocol.start();
});
afterAll(() => p.close());

/** A payment body padded with an ignored field (mostly `fill`) so that its JSON is exactly `bytes` long. */
function paddedTo(m: TestMerchant, bytes: number, fill = 'x'): string {
  const body = p.payment(m, { padding: '' });
  const base = Buffer.byteLength(JSON.stringify(body));
  const fillBytes = Buffer.byteLength(fill);
  const rest = (bytes - base) % fillBytes;
  const padding = 'x'.repeat(rest) + fill.repeat((bytes - base - rest) / fillBytes);
  const text = JSON.stringify({ ...body, padding });
  expect(Buffer.byteLength(text)).toBe(bytes);
  return text;
}

describe('the 64 KiB body limit', () => {
  it('is 64 KiB', () => {
    expect(BODY_LIMIT).toBe(65_536);
  });

  it('one byte over → 413 010000 without reading the body (signed for no merchant)', async () => {
    const m = await p.merchant();
    const text = paddedTo(m, BODY_LIMIT + 1);
    const res = await p.send(m, '/apis/payments', text);
    p.expectRefused(res, 413, '010000', '');
    const { padding: _padding, ...body } = JSON.parse(text);
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it('counts bytes, not characters: 2-byte characters past the limit → 413', async () => {
    const m = await p.merchant();
    const text = paddedTo(m, BODY_LIMIT + 2, 'é');
    expect(text.length).toBeLessThan(BODY_LIMIT);
    p.expectRefused(await p.send(m, '/apis/payments', text), 413, '010000', '');
    expect(await p.orderCount(m.merchantId)).toBe(0);
  });

  it('far over the limit and sent chunked, without a Content-Length → 413 010000', async () => {
    const m = await p.merchant();
    const text = paddedTo(m, 4 * BODY_LIMIT);
    const chunks = [0, 1, 2, 3].map((i) => Buffer.from(text.slice(i * BODY_LIMIT, (i + 1) * BODY_LIMIT)));
    const signature = signBytes(m.merchantId, JSON.parse(text).timestamp, Buffer.from(text), m.privateKey);
    const res = await p.httpPost('/apis/payments', chunks, { 'content-type': 'application/json', signature });
    p.expectRefused(res, 413, '010000', '');
    expect(await p.orderCount(m.merchantId)).toBe(0);
  });

  it('exactly at the limit is served', async () => {
    const m = await p.merchant();
    const text = paddedTo(m, BODY_LIMIT);
    const data = p.expectOk(await p.send(m, '/apis/payments', text), m.merchantId);
    expect(data.trans_id).toBe(JSON.parse(text).trans_id);
  });
});

describe('the body must be one JSON object', () => {
  it.each([
    ['a trailing comma', (body: string) => `${body.slice(0, -1)},}`],
    ['a missing closing brace', (body: string) => body.slice(0, -1)],
    ['single quotes', (body: string) => body.replaceAll('"', "'")],
    ['a second value after the object', (body: string) => `${body} {}`],
    ['a byte-order mark before it', (body: string) => `\uFEFF${body}`],
  ])('malformed JSON (%s) → 400 010000, signed for no merchant', async (_name, breakIt) => {
    const m = await p.merchant();
    const body = p.payment(m);
    const text = breakIt(JSON.stringify(body));
    const res = await p.send(m, '/apis/payments', text, { signer: { timestamp: body.timestamp as number } });
    p.expectRefused(res, 400, '010000', '');
    await p.expectNothingStoredAndTransIdFree(m, body);
  });

  it.each([
    ['an array', '[{"merchant_id":"1"}]'],
    ['a number', '42'],
    ['null', 'null'],
    ['a string', '"{}"'],
    ['true', 'true'],
    ['whitespace only', '  \n '],
  ])('%s → 400 010000', async (_name, text) => {
    const m = await p.merchant();
    p.expectRefused(await p.send(m, '/apis/payments', text), 400, '010000', '');
  });

  it('an empty body → 400 010000', async () => {
    const m = await p.merchant();
    p.expectRefused(await p.send(m, '/apis/payments', ''), 400, '010000', '');
    p.expectRefused(await p.request('POST', '/apis/payments'), 400, '010000', '');
  });
});

describe('content types (read leniently: the signature decides)', () => {
  it.each([
    'text/plain',
    'application/json; charset=utf-8',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
  ])('a signed JSON body sent as %s is served', async (contentType) => {
    const m = await p.merchant();
    const body = p.payment(m);
    const res = await p.send(m, '/apis/payments', body, { headers: { 'content-type': contentType } });
    expect(p.expectOk(res, m.merchantId).trans_id).toBe(body.trans_id);
  });

  it('a signed JSON body with no content-type at all is served', async () => {
    const m = await p.merchant();
    const body = p.payment(m);
    const bytes = Buffer.from(JSON.stringify(body));
    const signature = signBytes(m.merchantId, body.timestamp as number, bytes, m.privateKey);
    const res = await p.httpPost('/apis/payments', bytes, { signature, type: 'RSA256', version: 'v1.2' });
    expect(p.expectOk(res, m.merchantId).trans_id).toBe(body.trans_id);
  });

  it('bytes that are not UTF-8 are refused before anything is read, signed for no merchant', async () => {
    const m = await p.merchant();
    const body = p.payment(m, { currency: 'USD' });
    const text = JSON.stringify(body);
    const at = Buffer.from(text.slice(0, text.indexOf('"USD"') + 3));
    // "US" followed by a lone 0xFF byte in place of "D": a signed body that is not valid UTF-8.
    const bytes = Buffer.concat([
      at,
      Buffer.from([0xff]),
      Buffer.from(text.slice(text.indexOf('"USD"') + 4)),
    ]);
    const signature = signBytes(m.merchantId, body.timestamp as number, bytes, m.privateKey);
    const res = await p.httpPost('/apis/payments', bytes, { 'content-type': 'application/json', signature });
    // Read with U+FFFD, two different byte strings would be one body (docs/security.md#strict-input).
    p.expectRefused(res, 400, '010000', '');
    expect(res.json.ret_msg).toBe('Invalid request: the body is not valid UTF-8');
    await p.expectNothingStoredAndTransIdFree(m, body);
  });
});
