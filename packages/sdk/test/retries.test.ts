import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  OpenKKAApiError,
  OpenKKAConnectionError,
  type OpenKKAOptions,
  OpenKKASignatureError,
  retryDelayMs,
} from '../src/index.ts';
import { ok, orderData, type Reply } from './fake-gateway.ts';
import { useFakeGateway } from './harness.ts';

const fake = useFakeGateway();

/** A clock that ticks one second per read, and a sleep that only records what it was asked. */
function harness(baseUrl: string, extra: Partial<OpenKKAOptions> = {}) {
  let clock = 1_700_000_000_000;
  return fake.client(baseUrl, { now: () => (clock += 1_000), ...extra });
}

const startWith = fake.start;

const unavailable: Reply = { status: 503, envelope: { ret_code: '999999', ret_msg: 'unavailable' } };

describe('retries', () => {
  it('retries HTTP 503 twice, then succeeds, re-signing each attempt with a fresh timestamp', async () => {
    const server = await startWith((_, i) => (i < 2 ? unavailable : ok(orderData())));
    const { client, sleeps } = harness(server.url);

    const order = await client.payments.create({
      trans_id: 'T-1',
      payment_type: 'PURCHASE',
      currency: 'USD',
      amount: '1250',
      payment: { payment_method: 'BANKCARD', token: 'TK1', shopper_reference: 'S1' },
    });

    expect(order.order_id).toBe('GW1000001');
    expect(server.received).toHaveLength(3);
    expect(server.received.every((r) => r.signatureValid)).toBe(true);
    const timestamps = server.received.map((r) => r.body['timestamp']);
    expect(new Set(timestamps).size).toBe(3);
    expect(new Set(server.received.map((r) => r.headers['signature'])).size).toBe(3);
    expect(server.received.map((r) => r.body['trans_id'])).toEqual(['T-1', 'T-1', 'T-1']);
    expect(sleeps).toHaveLength(2);
  });

  it('retries an unsigned 502 from a proxy, and reports it as untrusted when retries run out', async () => {
    const server = await startWith(() => ({
      status: 502,
      rawBody: '<html>Bad gateway</html>',
      signWith: null,
    }));
    const { client, sleeps } = harness(server.url, { maxRetries: 1 });

    const error = await client.payments.query({ trans_id: 'T-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenKKASignatureError);
    expect((error as OpenKKASignatureError).httpStatus).toBe(502);
    expect(server.received).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('retries HTTP 429 (rate limited) until it passes', async () => {
    const limited: Reply = { status: 429, envelope: { ret_code: '300009', ret_msg: 'slow down' } };
    const server = await startWith((_, i) => [limited, limited][i] ?? ok(orderData()));
    const { client } = harness(server.url);

    await expect(client.payments.query({ trans_id: 'T-1' })).resolves.toMatchObject({ status: 'SUCCESS' });
    expect(server.received).toHaveLength(3);
  });

  it('does not retry a state conflict (HTTP 409)', async () => {
    const server = await startWith(() => ({
      status: 409,
      envelope: { ret_code: '300001', ret_msg: 'reused' },
    }));
    const { client } = harness(server.url);

    await expect(client.payments.query({ trans_id: 'T-1' })).rejects.toMatchObject({ retCode: '300001' });
    expect(server.received).toHaveLength(1);
  });

  it('does not retry a refusal that will not change (HTTP 400)', async () => {
    const server = await startWith(() => ({ status: 400, envelope: { ret_code: '010000', ret_msg: 'bad' } }));
    const { client, sleeps } = harness(server.url);

    await expect(client.payments.query({ trans_id: 'T-1' })).rejects.toBeInstanceOf(OpenKKAApiError);
    expect(server.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up after maxRetries and throws the last API error', async () => {
    const server = await startWith(() => unavailable);
    const { client } = harness(server.url, { maxRetries: 3 });

    await expect(client.payments.query({ trans_id: 'T-1' })).rejects.toMatchObject({
      retCode: '999999',
      httpStatus: 503,
    });
    expect(server.received).toHaveLength(4);
  });

  it('throws OpenKKAConnectionError after retrying a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const { client, sleeps } = harness(`http://127.0.0.1:${port}`);

    const error = await client.payments.query({ trans_id: 'T-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenKKAConnectionError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as Error).cause).toBeDefined();
    expect(sleeps).toHaveLength(2);
  });

  it('turns a timeout into OpenKKAConnectionError', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const { client } = harness(`http://127.0.0.1:${port}`, { timeoutMs: 50, maxRetries: 0 });

    try {
      await expect(client.payments.query({ trans_id: 'T-1' })).rejects.toThrow(/timed out after 50 ms/);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('retryDelayMs', () => {
  it('grows exponentially from 200 ms, keeps jitter within half to full, and caps at 2 s', () => {
    expect(retryDelayMs(1, () => 0)).toBe(100);
    expect(retryDelayMs(1, () => 1)).toBe(200);
    expect(retryDelayMs(2, () => 1)).toBe(400);
    expect(retryDelayMs(3, () => 0.5)).toBe(600);
    expect(retryDelayMs(10, () => 1)).toBe(2_000);
    expect(retryDelayMs(10, () => 0)).toBe(1_000);
  });
});
