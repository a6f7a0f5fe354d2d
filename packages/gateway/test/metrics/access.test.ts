/**
 * Who may scrape /metrics and what a scrape can be made to cost: the bearer token
 * (OPENKKA_METRICS_TOKEN), the admin listener when there is one, OPENKKA_METRICS=off, and
 * labels that unknown paths cannot multiply.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/server.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { scrape } from '../helpers/metrics.ts';

const TOKEN = randomBytes(32).toString('base64url');

describe('with OPENKKA_METRICS_TOKEN', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { OPENKKA_METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('refuses a scrape without the token or with a wrong one, with 401 and WWW-Authenticate', async () => {
    const wrong: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${TOKEN}` },
      { authorization: TOKEN },
      { authorization: 'Bearer ' },
    ];
    for (const headers of wrong) {
      const res = await scrape(gw.baseUrl, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(JSON.parse(res.text)).toEqual({ error: 'metrics token missing or wrong' });
      expect(res.text).not.toContain('openkka_');
    }
  });

  it('answers the right token, the scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const res = await scrape(gw.baseUrl, { authorization: `${scheme} ${TOKEN}` });
      expect(res.status).toBe(200);
      expect(res.parsed!.types.get('openkka_http_requests_total')).toBe('counter');
      // The refusals above were counted, by route and status, like any answer.
      expect(res.parsed!.sum('openkka_http_requests_total', { route: '/metrics', status: '401' })).toBe(6);
    }
  });
});

describe('with an admin listener', () => {
  let gw: TestGateway;
  let adminUrl: string;
  beforeAll(async () => {
    gw = await startGateway({
      env: {
        OPENKKA_ADMIN_TOKEN: randomBytes(32).toString('base64url'),
        OPENKKA_ADMIN_LISTEN: '127.0.0.1:0',
      },
    });
    adminUrl = await listen(gw.admin!, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('serves /metrics there and not on the public listener', async () => {
    expect((await scrape(gw.baseUrl)).status).toBe(404);
    await fetch(`${gw.baseUrl}/healthz`);
    const res = await scrape(adminUrl);
    expect(res.status).toBe(200);
    // One registry for both listeners: the public listener's requests are in it.
    expect(res.parsed!.sum('openkka_http_requests_total', { route: '/healthz', status: '200' })).toBe(1);
    expect(res.parsed!.sum('openkka_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
  });
});

describe('with OPENKKA_METRICS=off', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { OPENKKA_METRICS: 'off', OPENKKA_METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('has no /metrics route and no hook on requests', async () => {
    expect((await scrape(gw.baseUrl, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    expect(gw.app.hasRoute({ method: 'GET', url: '/metrics' })).toBe(false);
    expect(gw.runtime.store.commits?.observer).toBeUndefined();
  });
});

describe('label cardinality', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  const seriesCount = async () => {
    const res = await scrape(gw.baseUrl);
    return res
      .parsed!.samples.filter((s) => s.name === 'openkka_http_requests_total')
      .map((s) => JSON.stringify(s.labels))
      .sort();
  };
  const randomPath = (i: number) => {
    const prefixes = ['/', '/apis/', '/v3/payment/acq/', '/cp/', '/3ds/', '/admin/', '/checkout/'];
    return `${prefixes[i % prefixes.length]}${randomBytes(8).toString('hex')}?q=${i}`;
  };

  it('1,000 requests to distinct unknown paths add no series', async () => {
    // One round first, so each kind of unknown path and method has made its series, and the
    // scrape its own (counted once answered).
    for (let i = 0; i < 14; i++) await fetch(gw.baseUrl + randomPath(i), { method: i < 7 ? 'POST' : 'GET' });
    await seriesCount();
    const before = await seriesCount();
    for (let sent = 0; sent < 1000; sent += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          fetch(gw.baseUrl + randomPath(sent + j), { method: (sent + j) % 2 ? 'POST' : 'GET' }).then((r) =>
            r.arrayBuffer(),
          ),
        ),
      );
    }
    const after = await seriesCount();
    expect(after).toEqual(before);
    const res = await scrape(gw.baseUrl);
    const routes = new Set(res.parsed!.series('openkka_http_requests_total').map((s) => s.labels.route));
    for (const route of routes) expect(route).not.toMatch(/[0-9a-f]{16}/);
    expect(res.parsed!.sum('openkka_http_requests_total', { status: '404' })).toBe(1014);
  });
});
