// What the ceiling server answers: the right status per step, padded to a real answer's size.
import { describe, expect, it } from 'vitest';
import { judge } from '../src/bodies.ts';
import { ceilingAnswer, envelopeText } from '../src/ceiling-answer.ts';

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

  it('is never cut below what the content needs', () => {
    const text = envelopeText(answer, 1, 64);
    expect(Buffer.byteLength(text)).toBeGreaterThan(64);
    expect(JSON.parse(text).data.padding).toBe('');
  });
});
