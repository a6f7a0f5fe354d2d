/**
 * Finding 4, sockets: a request sent one byte at a time kept its socket forever (no request
 * timeout), and nothing bounded the sockets one client held. Now the headers and the whole
 * request have deadlines, answered 408 in the envelope, a slow handler is not one of them, a
 * handful of slow sockets do not stop a normal request, and one address's connections are
 * capped while another address is still served.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { openSlow, type SlowSocket, send } from './raw-http.ts';

const POST_HEAD = 'POST /apis/payments HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n';

const opened: SlowSocket[] = [];
const timers: NodeJS.Timeout[] = [];

/** A socket that sends `head`, then one more byte every `everyMs`, until it is closed. */
function dribble(baseUrl: string, head: string, byte: string, everyMs: number, from?: string): SlowSocket {
  const slow = openSlow(baseUrl, head, from);
  opened.push(slow);
  const timer = setInterval(() => {
    if (!slow.closed()) slow.socket.write(byte);
  }, everyMs);
  timers.push(timer);
  return slow;
}

afterEach(() => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const slow of opened.splice(0)) slow.socket.destroy();
});

function expectTimedOut(slow: SlowSocket): void {
  expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  const body = JSON.parse(slow.received().split('\r\n\r\n')[1]!) as Record<string, string>;
  expect(body).toEqual({ ret_code: '010000', ret_msg: 'Invalid request: not received in time' });
}

describe('deadlines (OPENKKA_HEADERS_TIMEOUT=1s, OPENKKA_REQUEST_TIMEOUT=2s)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({
      env: { OPENKKA_HEADERS_TIMEOUT: '1s', OPENKKA_REQUEST_TIMEOUT: '2s' },
      // Longer than the request deadline: the deadline covers receiving, not answering.
      acquirer: new SimulatedAcquirer({ latencyMs: 3000 }),
    });
  });
  afterAll(() => gw?.close());

  it('cuts off a body sent one byte every 5 s with a 408 envelope', async () => {
    const slow = dribble(gw.baseUrl, `${POST_HEAD}Content-Length: 100\r\n\r\n{`, 'a', 5000);
    await eventually('the dribbling body cut off', async () => (slow.closed() ? true : undefined));
    expectTimedOut(slow);
  });

  it('cuts off headers sent one line every 5 s, and a connection that sends nothing', async () => {
    const headers = dribble(gw.baseUrl, POST_HEAD, 'X-Slow: 1\r\n', 5000);
    const silent = openSlow(gw.baseUrl, '');
    opened.push(silent);
    await eventually('both cut off', async () => (headers.closed() && silent.closed() ? true : undefined));
    expectTimedOut(headers);
    expect(silent.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers a request whose handler takes longer than the request deadline', async () => {
    const m = await gw.createMerchant();
    const order = await m.client.payments.create(cardPayment());
    expect(order.status).toBe('SUCCESS');
  });
});

describe('slow sockets beside a normal request', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({
      env: {
        OPENKKA_MAX_CONNECTIONS_PER_IP: '64',
        OPENKKA_HEADERS_TIMEOUT: '60s',
        OPENKKA_REQUEST_TIMEOUT: '60s',
      },
    });
  });
  afterAll(() => gw?.close());

  it('a normal payment completes while 12 slow sockets dribble headers and bodies', async () => {
    const slow = [
      ...Array.from({ length: 6 }, () => dribble(gw.baseUrl, POST_HEAD, 'X', 1000)),
      ...Array.from({ length: 6 }, () =>
        dribble(gw.baseUrl, `${POST_HEAD}Content-Length: 60000\r\n\r\n{`, 'a', 1000),
      ),
    ];
    await Promise.all(slow.map((s) => s.ready));
    const m = await gw.createMerchant();
    const order = await m.client.payments.create(cardPayment());
    expect(order.status).toBe('SUCCESS');
    // The payment did not wait for them: they are all still open, unanswered.
    expect(slow.filter((s) => s.closed() || s.received() !== '')).toEqual([]);
  });
});

describe('connections per address (OPENKKA_MAX_CONNECTIONS_PER_IP=4)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({
      env: {
        OPENKKA_MAX_CONNECTIONS_PER_IP: '4',
        OPENKKA_HEADERS_TIMEOUT: '60s',
        OPENKKA_REQUEST_TIMEOUT: '60s',
      },
    });
  });
  afterAll(() => gw?.close());

  it('closes a fifth connection from one address at once, and serves another address meanwhile', async () => {
    const held: SlowSocket[] = [];
    for (let i = 0; i < 4; i++) {
      const slow = dribble(gw.baseUrl, POST_HEAD, 'X', 1000, '127.0.0.2');
      await slow.ready;
      held.push(slow);
    }
    const fifth = openSlow(gw.baseUrl, POST_HEAD, '127.0.0.2');
    opened.push(fifth);
    await eventually('the fifth connection closed', async () => (fifth.closed() ? true : undefined));
    expect(fifth.received()).toBe('');

    // 127.0.0.1 has its own four.
    const other = await send(gw.baseUrl, { method: 'GET', path: '/cp/encrypted-card.js' });
    expect(other.status).toBe(200);
    expect(held.filter((s) => s.closed())).toEqual([]);

    // One of the four gone, 127.0.0.2 is served again.
    held[0]!.socket.destroy();
    const again = await eventually('127.0.0.2 served again', async () => {
      const res = await send(gw.baseUrl, { method: 'GET', path: '/cp/encrypted-card.js', from: '127.0.0.2' });
      return res.status === 200 ? res : undefined;
    });
    expect(again.status).toBe(200);
  });
});
