/**
 * Finding 2: notify_url reached loopback (127.0.0.1, 0x7f000001, 2130706433,
 * [::ffff:127.0.0.1]), private and metadata addresses and the gateway's own admin routes, and
 * credentials in the URL were logged and shown by the admin API. Now the outbound policy
 * refuses every non-public address form, and names resolving to one, when a request brings the
 * URL (HTTP 400, 300090, nothing stored) and again before every delivery, which then connects
 * only to the address it checked; OPENKKA_NOTIFY_ALLOW makes exceptions; userinfo is refused and
 * never shown.
 */

import { Writable } from 'node:stream';
import { OpenKKAApiError } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { type HostLookup, lookupAll } from '../../src/modules/notifications/outbound/resolver.ts';
import { notificationView } from '../../src/modules/notifications/service.ts';
import { killChildren, runCli } from '../cli/run-cli.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { sessionBody } from '../helpers/sessions.ts';
import { type Receiver, startReceiver } from '../notifications/receiver.ts';

/** What the test's DNS answers; any other name goes to the system resolver. */
const dns = new Map<string, string[]>([
  ['loopback.test', ['127.0.0.1']],
  ['metadata.test', ['169.254.169.254']],
  ['private6.test', ['fd00:ec2::254']],
  ['mixed.test', ['93.184.216.34', '10.0.0.7']],
  ['allowed.test', ['127.0.0.1']],
]);
const lookups: string[] = [];
const lookup: HostLookup = async (host) => {
  lookups.push(host);
  const answer = dns.get(host);
  if (!answer) return lookupAll(host);
  return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/** Every form of a non-public address; `port` is a live receiver's, so a connection would show. */
function refusedForms(port: number): string[] {
  return [
    `http://127.0.0.1:${port}/n`,
    `http://0x7f000001:${port}/n`,
    `http://2130706433:${port}/n`,
    `http://0177.0.0.1:${port}/n`,
    `http://127.1:${port}/n`,
    `http://[::1]:${port}/n`,
    `http://[::ffff:127.0.0.1]:${port}/n`,
    `http://[::ffff:7f00:1]:${port}/n`,
    `http://[::127.0.0.1]:${port}/n`,
    `http://localhost:${port}/n`,
    `http://loopback.test:${port}/n`,
    'http://10.0.0.1/n',
    'http://172.16.5.4/n',
    'https://192.168.1.1/n',
    'http://[fc00::1]/n',
    'http://private6.test/n',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://metadata.test/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://[fe80::1]/n',
    'http://100.64.0.1/n',
    'http://0.0.0.0/n',
    'http://[::]/n',
    'http://224.0.0.1/n',
    'http://[ff02::1]/n',
    'http://255.255.255.255/n',
    'http://240.0.0.1/n',
    'http://192.0.2.1/n',
    'http://mixed.test/n',
  ];
}

async function refusal(promise: Promise<unknown>): Promise<OpenKKAApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the request was accepted').toBeInstanceOf(OpenKKAApiError);
  return err as OpenKKAApiError;
}

/** Queues one notification to `url` (the merchant's default, set as an operator would) and attempts it. */
async function attempt(gw: TestGateway, merchant: TestMerchant, url: string) {
  await gw.merchants.setNotifyUrl(merchant.merchantId, url);
  const order = await merchant.client.payments.create(cardPayment());
  const [queued] = await gw.notifications.list({ orderId: order.order_id });
  expect(queued?.url).toBe(url);
  await gw.dispatcher.runDue();
  return gw.notifications.get(queued!.notify_id);
}

describe('a gateway listening beyond loopback, nothing allowed', () => {
  let clock: ManualClock;
  let gw: TestGateway;
  let merchant: TestMerchant;
  let receiver: Receiver;
  let port: number;

  beforeAll(async () => {
    clock = new ManualClock();
    gw = await startGateway({
      clock,
      lookup,
      env: { HOST: '0.0.0.0', OPENKKA_NOTIFY_TIMEOUT: '2s' },
    });
    await gw.dispatcher.stop();
    merchant = await gw.createMerchant();
    receiver = await startReceiver();
    port = Number(new URL(receiver.url).port);
  });

  afterAll(async () => {
    await receiver?.close();
    await gw?.close();
  });

  it('refuses every non-public form at request time: HTTP 400, 300090, no order', async () => {
    for (const url of refusedForms(port)) {
      const transId = `ssrf-${Math.random().toString(36).slice(2)}`;
      const err = await refusal(
        merchant.client.payments.create(cardPayment({ trans_id: transId, notify_url: url })),
      );
      expect({ url, status: err.httpStatus, code: err.retCode }).toEqual({
        url,
        status: 400,
        code: '300090',
      });
      expect(err.retMsg).toMatch(/^notify_url is not allowed: .+ (is|resolves to) an? [A-Za-z -]+ address$/);
      const missing = await refusal(merchant.client.payments.query({ trans_id: transId }));
      expect(missing.retCode).toBe('206024');
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('names what it refused without the address a name resolved to', async () => {
    const err = await refusal(
      merchant.client.payments.create(cardPayment({ notify_url: 'http://metadata.test/latest/meta-data/' })),
    );
    expect(err.retMsg).toBe('notify_url is not allowed: metadata.test resolves to a link-local address');
    const literal = await refusal(
      merchant.client.payments.create(cardPayment({ notify_url: 'http://0x7f000001/' })),
    );
    expect(literal.retMsg).toBe('notify_url is not allowed: 127.0.0.1 is a loopback address');
  });

  it('refuses the same on a checkout session and on a refund, storing nothing', async () => {
    const session = await refusal(
      merchant.client.sessions.create(sessionBody({ notify_url: 'http://169.254.169.254/' })),
    );
    expect(session.retCode).toBe('300090');
    const paid = await merchant.client.payments.create(cardPayment());
    const refund = await refusal(
      merchant.client.refunds.create({
        refund_trans_id: 'ssrf-refund',
        ori_order_id: paid.order_id,
        refund_amount: 100,
        currency: 'USD',
        notify_url: `http://[::ffff:127.0.0.1]:${port}/`,
      }),
    );
    expect(refund.retCode).toBe('300090');
    const order = await merchant.client.payments.query({ order_id: paid.order_id });
    expect(order.balances.refunded_amount + order.balances.refunding_amount).toBe(0);
  });

  it('refuses every form again at delivery, without connecting', async () => {
    for (const url of refusedForms(port)) {
      const row = await attempt(gw, merchant, url);
      expect(row.attempt_log, url).toHaveLength(1);
      expect(row.attempt_log[0], url).toMatchObject({ http_status: null, delivered: 0 });
      expect(row.attempt_log[0]!.error, url).toMatch(
        /^not allowed: .+ (is|resolves to) an? [A-Za-z -]+ address$/,
      );
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('checks DNS again at delivery: a name public when the payment came is refused once it resolves to loopback', async () => {
    dns.set('flip.test', ['93.184.216.34']);
    const order = await merchant.client.payments.create(
      cardPayment({ notify_url: `http://flip.test:${port}/n` }),
    );
    dns.set('flip.test', ['127.0.0.1']);
    // Past the resolver's memory of the first answer.
    clock.advance(60_000);
    const [queued] = await gw.notifications.list({ orderId: order.order_id });
    await gw.dispatcher.runDue();
    const row = await gw.notifications.get(queued!.notify_id);
    expect(row.attempt_log.at(-1)!.error).toBe('not allowed: flip.test resolves to a loopback address');
    expect(receiver.received).toHaveLength(0);
  });
});

describe('OPENKKA_NOTIFY_ALLOW', () => {
  let gw: TestGateway;
  let merchant: TestMerchant;
  let receiver: Receiver;

  beforeAll(async () => {
    gw = await startGateway({
      lookup,
      env: { HOST: '0.0.0.0', OPENKKA_NOTIFY_ALLOW: '127.0.0.0/8, Allowed.Test' },
    });
    await gw.dispatcher.stop();
    merchant = await gw.createMerchant();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    await gw?.close();
  });

  it('lets a listed range and a listed name through, at request time and at delivery', async () => {
    const port = new URL(receiver.url).port;
    for (const url of [
      `http://127.0.0.1:${port}/a`,
      `http://0x7f000001:${port}/b`,
      `http://allowed.test:${port}/c`,
    ]) {
      const order = await merchant.client.payments.create(cardPayment({ notify_url: url }));
      const [queued] = await gw.notifications.list({ orderId: order.order_id });
      await gw.dispatcher.runDue();
      expect((await gw.notifications.get(queued!.notify_id)).status, url).toBe('DELIVERED');
    }
    expect(receiver.received.map((r) => r.path)).toEqual(['/a', '/b', '/c']);
    expect(receiver.received[2]!.headers.host).toBe(`allowed.test:${port}`);
  });

  it('allows nothing else: a private address stays refused', async () => {
    const err = await refusal(
      merchant.client.payments.create(cardPayment({ notify_url: 'http://10.0.0.1/' })),
    );
    expect(err.retCode).toBe('300090');
  });

  it('is checked when the gateway starts', async () => {
    const { loadConfig } = await import('../../src/config.ts');
    expect(() => loadConfig({ OPENKKA_NOTIFY_ALLOW: '10.0.0.0/8,10.0.0.0/40' })).toThrow(
      /^OPENKKA_NOTIFY_ALLOW: "10.0.0.0\/40" is neither/,
    );
  });
});

describe('a gateway on loopback (local development)', () => {
  let gw: TestGateway;
  let merchant: TestMerchant;
  let receiver: Receiver;

  beforeAll(async () => {
    gw = await startGateway({ lookup, env: { OPENKKA_ADMIN_TOKEN: 'a'.repeat(40) } });
    await gw.dispatcher.stop();
    merchant = await gw.createMerchant();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    killChildren();
    await receiver?.close();
    await gw?.close();
  });

  it('delivers to a receiver on loopback, but never to its own listener and admin routes', async () => {
    const order = await merchant.client.payments.create(cardPayment({ notify_url: receiver.url }));
    await gw.dispatcher.runDue();
    expect(receiver.acknowledgedIds()).toHaveLength(1);
    expect(order.status).toBe('SUCCESS');

    const own = new URL(gw.baseUrl);
    for (const url of [
      `${gw.baseUrl}/admin/notifications`,
      `http://0x7f000001:${own.port}/admin/notifications`,
      `http://[::ffff:127.0.0.1]:${own.port}/payments/void`,
    ]) {
      const err = await refusal(merchant.client.payments.create(cardPayment({ notify_url: url })));
      expect(err.retMsg, url).toMatch(/^notify_url is not allowed: \S+ is the gateway's own listen address$/);
      const row = await attempt(gw, merchant, url);
      expect(row.attempt_log[0]!.error).toMatch(/^not allowed: \S+ is the gateway's own listen address$/);
    }
  });

  it('connects only to the address it checked: the socket does not ask DNS again', async () => {
    // The system resolver does not know this name: a lookup of its own by the socket would fail.
    dns.set('pinned.test', ['127.0.0.1']);
    const url = `http://pinned.test:${new URL(receiver.url).port}/pinned`;
    lookups.length = 0;
    const row = await attempt(gw, merchant, url);
    expect(row.status).toBe('DELIVERED');
    expect(lookups.filter((h) => h === 'pinned.test')).toHaveLength(1);
    expect(receiver.received.at(-1)!.headers.host).toBe(`pinned.test:${new URL(receiver.url).port}`);
  });

  it('refuses the same forms through the CLI when an operator sets a default notify_url', async () => {
    const result = await runCli(
      ['merchant', 'set-notify-url', merchant.merchantId, 'http://169.254.169.254/'],
      {
        ...gw.store.env,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('notify_url is not allowed: 169.254.169.254 is a link-local address');
  });
});

describe('credentials in a notify_url', () => {
  let gw: TestGateway;
  let merchant: TestMerchant;
  let receiver: Receiver;
  const log: string[] = [];
  const TOKEN = 'b'.repeat(40);

  beforeAll(async () => {
    gw = await startGateway({
      env: { OPENKKA_ADMIN_TOKEN: TOKEN },
      logStream: new Writable({
        write(chunk, _encoding, done) {
          log.push(String(chunk));
          done();
        },
      }),
    });
    await gw.dispatcher.stop();
    merchant = await gw.createMerchant();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    await gw?.close();
  });

  it('are refused at request time', async () => {
    const url = receiver.url.replace('http://', 'http://shop:s3cret@');
    const err = await refusal(merchant.client.payments.create(cardPayment({ notify_url: url })));
    expect(err.retCode).toBe('300090');
    expect(err.retMsg).toBe('notify_url is not allowed: it carries credentials (user:password@)');
  });

  it('in a URL stored before that rule: never sent, logged, or shown by the admin API or the CLI', async () => {
    const url = receiver.url.replace('http://', 'http://shop:s3cret@');
    const row = await attempt(gw, merchant, url);
    expect(row.attempt_log[0]!.error).toBe('not allowed: it carries credentials (user:password@)');
    expect(receiver.received).toHaveLength(0);

    const admin = (path: string) =>
      fetch(`${gw.baseUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text());
    const listed = await admin('/admin/notifications');
    const shown = await admin(`/admin/notifications/${row.notify_id}`);
    expect(shown).toContain(receiver.url.replace('http://', '').split('/')[0]);
    for (const text of [listed, shown, JSON.stringify(notificationView(row)), log.join('')]) {
      expect(text).not.toContain('s3cret');
      expect(text).not.toContain('shop:');
    }
  });
});
