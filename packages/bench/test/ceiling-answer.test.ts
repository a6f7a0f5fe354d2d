// What the ceiling server answers: the right status per step, padded to a real answer's size.
import { describe, expect, it } from 'vitest';
import { judge } from '../src/bodies.ts';
import { ceilingAnswer, envelopeText, operationPath } from '../src/ceiling-answer.ts';
import { PATHS } from '../src/wire.ts';

let id = 0;
const nextId = () => String(++id);

describe('ceilingAnswer', () => {
  it('answers every step of both mixes as the bench judges a good openkka answer', () => {
    const purchase = ceilingAnswer(
      '/apis/payments',
      { merchant_id: 'M', trans_id: 't', amount: 1000 },
      nextId,
    );
    const text = (a: typeof purchase) => envelopeText(a, 1, 760);
    expect(judge('purchase', purchase.http, text(purchase)).ok).toBe(true);
    const auth = ceilingAnswer('/apis/payments', { capture_method: 'MANUAL' }, nextId);
    const verdict = judge('authorize', auth.http, text(auth));
    expect(verdict).toEqual({ ok: true, orderId: expect.stringMatching(/^GW\d+$/) });
    for (const [path, step] of [
      ['/apis/payments/capture', 'capture'],
      ['/apis/payments/refund', 'refund'],
      ['/payments/query', 'query'],
    ] as const) {
      const a = ceilingAnswer(path, { order_id: 'GW1', ori_order_id: 'GW1' }, nextId);
      expect(judge(step, a.http, text(a)).ok, path).toBe(true);
    }
  });

  it('answers the same operations at their v3 paths, the refund with refund_order_id on top as well', () => {
    for (const [operation, path] of Object.entries(PATHS.v3)) {
      expect(operationPath(path), operation).toBe(operationPath(PATHS['v1.2'][operation as 'pay']));
    }
    const text = (a: ReturnType<typeof ceilingAnswer>) => envelopeText(a, null, 760);
    const pay = ceilingAnswer('/v3/payment/acq/pay', { trans_id: 't' }, nextId);
    expect(judge('purchase', pay.http, text(pay)).ok).toBe(true);
    const auth = ceilingAnswer('/v3/payment/acq/pay', { capture_method: 'MANUAL' }, nextId);
    expect(judge('authorize', auth.http, text(auth)).ok).toBe(true);
    for (const [path, step] of [
      ['/v3/payment/acq/capture', 'capture'],
      ['/v3/payment/acq/refund', 'refund'],
      ['/v3/payment/acq/query', 'query'],
    ] as const) {
      const a = ceilingAnswer(path, { order_id: 'GW1', ori_order_id: 'GW1' }, nextId);
      expect(judge(step, a.http, text(a)).ok, path).toBe(true);
    }
    const refund = JSON.parse(text(ceilingAnswer('/v3/payment/acq/refund', { ori_order_id: 'GW1' }, nextId)));
    expect(refund.refund_order_id).toMatch(/^RG\d+$/);
    expect(refund.refund_order_id).toBe(refund.data.refund_order_id);
    const v12 = JSON.parse(envelopeText(ceilingAnswer('/apis/payments/refund', {}, nextId), 1, 760));
    expect(v12).not.toHaveProperty('refund_order_id');
  });

  it('refuses an unknown path', () => {
    const a = ceilingAnswer('/apis/payments/nowhere', {}, nextId);
    expect(a.http).toBe(404);
    expect(JSON.parse(envelopeText(a, 1, 760))).toEqual({
      ret_code: '010000',
      ret_msg: 'no route /apis/payments/nowhere',
    });
  });
});

describe('envelopeText', () => {
  const answer = ceilingAnswer(
    '/apis/payments',
    { merchant_id: '12345678901234', trans_id: 'bench-x-1' },
    nextId,
  );

  it('is exactly the target size, with data.timestamp first', () => {
    for (const target of [700, 760, 2048]) {
      const text = envelopeText(answer, 1_767_225_600_000, target);
      expect(Buffer.byteLength(text)).toBe(target);
      const parsed = JSON.parse(text);
      expect(Object.keys(parsed.data)[0]).toBe('timestamp');
      expect(parsed.data.timestamp).toBe(1_767_225_600_000);
    }
  });

  it('has no data.timestamp on v3, and is still exactly the target size', () => {
    const text = envelopeText(answer, null, 760);
    expect(Buffer.byteLength(text)).toBe(760);
    const parsed = JSON.parse(text);
    expect(parsed.data).not.toHaveProperty('timestamp');
    expect(Object.keys(parsed)).toEqual(['ret_code', 'ret_msg', 'data']);
  });

  it('is never cut below what the content needs', () => {
    const text = envelopeText(answer, 1, 64);
    expect(Buffer.byteLength(text)).toBeGreaterThan(64);
    expect(JSON.parse(text).data.padding).toBe('');
  });
});
