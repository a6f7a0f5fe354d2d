/**
 * /healthz and /readyz for load balancers (http/health.ts): alive, ready on a migrated store,
 * not ready while draining or while a migration is missing, never a 5xx for what a probe or
 * anyone else sends them.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw?.close();
});

const get = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(gw.baseUrl + path, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
};

describe('health', () => {
  it('/healthz: the process answers', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('/readyz: ready on a migrated store', async () => {
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ready' });
  });

  it('/readyz: 503 while a migration is missing, ready again once it is back', async () => {
    const last = await sql<{ name: string; timestamp: string }>`
      select name, timestamp from kysely_migration order by name desc limit 1`.execute(
      gw.runtime.store.writer,
    );
    const row = last.rows[0]!;
    await sql`delete from kysely_migration where name = ${row.name}`.execute(gw.runtime.store.writer);
    try {
      const res = await get('/readyz');
      expect(res.status).toBe(503);
      expect(JSON.parse(res.text)).toMatchObject({
        status: 'unready',
        reason: expect.stringMatching(/migrations applied$/),
      });
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${row.name}, ${row.timestamp})`.execute(
        gw.runtime.store.writer,
      );
    }
    expect((await get('/readyz')).status).toBe(200);
  });

  it('refuses other methods and look-alike paths without a 5xx', async () => {
    for (const [path, method] of [
      ['/readyz', 'POST'],
      ['/healthz', 'DELETE'],
      ['/readyz/', 'GET'],
      ['/readyz?x=%ff', 'GET'],
      ['/healthz/../admin', 'GET'],
    ] as const) {
      const res = await get(path, { method });
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
    }
  });

  it('/readyz: 503 once draining, while /healthz stays 200', async () => {
    gw.readiness.drain();
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toEqual({ status: 'draining' });
    expect((await get('/healthz')).status).toBe(200);
  });
});
