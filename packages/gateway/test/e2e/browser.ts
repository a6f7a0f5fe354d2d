/**
 * A real headless Chromium for the end-to-end tests, driven through playwright-core. The
 * browser is the system's (Debian's `chromium` package), never one downloaded at run time.
 * A missing browser fails the tests with the way to install it: these tests never skip.
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function missingBrowser(reason: string): Error {
  return new Error(
    process.env.CI
      ? `Chromium is required by the e2e tests and ${reason}. CI must install it before the tests: ` +
          '.ci/run runs `apt-get install -y chromium fonts-noto-cjk` when /usr/bin/chromium is missing; ' +
          'set CHROMIUM_PATH if the browser lives elsewhere.'
      : `Chromium is required by the e2e tests and ${reason}. Install it with ` +
          '`sudo apt-get update && sudo apt-get install -y chromium fonts-noto-cjk` (fonts-noto-cjk ' +
          'renders the Chinese page), or set CHROMIUM_PATH to a Chromium or Chrome binary.',
  );
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw missingBrowser(`${CHROMIUM_PATH} does not exist`);
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
  } catch (err) {
    throw missingBrowser(`${CHROMIUM_PATH} did not start (${(err as Error).message.split('\n')[0]})`);
  }
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
