/**
 * What every browser test stands on: one headless Chromium per file (launched by the first
 * test that needs it, so a missing browser fails each test with the way to install it rather
 * than skipping them), and per test a gateway, the merchant's shop and notification receiver,
 * and a fresh page that may reach those two origins only. Cleanups run after each test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, expect } from 'vitest';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type Receiver, startReceiver } from '../notifications/receiver.ts';
import { guardedContext, launchBrowser } from './browser.ts';
import { type Shop, type ShopRoutes, startShop } from './shop.ts';

const SCREENSHOTS = new URL('../../../../docs/screenshots/', import.meta.url);
export const MERCHANT_NAME = 'Lotus Tea House';

let launched: Promise<Browser> | undefined;
const browser = () => {
  launched ??= launchBrowser();
  return launched;
};

const cleanups: (() => Promise<unknown>)[] = [];

/** Registers the per-file hooks: call once at the top of a browser test file. */
export function useScenes(): void {
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  afterAll(async () => {
    await (await launched?.catch(() => undefined))?.close();
  });
}

export interface Scene {
  gw: TestGateway;
  merchant: TestMerchant;
  shop: Shop;
  inbox: Receiver;
  page: Page;
  /** Requests the browser tried to send to any other host. */
  blocked: string[];
}

/** Runs `close` after the current test, whether it passed or not. */
export function afterThisTest(close: () => Promise<unknown>): void {
  cleanups.push(close);
}

/** A fresh page of the file's browser that may reach `origins` only, closed after the test. */
export async function guardedPage(origins: string[]): Promise<{ page: Page; blocked: string[] }> {
  const { context, blocked } = await guardedContext(await browser(), origins);
  afterThisTest(() => context.close());
  return { page: await context.newPage(), blocked };
}

/**
 * A gateway, the merchant's shop and notification receiver, and a fresh browser page.
 * `shopRoutes` adds pages to the shop, given the gateway and merchant once they exist.
 */
export async function scene(
  options: { shopRoutes?: (gw: TestGateway, merchant: TestMerchant) => Promise<ShopRoutes> } = {},
): Promise<Scene> {
  await browser();
  const gw = await startGateway();
  afterThisTest(() => gw.close());
  const inbox = await startReceiver();
  afterThisTest(() => inbox.close());
  const merchant = await gw.createMerchant({ name: MERCHANT_NAME, notifyUrl: inbox.url });
  const shop = await startShop(await options.shopRoutes?.(gw, merchant));
  afterThisTest(() => shop.close());
  const { page, blocked } = await guardedPage([new URL(gw.baseUrl).origin, shop.origin]);
  return { gw, merchant, shop, inbox, page, blocked };
}

export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? '').trim();
}

/** Clicks the button named `name` and waits until the browser is back on the shop's return page. */
export async function pressAndReturn(s: Scene, name: string): Promise<URL> {
  await s.page.getByRole('button', { name, exact: true }).click();
  await s.page.waitForURL((u) => u.origin === s.shop.origin && u.pathname === '/return');
  return new URL(s.page.url());
}

/** What the shop's return page shows, and what the redirect carried, must be the same. */
export async function expectReturnPage(
  s: Scene,
  landed: URL,
  expected: Record<string, string>,
): Promise<void> {
  expect(Object.fromEntries(landed.searchParams)).toEqual(expected);
  for (const [name, value] of Object.entries(expected)) expect(await text(s.page, `#${name}`)).toBe(value);
  expect(s.shop.visits).toEqual([`${landed.pathname}${landed.search}`]);
}

/** Waits for the receiver to get `type` for the order; returns every notification body of the order. */
// biome-ignore lint/suspicious/noExplicitAny: tests read notification fields directly
export async function notification(s: Scene, orderId: string, type: string): Promise<any[]> {
  const all = await s.inbox.waitFor((r) =>
    r.some((n) => n.body?.order_id === orderId && n.body?.notify_type === type),
  );
  return all.filter((n) => n.body?.order_id === orderId).map((n) => n.body);
}

/**
 * docs/screenshots/<name>.png, shown by the README and the docs: written only by
 * `npm run screenshots` (OPENKKA_SCREENSHOTS=1), so a test run leaves the work tree as it was
 * and a browser without CJK fonts cannot spoil the Chinese pictures.
 */
export function saveScreenshot(name: string, png: Buffer | undefined): void {
  if (!png) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(new URL(`${name}.png`, SCREENSHOTS), png);
}

/**
 * The page as it is now, captured only when screenshots are asked for: Chromium refuses a capture
 * while a navigation is still landing, and a picture no one keeps must not fail a test.
 */
export async function captureScreenshot(
  page: Page,
  options: { fullPage?: boolean } = {},
): Promise<Buffer | undefined> {
  if (!process.env.OPENKKA_SCREENSHOTS) return undefined;
  await page.waitForLoadState('load');
  return page.screenshot(options);
}
