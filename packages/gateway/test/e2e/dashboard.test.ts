/**
 * The operator dashboard in headless Chromium: log in (a wrong token refused, the cookie's
 * flags), filter the payments, open one with a refund and a notification its receiver refused
 * with HTTP 500, redeliver it, create a merchant, draw the overview's charts; and the attacks:
 * a form posted from another site, markup in what merchants and receivers write, a session
 * after logout. Every page runs under its policy: any violation fails the test.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ACK, type AnsweringReceiver, answeringReceiver } from '../dashboard/answering.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { afterThisTest, captureScreenshot, guardedPage, saveScreenshot, text, useScenes } from './scene.ts';

useScenes();

const TOKEN = randomBytes(32).toString('base64url');

interface Desk {
  gw: TestGateway;
  merchant: TestMerchant;
  receiver: AnsweringReceiver;
  page: Page;
  /** Content-Security-Policy violations the browser reported. */
  violations: string[];
}

/** A gateway with the dashboard on, a merchant whose receiver answers as the test says, a page. */
async function desk(extraOrigins: string[] = []): Promise<Desk> {
  const gw = await startGateway({ env: { OPENKKA_ADMIN_TOKEN: TOKEN, OPENKKA_NOTIFY_BACKOFF: '50ms' } });
  afterThisTest(() => gw.close());
  const receiver = await answeringReceiver();
  afterThisTest(() => receiver.close());
  const merchant = await gw.createMerchant({ name: 'Lotus Tea House', notifyUrl: receiver.url });
  const { page } = await guardedPage([new URL(gw.baseUrl).origin, ...extraOrigins]);
  await page.setViewportSize({ width: 1280, height: 860 });
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return { gw, merchant, receiver, page, violations };
}

async function logIn(d: Desk): Promise<void> {
  await d.page.goto(`${d.gw.baseUrl}/dashboard`);
  await d.page.waitForURL(`${d.gw.baseUrl}/dashboard/login`);
  await d.page.getByLabel('Admin token').fill(TOKEN);
  await d.page.getByRole('button', { name: 'Log in' }).click();
  await d.page.waitForURL(`${d.gw.baseUrl}/dashboard/payments`);
}

/** Waits until every notification of the order is in `status`. */
function notificationsIn(d: Desk, orderId: string, status: string, count = 1) {
  return eventually(`${orderId} ${status}`, async () => {
    d.gw.dispatcher.poke();
    const rows = await d.gw.notifications.list({ orderId });
    return rows.length >= count && rows.every((r) => r.status === status) ? rows : undefined;
  });
}

describe('the dashboard in headless Chromium', () => {
  it('login: a wrong token is refused; the session cookie is HttpOnly, SameSite=Strict, /dashboard only', async () => {
    const d = await desk();
    await d.page.goto(`${d.gw.baseUrl}/dashboard/payments`);
    await d.page.waitForURL(`${d.gw.baseUrl}/dashboard/login`);
    await d.page.getByLabel('Admin token').fill(`${TOKEN}x`);
    await d.page.getByRole('button', { name: 'Log in' }).click();
    expect(await text(d.page, '[role=alert]')).toBe('That is not the admin token.');
    expect(await d.page.context().cookies()).toEqual([]);
    saveScreenshot('dashboard-login', await captureScreenshot(d.page));

    await logIn(d);
    const [cookie] = await d.page.context().cookies();
    expect(cookie).toMatchObject({
      name: 'openkka_dashboard',
      path: '/dashboard',
      httpOnly: true,
      sameSite: 'Strict',
      secure: false,
    });
    // No script of the page can read it.
    expect(await d.page.evaluate(() => document.cookie)).not.toContain('openkka_dashboard');

    await d.page.getByRole('button', { name: 'Log out' }).click();
    await d.page.waitForURL(`${d.gw.baseUrl}/dashboard/login`);
    // The cookie, put back as an attacker who copied it would, opens nothing any more.
    await d.page.context().addCookies([cookie!]);
    await d.page.goto(`${d.gw.baseUrl}/dashboard/payments`);
    expect(d.page.url()).toBe(`${d.gw.baseUrl}/dashboard/login`);
    expect(d.violations).toEqual([]);
  });

  it('filters, opens a payment with a refund and a failed notification, and redelivers it', async () => {
    const d = await desk();
    const { client } = d.merchant;
    const declined = await client.payments.create(
      cardPayment({ amount: 1200 }, { card_no: '4000000000000002' }),
    );
    await notificationsIn(d, declined.order_id, 'DELIVERED');
    d.receiver.answer = { status: 500, body: '{"ret_code":"999999","ret_msg":"database down"}' };
    const order = await client.payments.create(cardPayment({ amount: 4250, trans_id: 'cart-7731' }));
    await client.refunds.create({
      refund_trans_id: 'refund-7731',
      ori_order_id: order.order_id,
      refund_amount: 1250,
      currency: 'USD',
      reason: 'REQUESTED_BY_CUSTOMER',
    });
    const [paid] = await notificationsIn(d, order.order_id, 'FAILED', 2);

    await logIn(d);
    expect(await d.page.locator('table.payments tbody tr').count()).toBe(2);
    saveScreenshot('dashboard-payments', await captureScreenshot(d.page));
    await d.page.getByLabel('Status').selectOption('FAILURE');
    await d.page.getByRole('button', { name: 'Filter' }).click();
    await d.page.waitForURL(/status=FAILURE/);
    expect(await d.page.locator('table.payments tbody tr').count()).toBe(1);
    expect(await text(d.page, 'table.payments tbody td:nth-child(6)')).toBe('FAILURE');
    await d.page.getByRole('link', { name: 'Clear' }).click();
    await d.page.getByLabel('Order id, trans_id or session_id').fill('cart-7731');
    await d.page.getByRole('button', { name: 'Filter' }).click();
    await d.page.waitForURL(/q=cart-7731/);
    expect(await d.page.locator('table.payments tbody tr').count()).toBe(1);

    await d.page.getByRole('link', { name: order.order_id }).click();
    await d.page.waitForURL(`${d.gw.baseUrl}/dashboard/payments/${order.order_id}`);
    const timeline = await text(d.page, 'ol.timeline');
    for (const step of ['Created', 'Refund requested', 'Refund succeeded']) expect(timeline).toContain(step);
    const body = await text(d.page, 'main');
    expect(body).toContain('424242••••4242');
    expect(body).not.toContain('4242424242424242');
    expect(body).toContain('Refundable30.00 USD');
    const row = d.page.locator(`tr[data-notify-id="${paid!.notify_id}"]`);
    expect(await text(d.page, `tr[data-notify-id="${paid!.notify_id}"] .status`)).toBe('FAILED');
    expect(await d.page.locator('tr.attempt').filter({ hasText: 'HTTP 500' }).count()).toBe(4);
    expect(await text(d.page, `tr.attempt td.excerpt >> nth=0`)).toBe(
      '{"ret_code":"999999","ret_msg":"database down"}',
    );
    saveScreenshot('dashboard-payment', await captureScreenshot(d.page, { fullPage: true }));

    d.receiver.answer = ACK;
    await row.getByRole('button', { name: 'Redeliver' }).click();
    await d.page.waitForURL(/done=redelivered/);
    expect(await text(d.page, '[role=status]')).toBe('Queued for delivery again.');
    await eventually('delivered', async () =>
      (await d.gw.notifications.get(paid!.notify_id)).status === 'DELIVERED' ? true : undefined,
    );
    await d.page.reload();
    expect(await text(d.page, `tr[data-notify-id="${paid!.notify_id}"] .status`)).toBe('DELIVERED');

    await d.page.getByRole('link', { name: 'Notifications' }).click();
    expect(await d.page.locator('#failed tr.notification').count()).toBe(1);
    expect(d.violations).toEqual([]);
  });

  it('creates a merchant, shows its private key once, and draws the overview', async () => {
    const d = await desk();
    await d.merchant.client.payments.create(cardPayment());
    await d.merchant.client.payments.create(cardPayment({}, { card_no: '4000000000000002' }));
    await logIn(d);
    await d.page.getByRole('link', { name: 'Merchants' }).click();
    await d.page.getByLabel('Name', { exact: true }).fill('Jade Garden');
    await d.page.getByLabel('Notify URL').fill('https://jade.example/notify');
    await d.page.getByRole('button', { name: 'New merchant' }).click();
    expect(await text(d.page, '[role=status]')).toContain('Copy the private key now');
    expect(await text(d.page, '#private-key')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const id = /Merchant (\d+)/.exec(await text(d.page, 'h1'))![1]!;
    expect((await d.gw.merchants.find(id)).name).toBe('Jade Garden');
    // A reload posts the form again: refused, no second merchant, no key shown.
    const merchants = (await d.gw.merchants.list()).length;
    await d.page.reload();
    expect(await text(d.page, '[role=alert]')).toContain('This form was sent already');
    expect(await d.page.locator('#private-key').count()).toBe(0);
    expect(await d.gw.merchants.list()).toHaveLength(merchants);
    // Its page, opened again, no longer has it.
    await d.page.goto(`${d.gw.baseUrl}/dashboard/merchants/${id}`);
    expect(await text(d.page, 'h1')).toBe(`Merchant ${id}`);
    expect(await d.page.locator('#private-key').count()).toBe(0);
    await d.page.getByRole('link', { name: 'Merchants' }).click();
    await d.page.waitForURL(`${d.gw.baseUrl}/dashboard/merchants`);
    saveScreenshot('dashboard-merchants', await captureScreenshot(d.page));

    await d.page.getByRole('link', { name: 'Overview' }).click();
    await d.page.waitForSelector('#chart-notifications canvas');
    expect(await d.page.locator('.uplot').count()).toBe(5);
    expect(await d.page.locator('table.declines tbody tr').count()).toBe(1);
    saveScreenshot('dashboard-overview', await captureScreenshot(d.page, { fullPage: true }));

    await d.page.getByRole('link', { name: '中文' }).click();
    expect(await text(d.page, 'h1')).toBe('概览');
    await d.page.waitForSelector('#chart-notifications canvas');
    expect(await d.page.locator('.uplot').count()).toBe(5);
    saveScreenshot('dashboard-overview-zh', await captureScreenshot(d.page, { fullPage: true }));
    expect(d.violations).toEqual([]);
  });

  it('attacks: a form posted from another site, and markup in what merchants and receivers write', async () => {
    // The attacker's page, on another site (localhost is not 127.0.0.1), posts the merchant form.
    const attacker = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<form id="f" method="post" action="${target}/dashboard/merchants"><input name="name" value="Planted"><input name="generate" value="1"></form><script>document.getElementById('f').submit()</script>`,
        );
    });
    let target = '';
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    afterThisTest(() => new Promise((resolve) => attacker.close(resolve)));
    const attackerOrigin = `http://localhost:${(attacker.address() as AddressInfo).port}`;
    const d = await desk([attackerOrigin]);
    target = d.gw.baseUrl;

    d.receiver.answer = { status: 200, body: '{"ret_code":"<img src=x onerror=window.__pwned=1>"}' };
    const order = await d.merchant.client.payments.create(
      cardPayment({ trans_id: '<img src=x onerror=window.__pwned=2>' }),
    );
    await notificationsIn(d, order.order_id, 'FAILED');
    await logIn(d);
    const merchants = (await d.gw.merchants.list()).length;

    await d.page.goto(`${attackerOrigin}/`);
    await d.page.waitForURL(`${d.gw.baseUrl}/dashboard/merchants`);
    expect(await text(d.page, 'main')).toContain('This form was not sent from the dashboard');
    expect(await d.gw.merchants.list()).toHaveLength(merchants);

    await d.page.goto(`${d.gw.baseUrl}/dashboard/payments/${order.order_id}`);
    expect(await text(d.page, 'main')).toContain('<img src=x onerror=window.__pwned=2>');
    expect(await text(d.page, 'tr.attempt td.excerpt >> nth=0')).toContain(
      '<img src=x onerror=window.__pwned=1>',
    );
    expect(await d.page.locator('main img').count()).toBe(0);
    expect(await d.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  });
});
