/**
 * PayKKa's clock (OPENKKA_TIMEZONE, default Asia/Hong_Kong): a time sent without an offset is
 * the gateway zone's wall clock, and answers and notifications write every time in that zone,
 * daylight saving time included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { cardPayment } from '../helpers/cards.ts';
import { getPage, sessionBody } from '../helpers/sessions.ts';
import { type ShopperGateway, startShopperGateway } from '../helpers/shopper-gateway.ts';

const MINUTE = 60_000;

function notification(t: ShopperGateway, orderId: string) {
  return t.inbox
    .waitFor((all) => all.some((r) => r.body?.order_id === orderId))
    .then((all) => all.find((r) => r.body?.order_id === orderId)!.body as Record<string, unknown>);
}

describe('the default zone, Hong Kong', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 1));
  let t: ShopperGateway;
  beforeAll(async () => {
    t = await startShopperGateway({ clock });
  });
  afterAll(() => t?.close());

  it('answers and notifies in +08:00', async () => {
    const order = await t.client.payments.create(cardPayment());
    expect(order.pay_finish_time).toBe('2026-01-01T08:00:01+08:00');
    expect(order.expire_time).toBe('2026-01-01T08:30:01+08:00');
    const sent = await notification(t, order.order_id);
    expect(sent).toMatchObject({
      pay_finish_time: '2026-01-01T08:00:01+08:00',
      expire_time: '2026-01-01T08:30:01+08:00',
    });
  });

  it("reads the v1.2 plugin's Y-m-d H:i:s as Hong Kong time: five minutes, not eight hours five", async () => {
    const order = await t.client.payments.create(cardPayment({ expire_time: '2026-01-01 08:05:01' }));
    expect(order.expire_time).toBe('2026-01-01T08:05:01+08:00');
    const later = await t.client.payments.create(cardPayment({ expire_time: '2026-01-01T08:05:01+0800' }));
    expect(later.expire_time).toBe('2026-01-01T08:05:01+08:00');

    const session = await t.client.sessions.create(sessionBody({ expire_time: '2026-01-01 08:05:01' }));
    expect(session.expire_time).toBe('2026-01-01T08:05:01+08:00');
    clock.advance(5 * MINUTE);
    expect((await t.client.sessions.query({ session_id: session.session_id })).status).toBe('EXPIRED');
    clock.set(Date.UTC(2026, 0, 1, 0, 0, 1));
  });

  it('shows the checkout deadline in the same zone', async () => {
    const session = await t.client.sessions.create(sessionBody());
    const page = await getPage(session.session_url);
    expect(page.html).toContain('datetime="2026-01-01T08:30:01+08:00"');
    expect(page.html).toContain('2026-01-01 08:30 (UTC+08:00)');
  });
});

describe('OPENKKA_TIMEZONE=Europe/Berlin, around its daylight saving changes', () => {
  // 2026-03-29 01:30 CET; at 01:00Z (02:00 CET) the clocks go to 03:00 CEST.
  const clock = new ManualClock(Date.UTC(2026, 2, 29, 0, 30));
  let t: ShopperGateway;
  beforeAll(async () => {
    t = await startShopperGateway({ clock, env: { OPENKKA_TIMEZONE: 'Europe/Berlin' } });
  });
  afterAll(() => t?.close());

  it('writes +01:00 before the change and +02:00 after it', async () => {
    const before = await t.client.payments.create(cardPayment());
    expect(before.pay_finish_time).toBe('2026-03-29T01:30:00+01:00');
    // 30 minutes later by the clock on the wall, 01:30 + 30 min + the hour the clocks jumped.
    expect(before.expire_time).toBe('2026-03-29T03:00:00+02:00');
    expect((await notification(t, before.order_id)).pay_finish_time).toBe('2026-03-29T01:30:00+01:00');

    clock.set(Date.UTC(2026, 2, 29, 1, 30));
    const after = await t.client.payments.create(cardPayment());
    expect(after.pay_finish_time).toBe('2026-03-29T03:30:00+02:00');
    clock.set(Date.UTC(2026, 2, 29, 0, 30));
  });

  it('reads a local time the spring change skipped as the time that much later', async () => {
    const order = await t.client.payments.create(cardPayment({ expire_time: '2026-03-29 02:30:00' }));
    expect(order.expire_time).toBe('2026-03-29T03:30:00+02:00');
  });

  it('reads a local time the autumn change repeats as its first occurrence, unless an offset says', async () => {
    const first = await t.client.payments.create(cardPayment({ expire_time: '2026-10-25T02:30:00' }));
    expect(first.expire_time).toBe('2026-10-25T02:30:00+02:00');
    const second = await t.client.payments.create(cardPayment({ expire_time: '2026-10-25T02:30:00+01:00' }));
    expect(second.expire_time).toBe('2026-10-25T02:30:00+01:00');
    expect(Date.parse(second.expire_time!) - Date.parse(first.expire_time!)).toBe(60 * MINUTE);
  });
});

describe('OPENKKA_TIMEZONE=UTC', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 1));
  let t: ShopperGateway;
  beforeAll(async () => {
    t = await startShopperGateway({ clock, env: { OPENKKA_TIMEZONE: 'UTC' } });
  });
  afterAll(() => t?.close());

  it('writes +00:00 and reads a time without an offset as UTC', async () => {
    const order = await t.client.payments.create(cardPayment({ expire_time: '2026-01-01 00:05:01' }));
    expect(order.pay_finish_time).toBe('2026-01-01T00:00:01+00:00');
    expect(order.expire_time).toBe('2026-01-01T00:05:01+00:00');
    const page = await getPage((await t.client.sessions.create(sessionBody())).session_url);
    expect(page.html).toContain('2026-01-01 00:30 (UTC)');
  });
});
