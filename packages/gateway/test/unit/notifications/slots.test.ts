/**
 * The fair shares of notification attempts (slots.ts): free slots go one at a time to the
 * merchant with the fewest in flight, no merchant or host beyond its share.
 */
import { describe, expect, it } from 'vitest';
import { DeliverySlots } from '../../../src/modules/notifications/slots.ts';

const due = (...ids: string[]) => ids.map((merchantId, i) => ({ merchantId, firstDue: i }));

describe('DeliverySlots', () => {
  it('shares the free slots round-robin, oldest first between equals', () => {
    const slots = new DeliverySlots({ total: 5, perMerchant: 8, perHost: 100 });
    expect([...slots.plan(due('a', 'b', 'c'))]).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 1],
    ]);
  });

  it('gives a merchant no more than its share, and the rest to the others', () => {
    const slots = new DeliverySlots({ total: 10, perMerchant: 3, perHost: 100 });
    for (let i = 0; i < 2; i++) expect(slots.take('a', 'h:80')).toBe(true);
    expect(Object.fromEntries(slots.plan(due('a', 'b')))).toEqual({ a: 1, b: 3 });
  });

  it('puts the merchant with none in flight first when hanging ones hold every slot', () => {
    const slots = new DeliverySlots({ total: 4, perMerchant: 4, perHost: 100 });
    for (const m of ['a', 'a', 'b', 'b']) slots.take(m, `${m}:80`);
    expect(slots.plan(due('a', 'b', 'c')).size).toBe(0);
    slots.release('a', 'a:80');
    // a's backlog is older, but c has nothing in flight.
    expect([...slots.plan(due('a', 'b', 'c'))]).toEqual([['c', 1]]);
  });

  it('refuses a slot on a host at its share, whichever merchant asks', () => {
    const slots = new DeliverySlots({ total: 10, perMerchant: 10, perHost: 2 });
    expect(slots.take('a', 'shared:443')).toBe(true);
    expect(slots.take('b', 'shared:443')).toBe(true);
    expect(slots.take('c', 'shared:443')).toBe(false);
    expect(slots.take('c', 'other:443')).toBe(true);
    expect(slots.free).toBe(7);
    slots.release('a', 'shared:443');
    expect(slots.take('c', 'shared:443')).toBe(true);
  });
});
