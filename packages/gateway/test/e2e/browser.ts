/**
 * A real headless Chromium for the end-to-end tests, driven through playwright-core, which
 * downloads no browser of its own. The project's global setup (test/setup/chromium.ts) finds
 * one — OPENKKA_TEST_CHROMIUM, the system's, or the one an npm package ships — proves it
 * starts, and leaves its path in OPENKKA_TEST_CHROMIUM: these tests never skip.
 */
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser(): Promise<Browser> {
  const path = process.env.OPENKKA_TEST_CHROMIUM;
  if (!path)
    throw new Error(
      "OPENKKA_TEST_CHROMIUM is not set: run the browser tests through vitest's e2e project, whose setup finds Chromium",
    );
  return chromium.launch({ executablePath: path, args: CHROMIUM_ARGS });
}

export interface GuardedContext {
  context: BrowserContext;
  /** Requests the page tried to make to any host but the allowed ones (they were aborted). */
  blocked: string[];
}

/**
 * A fresh browser profile that may talk to the given origins only (the gateway and the
 * shop, both on 127.0.0.1): anything else is aborted and recorded, so a test can prove that
 * the pages reach for no other host.
 */
export async function guardedContext(browser: Browser, origins: string[]): Promise<GuardedContext> {
  const context = await browser.newContext({
    viewport: { width: 800, height: 600 },
    deviceScaleFactor: 1,
    locale: 'en-US',
  });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (origins.includes(new URL(url).origin)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  return { context, blocked };
}
