/**
 * Finding 5: the notifier read a receiver's whole answer (a 200 MB answer took the gateway from
 * 114 to 726 MB). Now it reads at most the first 64 KiB and drops the connection: an endless
 * answer is cut there, and the acknowledgement is judged on that start alone. Asserted on the
 * bytes read, not on memory.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ANSWER_BYTES, Poster } from '../../src/modules/notifications/outbound/post.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';

/** A receiver whose answer never ends: `head`, then `filler` for as long as anyone reads. */
interface Endless {
  url: string;
  /** Bytes handed to the socket so far, over every answer. */
  written: number;
  /** Answers whose connection the reader closed. */
  closed: number;
  server: Server;
}

async function endless(status: number, head: string, filler: string): Promise<Endless> {
  const chunk = Buffer.from(filler.repeat(Math.ceil(16_384 / filler.length)));
  const state = { written: 0, closed: 0 } as Endless;
  state.server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.write(head);
      let open = true;
      res.on('close', () => {
        open = false;
        state.closed++;
      });
      const pump = () => {
        while (open && res.write(chunk)) state.written += chunk.length;
      };
      res.on('drain', pump);
      pump();
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/notify`;
  return state;
}

const ACK = '{"ret_code":"000000","ret_msg":"Success"}';

describe('reading a receiver answer', () => {
  it('stops at 64 KiB of an endless answer and closes the connection', async () => {
    const receiver = await endless(200, '{"ret_code":"000000","padding":"', 'x');
    const poster = new Poster();
    try {
      const url = new URL(receiver.url);
      const answer = await poster.post({
        url,
        addresses: [{ address: '127.0.0.1', family: 4 }],
        headers: { 'content-type': 'application/json' },
        body: '{}',
        timeoutMs: 60_000,
      });
      expect(answer.status).toBe(200);
      expect(answer.cut).toBe(true);
      expect(answer.body.length).toBe(MAX_ANSWER_BYTES);
      // What left the stream: the bound plus at most the chunk that crossed it.
      expect(answer.bytesRead).toBeGreaterThan(MAX_ANSWER_BYTES);
      expect(answer.bytesRead).toBeLessThanOrEqual(2 * MAX_ANSWER_BYTES);
      await eventually('the receiver sees its answer closed', async () =>
        receiver.closed === 1 ? true : undefined,
      );
    } finally {
      poster.close();
      receiver.server.closeAllConnections();
      receiver.server.close();
    }
  });

  it('reads a short answer whole', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end(ACK));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const poster = new Poster();
    try {
      const answer = await poster.post({
        url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`),
        addresses: [{ address: '127.0.0.1', family: 4 }],
        headers: {},
        body: '{}',
        timeoutMs: 60_000,
      });
      expect(answer).toMatchObject({ status: 200, cut: false, bytesRead: ACK.length });
      expect(answer.body.toString()).toBe(ACK);
    } finally {
      poster.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('a delivery whose answer never ends', () => {
  let gw: TestGateway;
  let merchant: TestMerchant;
  const receivers: Endless[] = [];

  beforeAll(async () => {
    // A timeout far beyond the test: only the bound can end these attempts.
    gw = await startGateway({ env: { OPENKKA_NOTIFY_TIMEOUT: '10m' } });
    await gw.dispatcher.stop();
    merchant = await gw.createMerchant();
  });

  afterAll(async () => {
    for (const r of receivers) {
      r.server.closeAllConnections();
      r.server.close();
    }
    await gw?.close();
  });

  async function deliverTo(receiver: Endless) {
    receivers.push(receiver);
    const order = await merchant.client.payments.create(cardPayment({ notify_url: receiver.url }));
    const [queued] = await gw.notifications.list({ orderId: order.order_id });
    expect(await gw.dispatcher.runDue()).toBe(1);
    await eventually('the answer is closed', async () => (receiver.closed === 1 ? true : undefined));
    // Kernel buffers on both sides hold a few MB at most; an unbounded read would never stop.
    expect(receiver.written).toBeLessThan(32 * 1024 * 1024);
    return gw.notifications.get(queued!.notify_id);
  }

  it('is cut at 64 KiB and is no acknowledgement when that start is not JSON', async () => {
    const row = await deliverTo(await endless(200, '{"ret_code":"000000","padding":"', 'x'));
    expect(row.status).toBe('PENDING');
    expect(row.attempt_log[0]).toMatchObject({
      http_status: 200,
      error: 'answer over 64 KiB is not JSON',
      delivered: 0,
    });
  });

  it('is cut the same when it is an error page', async () => {
    const row = await deliverTo(await endless(500, '<html>', '<p>error</p>'));
    expect(row.attempt_log[0]).toMatchObject({ http_status: 500, error: 'HTTP 500', delivered: 0 });
  });

  it('acknowledges when the start is the acknowledgement (the rest is never read)', async () => {
    const row = await deliverTo(await endless(200, ACK, ' '));
    expect(row.status).toBe('DELIVERED');
  });
});
