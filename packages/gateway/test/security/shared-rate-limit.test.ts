/**
 * Rate limits shared over PostgreSQL (OPENKKA_RATE_LIMIT_SHARED=postgres): two gateways on one
 * database hold a client spreading its requests over both to one budget, plus at most a slice
 * per gateway (docs/security.md#timeouts-rate-limits-and-sockets), where each counting its own
 * would let twice the budget through. A process leases slices in one statement each and
 * spends them in memory; a lease that expires gives its unspent tokens back; a database that
 * does not answer leaves each process counting its own, never a 5xx. On SQLite the option is
 * refused. Real parts throughout: two apps with pools of their own, a real PostgreSQL, a
 * real silent TCP server for a database that hangs.
 */
import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ManualClock, systemClock } from '../../src/domain/clock.ts';
import { SHARED_RETRY_MS, SharedTokenBuckets } from '../../src/http/limits/shared-buckets.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { listen } from '../../src/server.ts';
import { openStore } from '../../src/store/db.ts';
import { RateBucketTable, type Slice, type SliceRequest } from '../../src/store/rate-buckets.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type RawResponse, responseSignatureValid, signBody } from '../helpers/raw.ts';
import { createTestStore, testStoreKind } from '../helpers/test-store.ts';
import { v3AnswerValid, v3Post } from '../helpers/v3.ts';
import { send } from './raw-http.ts';

const STATIC = '/cp/encrypted-card.js';
const V1_QUERY = '/apis/payments/query';
const V3_QUERY = '/v3/payment/acq/query';
const PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A log that keeps its lines, to see the warnings. */
function keptLog(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

/** A signed v1.2 query for an order that does not exist (404 when served), from `from`. */
function v1Query(baseUrl: string, m: TestMerchant, from: string): Promise<RawResponse> {
  const timestamp = Date.now();
  const body = JSON.stringify({
    merchant_id: m.merchantId,
    timestamp,
    trans_id: `missing-${Math.random().toString(36).slice(2)}`,
  });
  const signature = signBody(m.merchantId, timestamp, body, m.privateKey);
  return send(baseUrl, {
    path: V1_QUERY,
    body,
    from,
    headers: { signature, type: 'RSA256', version: 'v1.2' },
  });
}

function expectSigned429(res: RawResponse, merchantId: string, platformKey: string, detail: string): void {
  expect(res.status, res.text).toBe(429);
  expect(res.json).toEqual({ ret_code: '300080', ret_msg: `Too many requests: ${detail}` });
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(res.headers.get('type')).toBe('RSA256');
  expect(res.headers.get('version')).toBe('v1.2');
  expect(responseSignatureValid(res, merchantId, platformKey)).toBe(true);
}

describe('OPENKKA_RATE_LIMIT_SHARED: what it takes', () => {
  it('takes postgres (with a PostgreSQL store) and off; refuses anything else', () => {
    const onPg = { DATABASE_URL: PG_URL };
    expect(loadConfig({ ...onPg, OPENKKA_RATE_LIMIT_SHARED: 'postgres' }).rateLimitShared).toBe('postgres');
    expect(loadConfig({ ...onPg, OPENKKA_RATE_LIMIT_SHARED: 'off' }).rateLimitShared).toBeUndefined();
    expect(loadConfig(onPg).rateLimitShared).toBeUndefined();
    for (const bad of ['redis', 'Postgres', 'on', '1']) {
      expect(() => loadConfig({ ...onPg, OPENKKA_RATE_LIMIT_SHARED: bad })).toThrow(
        `OPENKKA_RATE_LIMIT_SHARED: "${bad}" is not postgres or off`,
      );
    }
  });

  it('is refused on SQLite, by the configuration and by buildApp alike', async () => {
    expect(() => loadConfig({ OPENKKA_RATE_LIMIT_SHARED: 'postgres' })).toThrow(
      /^OPENKKA_RATE_LIMIT_SHARED=postgres needs a PostgreSQL store \(DATABASE_URL\)/,
    );
    const sqlite = await createTestStore('sqlite');
    const config = loadConfig(sqlite.env);
    const runtime = await openRuntime(config);
    try {
      expect(() =>
        buildApp({
          ...runtime,
          acquirer: new SimulatedAcquirer({}),
          clock: systemClock,
          logger: pino({ level: 'silent' }),
          settings: { ...config, rateLimitShared: 'postgres' },
        }),
      ).toThrow(/^OPENKKA_RATE_LIMIT_SHARED=postgres needs a PostgreSQL store/);
    } finally {
      await runtime.store.close();
      await sqlite.drop();
    }
  });
});

describe('a database that does not answer: each process counts its own, and says so once', () => {
  let silent: Server;
  beforeAll(async () => {
    // Accepts connections, reads what comes and never says a word: a database that hangs.
    silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

  const urls: [string, () => string][] = [
    ['refused', () => 'postgres://postgres@127.0.0.1:1/none'],
    ['silent', () => `postgres://postgres@127.0.0.1:${(silent.address() as { port: number }).port}/none`],
  ];
  for (const [what, url] of urls) {
    it(`${what}: serves within the limit, refuses over it, without waiting long`, async () => {
      const clock = new ManualClock(Date.now());
      const log = keptLog();
      const table = new RateBucketTable(url());
      const buckets = new SharedTokenBuckets({
        table,
        prefix: 'ip:',
        rate: { count: 3, periodMs: 60_000 },
        now: () => clock.now(),
        log: pino({ level: 'warn' }, log.stream),
      });
      try {
        const started = Date.now();
        const waits = [];
        for (let i = 0; i < 4; i++) waits.push(await buckets.take('198.51.100.1'));
        // At most one wait for the database (a second, as RATE_BUCKET_TIMEOUT_MS says), then in memory.
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
        expect(waits[3]).toBe(20_000);
        expect(
          log.lines.filter((l) => l.includes('shared buckets in PostgreSQL do not answer')),
        ).toHaveLength(1);
        // After SHARED_RETRY_MS it asks again, fails again, and does not say so twice.
        clock.advance(SHARED_RETRY_MS);
        expect(await buckets.take('198.51.100.2')).toBe(0);
        expect(log.lines.filter((l) => l.includes('do not answer'))).toHaveLength(1);
      } finally {
        await table.close();
      }
    });
  }
});

// The rest needs PostgreSQL: on the sqlite project there is nothing to share.
if (testStoreKind() === 'postgres') {
  /** A second gateway process on `gw`'s database: its own runtime and pool, its own listener. */
  async function secondGateway(gw: TestGateway): Promise<{ app: App; runtime: Runtime; baseUrl: string }> {
    const runtime = await openRuntime(gw.config);
    const app = buildApp({
      ...runtime,
      acquirer: new SimulatedAcquirer({}),
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      settings: gw.config,
    });
    return { app, runtime, baseUrl: await listen(app.app, '127.0.0.1', 0) };
  }

  describe('two gateways on one database (OPENKKA_RATE_LIMIT_IP=60/m, _MERCHANT=20/m)', () => {
    let a: TestGateway;
    let b: { app: App; runtime: Runtime; baseUrl: string };
    let both: string[];

    beforeAll(async () => {
      a = await startGateway({
        env: {
          OPENKKA_RATE_LIMIT_SHARED: 'postgres',
          OPENKKA_RATE_LIMIT_IP: '60/m',
          OPENKKA_RATE_LIMIT_MERCHANT: '20/m',
        },
      });
      b = await secondGateway(a);
      both = [a.baseUrl, b.baseUrl];
    });
    afterAll(async () => {
      await b?.app.app.close();
      await b?.runtime.store.close();
      await a?.close();
    });

    it('holds an address spreading over both to one budget plus a slice each, not twice it', async () => {
      const started = Date.now();
      let served = 0;
      for (let i = 0; i < 130; i++) {
        const res = await send(both[i % 2]!, { method: 'GET', path: STATIC, from: '127.0.0.2' });
        if (res.status === 200) served++;
        else expect(res.status).toBe(429);
      }
      // 60 a minute refill one a second: the budget is 60, the burst, plus what refilled meanwhile.
      const refilled = Math.ceil((Date.now() - started) / 1000);
      const slice = 6;
      expect(served).toBeLessThanOrEqual(60 + 2 * slice + refilled);
      expect(served).toBeGreaterThanOrEqual(60 - 2 * slice);
      expect(served).toBeLessThan(120);
    });

    /** Requests from `from` through each gateway in turn until both have refused one. */
    async function exhaust(from: string): Promise<RawResponse[]> {
      const refusals = new Map<string, RawResponse>();
      for (let i = 0; i < 300 && refusals.size < 2; i++) {
        const baseUrl = both[i % 2]!;
        const res = await send(baseUrl, { method: 'GET', path: STATIC, from });
        if (res.status === 429 && !refusals.has(baseUrl)) refusals.set(baseUrl, res);
      }
      expect(refusals.size).toBe(2);
      return [...refusals.values()];
    }

    it('answers over the limit 429 with Retry-After on both, signed on each wire', async () => {
      const m = await a.createMerchant();
      // fetch leaves from 127.0.0.1; a gateway that refused it refuses it in memory for seconds.
      await exhaust('127.0.0.1');
      for (const baseUrl of both) {
        // Refused before the body is read: over v1.2 signed for no merchant.
        const v1 = await send(baseUrl, {
          path: V1_QUERY,
          body: JSON.stringify({ merchant_id: m.merchantId, timestamp: Date.now(), trans_id: 'x' }),
        });
        expectSigned429(v1, '', a.platformPublicKeyPem, 'from this address (at most 60 per minute)');
        const v3 = await v3Post(
          baseUrl,
          V3_QUERY,
          JSON.stringify({ merchant_id: m.merchantId, trans_id: 'x' }),
          {
            appId: m.merchantId,
            privateKey: m.privateKey,
          },
        );
        expect(v3.status).toBe(429);
        expect(v3.json.ret_code).toBe('300080');
        expect(Number(v3.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(v3AnswerValid(v3, V3_QUERY, a.platformPublicKeyPem)).toBe(true);
      }
    });

    it("holds a merchant's requests over both to its one budget, the 429 signed for it", async () => {
      const m = await a.createMerchant();
      const started = Date.now();
      let served = 0;
      let over: RawResponse | undefined;
      for (let i = 0; i < 44; i++) {
        const res = await v1Query(both[i % 2]!, m, '127.0.0.3');
        if (res.status === 404) served++;
        else over = res;
      }
      const refilled = Math.ceil((Date.now() - started) / 3000);
      expect(served).toBeLessThanOrEqual(20 + 2 * 2 + refilled);
      expect(served).toBeGreaterThanOrEqual(20 - 2 * 2);
      expectSigned429(
        over!,
        m.merchantId,
        a.platformPublicKeyPem,
        'for this merchant (at most 20 per minute)',
      );
    });

    it('serves an address again once its bucket refilled, by the time passed', async () => {
      const from = '127.0.0.4';
      // Once both refused, neither holds a token of it: only the refill serves it again.
      const refusals = await exhaust(from);
      const refusedAt = Date.now();
      for (const refused of refusals) {
        // One token a second; refused in memory until a slice (6) has refilled.
        const retryAfter = Number(refused.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(6);
      }
      await eventually('served again', async () => {
        for (const baseUrl of both) {
          if ((await send(baseUrl, { method: 'GET', path: STATIC, from })).status === 200) return true;
        }
        return undefined;
      });
      expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(1000);
    });
  });

  describe('one statement a slice, and leases', () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let counting: RateBucketTable & { statements: number };
    let clock: ManualClock;
    let buckets: SharedTokenBuckets;
    let reader: pg.Pool;

    beforeAll(async () => {
      store = await createTestStore('postgres');
      reader = new pg.Pool({ connectionString: store.databaseUrl, max: 1 });
      // Migrated, as the gateway's store is.
      await (await openStore({ databaseUrl: store.databaseUrl, dataDir: store.dataDir })).close();
      class CountingTable extends RateBucketTable {
        statements = 0;
        override take(key: string, request: SliceRequest): Promise<Slice> {
          this.statements++;
          return super.take(key, request);
        }
      }
      counting = new CountingTable(store.databaseUrl!);
      clock = new ManualClock(Date.now());
      buckets = new SharedTokenBuckets({
        table: counting,
        prefix: 'ip:',
        rate: { count: 60, periodMs: 60_000 },
        now: () => clock.now(),
        log: pino({ level: 'silent' }),
      });
    });
    afterAll(async () => {
      await counting?.close();
      await reader?.end();
      await store?.drop();
    });

    const row = async (key: string) => {
      const { rows } = await reader.query<{ tokens: number; granted: number }>(
        'select tokens, granted from rate_buckets where key = $1',
        [key],
      );
      return rows[0]!;
    };

    it('takes a slice of six for twenty requests at once in four statements', async () => {
      expect(buckets.slice).toBe(6);
      const waits = await Promise.all(Array.from({ length: 20 }, () => buckets.take('a')));
      expect(waits).toEqual(Array(20).fill(0));
      expect(counting.statements).toBe(4);
      const bucket = await row('ip:a');
      expect(bucket.granted).toBe(6);
      expect(bucket.tokens).toBeGreaterThanOrEqual(36);
      expect(bucket.tokens).toBeLessThan(37);
    });

    it('refuses a flood in memory once the bucket is empty: one statement, not one a request', async () => {
      let taken = 0;
      while ((await buckets.take('b')) === 0) taken++;
      expect(taken).toBeGreaterThanOrEqual(60);
      expect(taken).toBeLessThanOrEqual(61);
      const before = counting.statements;
      const waits = await Promise.all(Array.from({ length: 50 }, () => buckets.take('b')));
      for (const wait of waits) expect(wait).toBeGreaterThan(0);
      expect(counting.statements).toBe(before);
    });

    it('gives a lease that expired back to the bucket with the next statement', async () => {
      expect(await buckets.take('c')).toBe(0);
      // 60 less the slice of 6, of which 5 are left unspent in memory.
      expect((await row('ip:c')).tokens).toBeLessThan(55);
      const before = counting.statements;
      clock.advance(buckets.leaseMs);
      expect(await buckets.take('c')).toBe(0);
      expect(counting.statements).toBe(before + 1);
      // The 5 came back (54 + 5, capped at 60), then another slice of 6 went out.
      const after = (await row('ip:c')).tokens;
      expect(after).toBeGreaterThanOrEqual(53);
      expect(after).toBeLessThan(54.5);
    });
  });

  describe('a table that fails under a running gateway', () => {
    let gw: TestGateway;
    let clock: ManualClock;
    const log = keptLog();

    beforeAll(async () => {
      clock = new ManualClock(Date.now());
      gw = await startGateway({
        clock,
        logStream: log.stream,
        env: { OPENKKA_RATE_LIMIT_SHARED: 'postgres', OPENKKA_RATE_LIMIT_IP: '3/m' },
      });
    });
    afterAll(() => gw?.close());

    const rename = async (from: string, to: string) => {
      if (gw.runtime.store.raw.kind !== 'postgres') throw new Error('postgres only');
      await gw.runtime.store.raw.pool.query(`alter table ${from} rename to ${to}`);
    };

    it('serves within the limit, counted in the process, and refuses over it signed: never a 5xx', async () => {
      await rename('rate_buckets', 'rate_buckets_away');
      try {
        const statuses = [];
        for (let i = 0; i < 4; i++)
          statuses.push((await send(gw.baseUrl, { method: 'GET', path: STATIC })).status);
        expect(statuses).toEqual([200, 200, 200, 429]);
        const over = await send(gw.baseUrl, { path: V1_QUERY, body: '{}' });
        expectSigned429(over, '', gw.platformPublicKeyPem, 'from this address (at most 3 per minute)');
        expect(log.lines.filter((l) => l.includes('do not answer'))).toHaveLength(1);
      } finally {
        await rename('rate_buckets_away', 'rate_buckets');
      }
      // Once the retry is due it counts in the table again, and says so.
      clock.advance(SHARED_RETRY_MS);
      expect((await send(gw.baseUrl, { method: 'GET', path: STATIC, from: '127.0.0.5' })).status).toBe(200);
      expect(log.lines.filter((l) => l.includes('answer again'))).toHaveLength(1);
      const { rows } = await (gw.runtime.store.raw.kind === 'postgres'
        ? gw.runtime.store.raw.pool.query('select key from rate_buckets')
        : Promise.reject(new Error('postgres only')));
      expect(rows.map((r: { key: string }) => r.key)).toContain('ip:127.0.0.5');
    });
  });
}
