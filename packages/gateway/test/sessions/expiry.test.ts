/**
 * Sessions expire (◆ 30 minutes unless expire_time says otherwise, OPENKKA_SESSION_EXPIRY):
 * lazily when read, and by the background jobs. An expired session never takes a payment; a
 * session whose order exists is COMPLETED and never expires. The clock is moved by hand and the
 * jobs run with runDue().
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { formatTime } from '../../src/domain/time.ts';
import { countOrders, refusal } from '../helpers/payments.ts';
import { type Checkout, cardForm, createSession, getPage, postForm, setup } from '../helpers/sessions.ts';

const clock = new ManualClock(Date.now());
let t: Checkout;
beforeAll(async () => {
  t = await setup({ clock, env: { OPENKKA_SESSION_EXPIRY: '20m' } });
});
afterAll(() => t?.close());

describe('session expiry', () => {
  it('the configured default applies: OPEN until expire_time, EXPIRED from it on (read lazily)', async () => {
    const session = await createSession(t);
    expect(Date.parse(session.expire_time)).toBe(Math.floor((clock.now() + 20 * 60_000) / 1000) * 1000);
    clock.advance(20 * 60_000 - 1000);
    expect((await t.client.sessions.query({ session_id: session.session_id })).status).toBe('OPEN');
    clock.advance(1000);
    expect((await t.client.sessions.query({ session_id: session.session_id })).status).toBe('EXPIRED');
  });

  it('an expired session shows the expired page and refuses payment; nothing is charged', async () => {
    const session = await createSession(t, {
      expire_time: formatTime(clock.now() + 60_000, t.gw.config.timeZone),
    });
    clock.advance(60_000);
    const page = await getPage(session.session_url);
    expect(page.status).toBe(410);
    expect(page.html).toContain('This checkout has expired');
    expect(page.html).toContain('id="back" href="https://shop.example/cart?');
    const before = await countOrders(t.gw);
    const paid = await postForm(session.session_url, cardForm());
    expect(paid.status).toBe(410);
    expect(paid.html).toContain('Nothing was charged');
    expect(await countOrders(t.gw)).toBe(before);
    expect((await refusal(t.client.payments.query({ session_id: session.session_id }))).retCode).toBe(
      '206024',
    );
  });

  it('the jobs expire open sessions past their time, and only those', async () => {
    const due = await createSession(t, {
      expire_time: formatTime(clock.now() + 5 * 60_000, t.gw.config.timeZone),
    });
    const later = await createSession(t, {
      expire_time: formatTime(clock.now() + 15 * 60_000, t.gw.config.timeZone),
    });
    const paid = await createSession(t, {
      expire_time: formatTime(clock.now() + 5 * 60_000, t.gw.config.timeZone),
    });
    await postForm(paid.session_url, cardForm());
    clock.advance(5 * 60_000);
    await t.gw.jobs.runDue();
    const stored = async (id: string) =>
      (
        await t.gw.runtime.store.writer
          .selectFrom('checkout_sessions')
          .select('status')
          .where('session_id', '=', id)
          .executeTakeFirstOrThrow()
      ).status;
    expect(await stored(due.session_id)).toBe('EXPIRED');
    expect(await stored(later.session_id)).toBe('OPEN');
    expect(await stored(paid.session_id)).toBe('COMPLETED');
    expect((await t.client.sessions.query({ session_id: paid.session_id })).status).toBe('COMPLETED');
  });

  it('creating again with an expired session’s trans_id answers the expired session', async () => {
    const session = await createSession(t, {
      expire_time: formatTime(clock.now() + 60_000, t.gw.config.timeZone),
    });
    clock.advance(60_000);
    const again = await t.client.sessions.create({
      trans_id: session.trans_id,
      currency: 'EUR',
      amount: 4250,
      return_url: 'https://shop.example/return?cart=7',
    });
    expect(again).toMatchObject({ session_id: session.session_id, status: 'EXPIRED' });
  });

  it('a challenge started before expire_time still completes: the order, not the session clock, decides', async () => {
    const session = await createSession(t, {
      expire_time: formatTime(clock.now() + 60_000, t.gw.config.timeZone),
    });
    const paid = await postForm(session.session_url, cardForm('4000002760003184'));
    expect(paid.location).toMatch(/\/3ds\//);
    clock.advance(2 * 60_000);
    await t.gw.jobs.runDue();
    expect((await t.client.sessions.query({ session_id: session.session_id })).status).toBe('COMPLETED');
    const challenge = await getPage(paid.location!);
    const otp = /<strong id="otp">(\d{6})<\/strong>/.exec(challenge.html)![1]!;
    await postForm(paid.location!, { code: otp, action: 'complete' });
    expect((await t.client.payments.query({ session_id: session.session_id })).status).toBe('SUCCESS');
  });
});
