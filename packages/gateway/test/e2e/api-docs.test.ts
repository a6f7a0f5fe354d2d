/**
 * /docs in a real headless Chromium: the API reference renders from the gateway alone (no
 * request to any other host), its stylesheet applies under the page's strict
 * Content-Security-Policy, nothing is refused by that policy, and it names every operation.
 */
import { describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../src/protocols/openapi/document.ts';
import { startGateway } from '../helpers/gateway.ts';
import { afterThisTest, guardedPage, text, useScenes } from './scene.ts';

useScenes();

describe('the API reference page in headless Chromium', () => {
  it('renders from local assets only, with no CSP violation, and lists every operation and code', async () => {
    const gw = await startGateway();
    afterThisTest(() => gw.close());
    const origin = new URL(gw.baseUrl).origin;
    const { page, blocked } = await guardedPage([origin]);
    const requested: string[] = [];
    const refused: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    // Runs before the page's own content, outside its CSP: records what the policy refuses.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as { __violations?: string[] }).__violations = seen;
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });

    const res = await page.goto(`${gw.baseUrl}/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(await text(page, 'h1')).toBe('openkka payment API');

    // The inline stylesheet applied: the hash in the policy is the stylesheet's.
    expect(await page.locator('main').evaluate((m) => getComputedStyle(m).maxWidth)).toBe('1080px');
    expect(await page.locator('script').count()).toBe(0);

    const doc = (await (await fetch(`${gw.baseUrl}/openapi.json`)).json()) as OpenApiDocument;
    const sections = await page.locator('section h2').allTextContents();
    for (const { post } of Object.values(doc.paths)) expect(sections).toContain(post.summary);
    const body = await page.locator('main').textContent();
    for (const path of Object.keys(doc.paths)) expect(body).toContain(path);
    for (const { code } of doc['x-business-codes']) expect(body).toContain(code);
    expect(await page.locator('#codes td', { hasText: '300071' }).count()).toBe(1);
    // A field of a nested object, flattened: the card number of a payment.
    expect(await page.locator('#op-pay td code', { hasText: /^payment\.card_no$/ }).count()).toBe(1);

    await page.getByRole('link', { name: 'Codes' }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#codes');

    expect(blocked).toEqual([]);
    expect(requested.every((url) => new URL(url).origin === origin)).toBe(true);
    expect(refused).toEqual([]);
    expect(await page.evaluate(() => (window as { __violations?: string[] }).__violations)).toEqual([]);
  });
});
