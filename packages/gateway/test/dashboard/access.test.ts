/**
 * Who reaches the dashboard: only a browser that logged in with the admin token, through a
 * session cookie that is HttpOnly, SameSite=Strict and scoped to /dashboard, that logout and
 * expiry end for good; every form post also needs the session's CSRF token and a browser that
 * does not say it came from another site.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { listen } from '../../src/server.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { login, request } from './client.ts';

const TOKEN = randomBytes(32).toString('base64url');
const clock = new ManualClock(Date.now());
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({ clock, env: { OPENKKA_ADMIN_TOKEN: TOKEN } });
});
afterAll(async () => {
  await gw?.close();
});

/** Every page and every data-bearing file, each of which needs a session. */
const PAGES = [
  '/dashboard',
  '/dashboard/payments',
  '/dashboard/payments?status=SUCCESS',
  '/dashboard/payments/GW0000000000000000000000',
  '/dashboard/notifications',
  '/dashboard/merchants',
  '/dashboard/merchants/12345678901234',
  '/dashboard/overview',
  '/dashboard/overview?range=week',
];
const FILES = [
  '/dashboard/assets/uPlot.iife.min.js',
  '/dashboard/assets/uPlot.min.css',
  '/dashboard/assets/overview.js',
];
const POSTS = [
  '/dashboard/notifications/N1/redeliver',
  '/dashboard/logout',
  '/dashboard/merchants',
  '/dashboard/merchants/12345678901234/keys',
  '/dashboard/merchants/12345678901234/keys/key_0/remove',
  '/dashboard/merchants/12345678901234/notify-url',
  '/dashboard/merchants/12345678901234/status',
  '/dashboard/merchants/12345678901234/client-key',
];

describe('login', () => {
  it('refuses a wrong token, a longer and a shorter one, without a cookie', async () => {
    for (const token of ['', 'x'.repeat(TOKEN.length), `${TOKEN}x`, TOKEN.slice(1), ` ${TOKEN}`]) {
      const answer = await request(gw.baseUrl, '/dashboard/login', { form: { token } });
      expect(answer.status, token).toBe(401);
      expect(answer.body).toContain('That is not the admin token.');
      expect(answer.headers.getSetCookie().some((c) => c.startsWith('openkka_dashboard='))).toBe(false);
    }
  });

  it('sets an HttpOnly, SameSite=Strict session cookie for /dashboard alone', async () => {
    const answer = await request(gw.baseUrl, '/dashboard/login', { form: { token: TOKEN } });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/dashboard/payments');
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('openkka_dashboard='))!;
    expect(cookie).toMatch(
      /^openkka_dashboard=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/dashboard; HttpOnly; SameSite=Strict$/,
    );
  });

  it('refuses a login form posted from another site', async () => {
    const answer = await request(gw.baseUrl, '/dashboard/login', {
      form: { token: TOKEN },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(answer.status).toBe(403);
    expect(answer.headers.getSetCookie()).toEqual([]);
  });
});

describe('without a session', () => {
  it('every page leads to the login form, every data file is 401, every post 403', async () => {
    for (const cookie of [undefined, 'openkka_dashboard=forged', `openkka_dashboard=${'A'.repeat(43)}`]) {
      for (const path of PAGES) {
        const answer = await request(gw.baseUrl, path, cookie ? { cookie } : {});
        expect(answer.status, path).toBe(303);
        expect(answer.headers.get('location'), path).toBe(
          path === '/dashboard' ? '/dashboard/payments' : '/dashboard/login',
        );
      }
      for (const path of FILES)
        expect((await request(gw.baseUrl, path, cookie ? { cookie } : {})).status, path).toBe(401);
      for (const path of POSTS) {
        const answer = await request(gw.baseUrl, path, {
          ...(cookie ? { cookie } : {}),
          form: { csrf: 'x' },
        });
        expect(answer.status, path).toBe(403);
      }
    }
  });

  it('the login form and its stylesheet are served, under a policy without inline script or style', async () => {
    const page = await request(gw.baseUrl, '/dashboard/login');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const css = await request(gw.baseUrl, '/dashboard/assets/dashboard.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('an unknown dashboard path is an HTML 404, not the API envelope', async () => {
    const answer = await request(gw.baseUrl, '/dashboard/nothing/here');
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('a session', () => {
  it('serves the data files with their type and a private cache', async () => {
    const operator = await login(gw.baseUrl, TOKEN);
    const js = await operator.get('/dashboard/assets/uPlot.iife.min.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('private, max-age=3600');
    expect(js.body).toContain('uPlot');
    const again = await request(gw.baseUrl, '/dashboard/assets/uPlot.iife.min.js', {
      cookie: operator.cookie,
      headers: { 'if-none-match': js.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('refuses a post without its CSRF token, with another session’s, or from another site', async () => {
    const operator = await login(gw.baseUrl, TOKEN);
    const other = await login(gw.baseUrl, TOKEN);
    const path = '/dashboard/logout';
    for (const [form, headers] of [
      [{ csrf: '' }, {}],
      [{ csrf: other.csrf }, {}],
      [{}, { 'sec-fetch-site': 'cross-site' }],
      [{}, { 'sec-fetch-site': 'same-site' }],
    ] as const) {
      const answer = await request(gw.baseUrl, path, {
        cookie: operator.cookie,
        form: { csrf: operator.csrf, ...form },
        headers,
      });
      expect(answer.status).toBe(403);
    }
    // Still logged in: none of those posts did anything.
    expect((await operator.get('/dashboard/payments')).status).toBe(200);
  });

  it('is unusable after logout', async () => {
    const operator = await login(gw.baseUrl, TOKEN);
    const out = await operator.post('/dashboard/logout');
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/dashboard/login');
    expect(out.headers.getSetCookie()[0]).toMatch(/^openkka_dashboard=; Max-Age=0; Path=\/dashboard/);
    // The browser forgot the cookie; a copy of it kept elsewhere is worth nothing now.
    expect((await operator.get('/dashboard/payments')).status).toBe(303);
    expect((await operator.get('/dashboard/assets/overview.js')).status).toBe(401);
    expect((await operator.post('/dashboard/logout')).status).toBe(403);
  });

  it('is unusable once it expired, 12 hours after the login', async () => {
    const operator = await login(gw.baseUrl, TOKEN);
    clock.advance(12 * 3_600_000 - 1000);
    expect((await operator.get('/dashboard/payments')).status).toBe(200);
    clock.advance(1000);
    expect((await operator.get('/dashboard/payments')).status).toBe(303);
    expect((await operator.get('/dashboard/assets/overview.js')).status).toBe(401);
  });
});

describe('over https', () => {
  it('marks the cookie Secure when the public URL is https', async () => {
    const secure = await startGateway({
      env: { OPENKKA_ADMIN_TOKEN: TOKEN, OPENKKA_PUBLIC_URL: 'https://pay.example.com' },
    });
    try {
      const answer = await request(secure.baseUrl, '/dashboard/login', { form: { token: TOKEN } });
      expect(answer.headers.getSetCookie().find((c) => c.startsWith('openkka_dashboard='))).toMatch(
        /; Secure$/,
      );
    } finally {
      await secure.close();
    }
  });
});

describe('with OPENKKA_ADMIN_LISTEN', () => {
  it('is served on the admin listener, and the public one has no /dashboard at all', async () => {
    const split = await startGateway({
      env: { OPENKKA_ADMIN_TOKEN: TOKEN, OPENKKA_ADMIN_LISTEN: '127.0.0.1:0' },
    });
    try {
      const adminUrl = await listen(split.admin!, '127.0.0.1', 0);
      for (const path of ['/dashboard/login', '/dashboard/assets/dashboard.css', '/dashboard/payments']) {
        const answer = await request(split.baseUrl, path);
        expect(answer.status, path).toBe(404);
        expect(JSON.parse(answer.body).ret_code, path).toBe('300003');
      }
      expect((await request(split.baseUrl, '/dashboard/login', { form: { token: TOKEN } })).status).toBe(404);
      const operator = await login(adminUrl, TOKEN);
      expect((await operator.get('/dashboard/payments')).status).toBe(200);
    } finally {
      await split.close();
    }
  });

  it('is not served at all without OPENKKA_ADMIN_TOKEN', async () => {
    const off = await startGateway();
    try {
      expect((await request(off.baseUrl, '/dashboard/login')).status).toBe(404);
      expect(
        (await request(off.baseUrl, '/dashboard/login', { form: { token: 'x'.repeat(40) } })).status,
      ).toBe(404);
    } finally {
      await off.close();
    }
  });
});
