/**
 * `openkka start --workers 2` as real processes on the test's store (SQLite or PostgreSQL): a
 * primary that prints one banner once both workers listen, both workers serving the public and
 * the admin listener, concurrent payments answered without an error and each one stored, a
 * worker killed with SIGKILL started again while the other answers, SIGTERM draining both with
 * the payments in flight answered, a second signal or an overlong drain forcing the end, and
 * bad --workers values refused.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import type { RawResponse } from '../helpers/raw.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { send } from '../security/raw-http.ts';
import {
  connectionsByPid,
  demoSigner,
  isAlive,
  listeningPids,
  logLines,
  post,
  type Signer,
  startCluster,
  workerPids,
} from './cluster.ts';
import { killChildren, runCli, type ServerProcess } from './run-cli.ts';

const ADMIN_TOKEN = randomBytes(32).toString('base64url');

let store: TestStore;
/** The test's own view of the store, beside the gateway's processes. */
let rt: Runtime | undefined;

beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => {
  killChildren();
  await rt?.store.close();
  await store?.drop();
});

/** The test's runtime, opened once the first gateway has prepared the store. */
async function runtime(): Promise<Runtime> {
  rt ??= await openRuntime(loadConfig(store.env));
  return rt;
}

async function orderStatuses(merchantId: string, transIds: string[]): Promise<Map<string, string>> {
  const rows = await (await runtime()).store.writer
    .selectFrom('orders')
    .select(['trans_id', 'order_id', 'status'])
    .where('merchant_id', '=', merchantId)
    .where('trans_id', 'in', transIds)
    .execute();
  return new Map(rows.map((r) => [r.trans_id, `${r.order_id} ${r.status}`]));
}

function expectPaid(res: RawResponse): { order_id: string; status: string } {
  expect(res.status, res.text).toBe(200);
  expect(res.json.ret_code, res.text).toBe('000000');
  const data = res.json.data as { order_id: string; status: string };
  expect(data.status).toBe('SUCCESS');
  return data;
}

describe('two workers', () => {
  let server: ServerProcess;
  let signer: Signer;
  const pay = (fields: Record<string, unknown> = cardPayment()) =>
    post(server.url, '/payments', signer, fields);

  beforeAll(async () => {
    server = await startCluster({
      ...store.env,
      OPENKKA_LOG_LEVEL: 'debug',
      OPENKKA_ADMIN_TOKEN: ADMIN_TOKEN,
      OPENKKA_ADMIN_LISTEN: '127.0.0.1:0',
      // The flag wins over the variable: this one alone would refuse to start.
      OPENKKA_WORKERS: '0',
    });
    signer = demoSigner(server.banner);
  });
  afterAll(() => server?.child.kill('SIGKILL'));

  it('prints one banner, once both workers listen, naming them, the admin listener and the demo merchant', async () => {
    const { banner } = server;
    expect(banner.match(/^openkka is listening on /gm)).toHaveLength(1);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect(banner).toContain('\nWorkers: 2 processes share the port; one that dies is started again\n');
    const admin = /^Admin API on (http:\/\/127\.0\.0\.1:(\d+)) \(only there\)$/m.exec(banner);
    expect(Number(admin?.[2])).toBeGreaterThan(0);
    expect(banner).toMatch(/^Demo merchant: \d{14}$/m);
    const workers = await workerPids(server);
    expect(new Set([...workers, server.child.pid]).size).toBe(3);
    // Each worker listened on the same two addresses.
    const listening = logLines(server.stderr()).filter((l) => l.msg === 'openkka listening');
    for (const line of listening) expect([line.url, line.adminUrl]).toEqual([server.url, admin![1]]);
    // stdout is the banner alone; the primary kept no error to say.
    expect(banner).not.toMatch(/"level":/);
    expect(logLines(server.stderr()).filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it('serves requests from both workers, on the public and on the admin listener', async () => {
    const workers = await workerPids(server);
    const adminUrl = /^Admin API on (\S+)/m.exec(server.banner)![1]!;
    for (let i = 0; i < 6; i++) {
      expectPaid(await pay());
      const listed = await send(adminUrl, {
        method: 'GET',
        path: '/admin/notifications?status=failed',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(listed.status, listed.text).toBe(200);
    }
    // Six connections to each listener, handed out in turn: each worker took some of both.
    for (const listener of ['public', 'admin']) {
      const taken = connectionsByPid(server.stderr(), listener);
      for (const pid of workers)
        expect(taken.get(pid), `${listener}, worker ${pid}`).toBeGreaterThanOrEqual(2);
      expect([...taken.keys()].sort()).toEqual([...workers].sort());
    }
  });

  it('answers 200 concurrent payments without an error, and stores every one it answered', async () => {
    const payments = Array.from({ length: 200 }, () => cardPayment());
    const answers: RawResponse[] = [];
    // 16 at a time, each on its own connection.
    for (let next = 0; next < payments.length; ) {
      const batch = payments.slice(next, next + 16);
      next += batch.length;
      answers.push(...(await Promise.all(batch.map((p) => pay(p)))));
    }
    const paid = answers.map(expectPaid);
    const stored = await orderStatuses(
      signer.merchantId,
      payments.map((p) => p.trans_id),
    );
    for (const [i, p] of payments.entries()) {
      expect(stored.get(p.trans_id)).toBe(`${paid[i]!.order_id} SUCCESS`);
    }
    expect(logLines(server.stderr()).filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it('starts a worker killed with SIGKILL again, and the other answers meanwhile', async () => {
    const before = await workerPids(server);
    const [victim, survivor] = before as [number, number];
    process.kill(victim, 'SIGKILL');
    await eventually('the primary notices the death', async () =>
      logLines(server.stderr()).find(
        (l) => l.msg === 'worker died; starting another' && l.workerPid === victim,
      ),
    );
    expect(isAlive(victim)).toBe(false);
    // Until the new worker listens, the survivor takes every connection.
    for (const answer of await Promise.all(Array.from({ length: 8 }, () => pay()))) expectPaid(answer);
    const replacement = await eventually('a new worker listens', async () =>
      listeningPids(server.stderr()).find((pid) => !before.includes(pid)),
    );
    expect(isAlive(survivor)).toBe(true);
    expect(isAlive(replacement)).toBe(true);
    await eventually('the new worker takes connections', async () => {
      expectPaid(await pay());
      return connectionsByPid(server.stderr()).get(replacement);
    });
  });
});

describe('stopping the workers', () => {
  /**
   * A cluster whose acquirer answers after `latency`, with payments in flight on both workers:
   * the latency leaves a loaded machine time to store all six before the first is answered.
   */
  async function withPaymentsInFlight(latency: string, env: Record<string, string> = {}) {
    const server = await startCluster({
      ...store.env,
      OPENKKA_ACQUIRER_LATENCY: latency,
      OPENKKA_LOG_LEVEL: 'debug',
      ...env,
    });
    const signer = demoSigner(server.banner);
    const workers = await workerPids(server);
    const payments = Array.from({ length: 6 }, () => cardPayment());
    const answers = payments.map((p) =>
      post(server.url, '/payments', signer, p).then(
        (res) => ({ res }),
        (err: unknown) => ({ err }),
      ),
    );
    // Each one recorded as PROCESSING: the acquirer is deciding.
    await eventually('every payment is in flight', async () => {
      const stored = await orderStatuses(
        signer.merchantId,
        payments.map((p) => p.trans_id),
      );
      return stored.size === payments.length && [...stored.values()].every((s) => s.endsWith(' PROCESSING'))
        ? true
        : undefined;
    });
    // Six connections handed out in turn: both workers hold some.
    const taken = connectionsByPid(server.stderr());
    for (const pid of workers) expect(taken.get(pid), `worker ${pid}`).toBeGreaterThan(0);
    return { server, workers, answers };
  }

  it('SIGTERM: both workers finish their payments in flight, then the primary exits 0', async () => {
    const { server, workers, answers } = await withPaymentsInFlight('8s');
    const stopped = await server.stop('SIGTERM');
    for (const answer of await Promise.all(answers)) {
      expect('res' in answer, String((answer as { err?: unknown }).err)).toBe(true);
      expectPaid((answer as { res: RawResponse }).res);
    }
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.signal).toBeNull();
    for (const pid of workers) expect(isAlive(pid)).toBe(false);
    const ends = logLines(stopped.stderr).filter((l) => l.msg === 'worker stopped');
    expect(ends.map((l) => [l.workerPid, l.code]).sort()).toEqual(workers.map((pid) => [pid, 0]).sort());
    await expect(send(server.url, { method: 'GET', path: '/' })).rejects.toThrow();
  });

  it('a second SIGTERM while draining kills the workers and exits 1 at once', async () => {
    const { server, workers, answers } = await withPaymentsInFlight('60s');
    server.child.kill('SIGTERM');
    await eventually('the drain began', async () =>
      logLines(server.stderr()).find((l) => l.msg === 'draining workers'),
    );
    const stopped = await server.stop('SIGTERM', 30_000);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('SIGTERM again while draining');
    await eventually('the workers are gone', async () => (workers.some(isAlive) ? undefined : true));
    // Their payments were never answered: each connection ended without one.
    for (const answer of await Promise.all(answers)) expect('err' in answer).toBe(true);
  });

  it('a drain longer than OPENKKA_DRAIN_TIMEOUT kills the workers and exits 1', async () => {
    const { server, workers, answers } = await withPaymentsInFlight('60s', { OPENKKA_DRAIN_TIMEOUT: '1s' });
    const stopped = await server.stop('SIGTERM', 30_000);
    expect(stopped.code).toBe(1);
    expect(stopped.elapsedMs).toBeGreaterThanOrEqual(1_000);
    expect(stopped.stderr).toContain('the drain took longer than 1000 ms (OPENKKA_DRAIN_TIMEOUT)');
    await eventually('the workers are gone', async () => (workers.some(isAlive) ? undefined : true));
    for (const answer of await Promise.all(answers)) expect('err' in answer).toBe(true);
  });
});

describe('refusals', () => {
  function expectRefused(result: { code: number | null; stdout: string; stderr: string }, message: string) {
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }

  it.concurrent.each(['0', '-1', '1.5', '65', 'many'])(
    '--workers %s is refused before anything starts',
    async (value) => {
      const result = await runCli(['start', '--workers', value], { ...store.env, PORT: '0' });
      expectRefused(
        result,
        `openkka: --workers: "${value}" is not a number of workers: a whole number from 1 to 64, or auto (one per core)`,
      );
    },
  );

  it('OPENKKA_WORKERS=0 is refused, naming the variable', async () => {
    const result = await runCli(['start'], { ...store.env, PORT: '0', OPENKKA_WORKERS: '0' });
    expectRefused(result, 'openkka: OPENKKA_WORKERS: "0" is not a number of workers');
  });

  it('a worker that cannot listen stops the start: exit 1 with its reason', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const result = await runCli(['start', '--workers', '2'], { ...store.env, PORT: String(port) });
      expectRefused(result, 'EADDRINUSE');
      expect(result.stderr).toContain('openkka: a worker stopped before it listened (exit code 1)');
    } finally {
      taken.close();
    }
  });
});
