/**
 * /metrics under `openkka start --workers 2`: payments spread over both workers, and a scrape,
 * whichever worker takes it, counts them all (the primary aggregates every worker's registry,
 * cli/cluster/metrics.ts); the store backlog, read by each worker, is one figure, not a sum.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { parseScrape } from '../helpers/metrics.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { send } from '../security/raw-http.ts';
import { connectionsByPid, demoSigner, logLines, post, startCluster, workerPids } from './cluster.ts';
import { killChildren, type ServerProcess } from './run-cli.ts';

let store: TestStore;
let server: ServerProcess;

beforeAll(async () => {
  store = await createTestStore();
  server = await startCluster({ ...store.env, OPENKKA_LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  server?.child.kill('SIGKILL');
  killChildren();
  await store?.drop();
});

describe('metrics of two workers', () => {
  it('a scrape on either worker counts the requests both served', async () => {
    const signer = demoSigner(server.banner);
    const workers = await workerPids(server);
    const PAYMENTS = 12;
    for (let i = 0; i < PAYMENTS; i++) {
      const res = await post(server.url, '/payments', signer, cardPayment());
      expect(res.status, res.text).toBe(200);
    }
    // Each payment came on a connection of its own, handed to the workers in turn: both served some.
    const served = connectionsByPid(server.stderr());
    for (const pid of workers) expect(served.get(pid), `worker ${pid}`).toBeGreaterThanOrEqual(2);

    // Four scrapes, each on a fresh connection: both workers take some, and each answers the sum.
    for (let i = 0; i < 4; i++) {
      const res = await send(server.url, { method: 'GET', path: '/metrics' });
      expect(res.status, res.text).toBe(200);
      const m = parseScrape(res.text);
      expect(
        m.sum('openkka_http_requests_total', { route: '/apis/payments', method: 'POST', status: '200' }),
      ).toBe(PAYMENTS);
      expect(m.sum('openkka_payments_total', { status: 'SUCCESS' })).toBe(PAYMENTS);
      expect(m.series('openkka_notifications_backlog')).toHaveLength(1);
      expect(m.series('openkka_reconciler_backlog')[0]?.value).toBe(0);
      // Both workers' memory, summed.
      expect(m.series('process_resident_memory_bytes')[0]?.value).toBeGreaterThan(0);
    }
    const scrapedBy = connectionsByPid(server.stderr());
    for (const pid of workers) expect(scrapedBy.get(pid)).toBeGreaterThan(served.get(pid)!);
    expect(logLines(server.stderr()).filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});
