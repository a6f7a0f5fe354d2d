/**
 * The admin listener is the gateway's own as much as the public one, also on a port the system
 * chose (OPENKKA_ADMIN_LISTEN=127.0.0.1:0), which is known only once it listens: a notify_url
 * pointing at it is refused when a payment brings it and again at delivery, and nothing reaches
 * it, while a receiver on another loopback port is served (docs/security.md, outbound calls).
 */
import { OpenKKAApiError } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/server.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type Receiver, startReceiver } from '../notifications/receiver.ts';

const TOKEN = 'k'.repeat(40);
const OWN = /^\S+ is the gateway's own listen address$/;

describe('OPENKKA_ADMIN_LISTEN on port 0, and notify_url', () => {
  let gw: TestGateway;
  let merchant: TestMerchant;
  let receiver: Receiver;
  let adminPort: string;
  const reachedAdmin: string[] = [];

  beforeAll(async () => {
    gw = await startGateway({ env: { OPENKKA_ADMIN_TOKEN: TOKEN, OPENKKA_ADMIN_LISTEN: '127.0.0.1:0' } });
    await gw.dispatcher.stop();
    gw.admin!.addHook('onRequest', async (request) => {
      reachedAdmin.push(request.url);
    });
    adminPort = new URL(await listen(gw.admin!, '127.0.0.1', 0)).port;
    merchant = await gw.createMerchant();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await gw?.close();
  });

  const adminUrls = () => [
    `http://127.0.0.1:${adminPort}/admin/notifications`,
    `http://0x7f000001:${adminPort}/admin/notifications`,
    `http://[::ffff:127.0.0.1]:${adminPort}/admin/notifications/NT0/redeliver`,
  ];

  it('refuses it when a payment brings it (300090), and stores nothing', async () => {
    for (const url of adminUrls()) {
      const err = await merchant.client.payments.create(cardPayment({ notify_url: url })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, url).toBeInstanceOf(OpenKKAApiError);
      expect((err as OpenKKAApiError).retCode).toBe('300090');
      expect((err as OpenKKAApiError).retMsg).toMatch(/^notify_url is not allowed: /);
      expect((err as OpenKKAApiError).retMsg.replace(/^notify_url is not allowed: /, '')).toMatch(OWN);
    }
    expect(await gw.notifications.list({})).toEqual([]);
  });

  it('never delivers there, while a receiver on another loopback port is served', async () => {
    const order = await merchant.client.payments.create(cardPayment({ notify_url: receiver.url }));
    await gw.dispatcher.runDue();
    expect(receiver.acknowledgedIds()).toHaveLength(1);
    expect(order.status).toBe('SUCCESS');

    // Stored as the merchant's default by an operator, it is checked again before the attempt.
    await gw.merchants.setNotifyUrl(merchant.merchantId, adminUrls()[0]!);
    const refused = await merchant.client.payments.create(cardPayment());
    await gw.dispatcher.runDue();
    const [row] = await gw.notifications.list({ orderId: refused.order_id });
    const shown = await gw.notifications.get(row!.notify_id);
    const error = String(shown.attempt_log[0]?.error);
    expect(error).toMatch(/^not allowed: /);
    expect(error.replace(/^not allowed: /, '')).toMatch(OWN);
    expect(reachedAdmin).toEqual([]);
  });
});
