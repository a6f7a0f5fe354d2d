/**
 * What an operator does about notifications that did not get through: find the failed ones,
 * look at their attempts, send them again, and point a merchant at a new URL. Through the
 * admin API (only served when OPENKKA_ADMIN_TOKEN is set; bearer token on every request) and
 * through the CLI on the same store.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killChildren, runCli } from '../cli/run-cli.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type Behaviour, type Receiver, startReceiver } from './receiver.ts';

const TOKEN = randomBytes(24).toString('base64url');
/** One retry, 50 ms after the first attempt: a refused notification is FAILED quickly. */
const ENV = { OPENKKA_ADMIN_TOKEN: TOKEN, OPENKKA_NOTIFY_BACKOFF: '50ms' };

let gw: TestGateway;
let merchant: TestMerchant;
let receiver: Receiver;
let behaviour: Behaviour = 'ok';

beforeAll(async () => {
  gw = await startGateway({ env: ENV });
  receiver = await startReceiver({ respond: () => behaviour });
  merchant = await gw.createMerchant({ notifyUrl: receiver.url });
});

afterAll(async () => {
  killChildren();
  await receiver?.close();
  await gw?.close();
});

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the tests read envelope fields directly
  json: any;
}

async function admin(
  path: string,
  options: { method?: 'GET' | 'POST'; authorization?: string | null; base?: string } = {},
): Promise<Reply> {
  const authorization = options.authorization === undefined ? `Bearer ${TOKEN}` : options.authorization;
  const res = await fetch(`${options.base ?? gw.baseUrl}${path}`, {
    method: options.method ?? 'GET',
    headers: authorization === null ? {} : { authorization },
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

function statusIs(id: string, status: string) {
  return eventually(`${id} ${status}`, async () => {
    const row = await gw.notifications.get(id);
    return row.status === status ? row : undefined;
  });
}

/** A payment whose notification the receiver refuses until it is FAILED (both attempts); its id. */
async function failedNotification(notifyUrl?: string): Promise<{ id: string; orderId: string }> {
  behaviour = 'http500';
  const order = await merchant.client.payments.create(
    cardPayment(notifyUrl ? { notify_url: notifyUrl } : {}),
  );
  const [row] = await gw.notifications.list({ orderId: order.order_id });
  const id = row!.notify_id;
  // The first attempt follows the commit; the retry is due 50 ms later, and this test wakes
  // the dispatcher for it (no polling interval runs here unless a test starts one).
  await eventually('first attempt', async () =>
    (await gw.notifications.get(id)).attempts >= 1 ? true : undefined,
  );
  await new Promise((resolve) => setTimeout(resolve, 60));
  gw.dispatcher.poke();
  await statusIs(id, 'FAILED');
  return { id, orderId: order.order_id };
}

const acknowledged = (id: string) => receiver.acknowledgedIds().filter((x) => x === id).length;

describe('admin API', () => {
  it('lists the failed notification, shows its attempts, and redelivers it', async () => {
    const { id, orderId } = await failedNotification();

    const failed = await admin('/admin/notifications?status=failed');
    expect(failed.status).toBe(200);
    expect(failed.json.ret_code).toBe('000000');
    const listed = (failed.json.data as Record<string, unknown>[]).find((n) => n.notify_id === id);
    expect(listed).toMatchObject({
      notify_id: id,
      order_id: orderId,
      merchant_id: merchant.merchantId,
      status: 'FAILED',
      attempts: 2,
      last_error: 'HTTP 500',
      next_attempt_at: null,
      url: receiver.url,
      // The body as the merchant receives it (without the per-attempt timestamp).
      body: { notify_id: id, notify_type: 'PAYMENT.SUCCESS', order_id: orderId, status: 'SUCCESS' },
    });
    expect((failed.json.data as { status: string }[]).every((n) => n.status === 'FAILED')).toBe(true);
    // The status filter is case-insensitive; other statuses do not list it.
    const upper = await admin('/admin/notifications?status=FAILED');
    expect(upper.json.data.map((n: { notify_id: string }) => n.notify_id)).toContain(id);
    for (const other of ['pending', 'delivered']) {
      const res = await admin(`/admin/notifications?status=${other}`);
      expect(res.status).toBe(200);
      expect(res.json.data.map((n: { notify_id: string }) => n.notify_id)).not.toContain(id);
    }
    const byOrder = await admin(`/admin/notifications?order_id=${orderId}`);
    expect(byOrder.json.data.map((n: { notify_id: string }) => n.notify_id)).toEqual([id]);

    const shown = await admin(`/admin/notifications/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.json.data).toMatchObject({ notify_id: id, status: 'FAILED', attempts: 2 });
    expect(shown.json.data.attempt_log).toMatchObject([
      { notify_id: id, attempt: 1, http_status: 500, error: 'HTTP 500', delivered: 0 },
      { notify_id: id, attempt: 2, http_status: 500, error: 'HTTP 500', delivered: 0 },
    ]);

    // Redeliver: queued at once, and the redelivery itself wakes the dispatcher.
    behaviour = 'ok';
    const redelivered = await admin(`/admin/notifications/${id}/redeliver`, { method: 'POST' });
    expect(redelivered.status).toBe(200);
    expect(redelivered.json.ret_code).toBe('000000');
    expect(redelivered.json.data).toMatchObject({
      notify_id: id,
      status: expect.stringMatching(/PENDING|DELIVERED/),
    });
    const delivered = await statusIs(id, 'DELIVERED');
    expect(delivered.attempts).toBe(3);
    expect(delivered.attempt_log.at(-1)).toMatchObject({ attempt: 3, http_status: 200, delivered: 1 });
    expect(acknowledged(id)).toBe(1);
    const after = await admin('/admin/notifications?status=failed');
    expect(after.json.data.map((n: { notify_id: string }) => n.notify_id)).not.toContain(id);
    const nowDelivered = await admin('/admin/notifications?status=delivered');
    expect(nowDelivered.json.data.map((n: { notify_id: string }) => n.notify_id)).toContain(id);
  });

  it('refuses a missing or wrong token with 401 300020, before looking anything up', async () => {
    const { id } = await failedNotification();
    const wrong = [
      null,
      '',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}${TOKEN.endsWith('A') ? 'B' : 'A'}`,
      TOKEN,
      `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`,
    ];
    const paths: [string, 'GET' | 'POST'][] = [
      ['/admin/notifications?status=failed', 'GET'],
      [`/admin/notifications/${id}`, 'GET'],
      [`/admin/notifications/${id}/redeliver`, 'POST'],
      ['/admin/notifications/NT00000000000000000000', 'GET'],
      ['/admin/notifications?status=nonsense', 'GET'],
    ];
    for (const authorization of wrong) {
      for (const [path, method] of paths) {
        const res = await admin(path, { method, authorization });
        expect(res.status, `${method} ${path} with ${JSON.stringify(authorization)}`).toBe(401);
        expect(res.json.ret_code).toBe('300020');
      }
    }
    // Nothing was redelivered by any of those.
    expect(await gw.notifications.get(id)).toMatchObject({ status: 'FAILED', attempts: 2 });
  });

  it('answers a bad filter with 400 010000 and an unknown id with 404 300021', async () => {
    for (const query of ['status=nonsense', 'status=', 'limit=0', 'limit=1001', 'limit=ten']) {
      const res = await admin(`/admin/notifications?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.ret_code, query).toBe('010000');
    }
    const unknown = 'NT00000000000000000000';
    const shown = await admin(`/admin/notifications/${unknown}`);
    expect(shown.status).toBe(404);
    expect(shown.json.ret_code).toBe('300021');
    const redelivered = await admin(`/admin/notifications/${unknown}/redeliver`, { method: 'POST' });
    expect(redelivered.status).toBe(404);
    expect(redelivered.json.ret_code).toBe('300021');
  });

  it('is not served at all without OPENKKA_ADMIN_TOKEN (404)', async () => {
    const plain = await startGateway();
    try {
      const { id } = await failedNotification();
      for (const authorization of [null, `Bearer ${TOKEN}`, 'Bearer ']) {
        for (const [path, method] of [
          ['/admin/notifications?status=failed', 'GET'],
          [`/admin/notifications/${id}`, 'GET'],
          [`/admin/notifications/${id}/redeliver`, 'POST'],
        ] as const) {
          const res = await admin(path, { method, authorization, base: plain.baseUrl });
          expect(res.status, `${method} ${path}`).toBe(404);
          expect(res.json.ret_code).toBe('300003');
        }
      }
    } finally {
      await plain.close();
    }
  });
});

describe('CLI on the same store', () => {
  const cli = (args: string[]) => runCli(args, gw.store.env);

  it('notifications list --status failed --json, show, and redeliver', async () => {
    const { id, orderId } = await failedNotification();

    // Reading commands, side by side.
    const [listed, readable, bad, shown, missing] = await Promise.all([
      cli(['notifications', 'list', '--status', 'failed', '--json']),
      cli(['notifications', 'list', '--status', 'failed']),
      cli(['notifications', 'list', '--status', 'nonsense', '--json']),
      cli(['notifications', 'show', id]),
      cli(['notifications', 'show', 'NT00000000000000000000']),
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    // stdout is exactly one JSON object.
    const parsed = JSON.parse(listed.stdout) as { notifications: Record<string, unknown>[] };
    expect(listed.stdout.trim().split('\n')).toHaveLength(1);
    expect(Object.keys(parsed)).toEqual(['notifications']);
    expect(parsed.notifications.every((n) => n.status === 'FAILED')).toBe(true);
    expect(parsed.notifications.find((n) => n.notify_id === id)).toMatchObject({
      order_id: orderId,
      status: 'FAILED',
      attempts: 2,
      last_error: 'HTTP 500',
      body: { notify_id: id, notify_type: 'PAYMENT.SUCCESS' },
    });
    expect(readable.code, readable.stderr).toBe(0);
    expect(readable.stdout).toMatch(
      new RegExp(`^${id}\\s+FAILED\\s+PAYMENT\\.SUCCESS\\s+${orderId}\\s+attempts=2`, 'm'),
    );

    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('--status');

    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      notify_id: id,
      status: 'FAILED',
      attempt_log: [
        { attempt: 1, http_status: 500, delivered: 0 },
        { attempt: 2, http_status: 500, delivered: 0 },
      ],
    });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('NT00000000000000000000');

    // A running gateway (polling, as `openkka start` does) picks up the CLI's redelivery.
    behaviour = 'ok';
    gw.dispatcher.start(50);
    const redelivered = await cli(['notifications', 'redeliver', id]);
    expect(redelivered.code, redelivered.stderr).toBe(0);
    expect(redelivered.stdout).toBe(`${id} queued for delivery\n`);
    const delivered = await statusIs(id, 'DELIVERED');
    expect(delivered.attempts).toBe(3);
    expect(acknowledged(id)).toBe(1);
    const [none, nowDelivered] = await Promise.all([
      cli(['notifications', 'redeliver', 'NT00000000000000000000']),
      cli(['notifications', 'list', '--status', 'delivered', '--order', orderId, '--json']),
    ]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('NT00000000000000000000');
    expect(
      JSON.parse(nowDelivered.stdout).notifications.map((n: { notify_id: string }) => n.notify_id),
    ).toEqual([id]);
  });

  it('merchant set-notify-url changes where new notifications go; queued ones keep their URL', async () => {
    const next = await startReceiver();
    try {
      // Queued for the current default, refused until FAILED.
      const { id: old } = await failedNotification();

      const set = await cli(['merchant', 'set-notify-url', merchant.merchantId, next.url]);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toBe(`${merchant.merchantId} notify URL set to ${next.url}\n`);

      behaviour = 'ok';
      const order = await merchant.client.payments.create(cardPayment());
      const [row] = await gw.notifications.list({ orderId: order.order_id });
      expect(row!.url).toBe(next.url);
      await statusIs(row!.notify_id, 'DELIVERED');
      expect(next.acknowledgedIds()).toEqual([row!.notify_id]);

      // A payment's own notify_url still wins over the merchant's default.
      const own = await merchant.client.payments.create(cardPayment({ notify_url: receiver.url }));
      const [ownRow] = await gw.notifications.list({ orderId: own.order_id });
      expect(ownRow!.url).toBe(receiver.url);
      await statusIs(ownRow!.notify_id, 'DELIVERED');

      // The URL of a queued notification was fixed when it was queued.
      await gw.notifications.redeliver(old);
      gw.dispatcher.poke();
      const redelivered = await statusIs(old, 'DELIVERED');
      expect(redelivered.url).toBe(receiver.url);
      expect(acknowledged(old)).toBe(1);
      expect(next.received.some((r) => r.body?.notify_id === old)).toBe(false);

      // Cleared: no default, so a payment without its own notify_url queues nothing.
      const cleared = await cli(['merchant', 'set-notify-url', merchant.merchantId]);
      expect(cleared.code, cleared.stderr).toBe(0);
      expect(cleared.stdout).toBe(`${merchant.merchantId} notify URL cleared\n`);
      const silent = await merchant.client.payments.create(cardPayment());
      expect(await gw.notifications.list({ orderId: silent.order_id })).toEqual([]);

      const [invalid, unknown] = await Promise.all([
        cli(['merchant', 'set-notify-url', merchant.merchantId, 'ftp://127.0.0.1/x']),
        cli(['merchant', 'set-notify-url', '00000000000000', next.url]),
      ]);
      expect(invalid.code).not.toBe(0);
      expect(invalid.stderr).toContain('http');
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain('00000000000000');
    } finally {
      await next.close();
    }
  });
});
