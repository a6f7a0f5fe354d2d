/**
 * Notifications a real gateway sends, verified by the SDK as a merchant verifies them: one
 * `openkka.webhooks.verify(rawBody, headers, { path })` call for both protocols, the headers
 * telling which signed (docs/notifications.md). An order paid over v3 is notified the v3 way,
 * over the notify_url's path; one paid over v1.2 the v1.2 way.
 */
import { isRefundNotification, OpenKKA, OpenKKASignatureError, webhookProtocol } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from '../notifications/receiver.ts';

const clock = new ManualClock(Date.now());
let gw: TestGateway;
let inbox: Receiver;
let merchant: TestMerchant;
let v3: OpenKKA<'v3'>;

const HOOK_PATH = '/hooks/paykka';

beforeAll(async () => {
  gw = await startGateway({ clock });
  inbox = await startReceiver({ now: () => clock.now() });
  const origin = new URL(inbox.url).origin;
  merchant = await gw.createMerchant({ notifyUrl: `${origin}${HOOK_PATH}?source=openkka` });
  v3 = new OpenKKA({
    baseUrl: gw.baseUrl,
    merchantId: merchant.merchantId,
    privateKey: merchant.privateKeyPem,
    platformPublicKey: gw.platformPublicKeyPem,
    protocol: 'v3',
    now: () => clock.now(),
  });
});
afterAll(async () => {
  await gw?.close();
  await inbox?.close();
});

let seq = 0;
const transId = (label: string) => `sdk-v3-notify-${label}-${Date.now()}-${seq++}`;

async function deliveryOf(orderId: string, notifyType: string): Promise<ReceivedRequest> {
  const mine = (r: ReceivedRequest) => r.body?.order_id === orderId && r.body?.notify_type === notifyType;
  await inbox.waitFor((received) => received.some(mine));
  return inbox.received.find(mine)!;
}

describe('openkka.webhooks.verify on what the gateway sends', () => {
  it('verifies a v3 payment notification over the path it was POSTed to', async () => {
    const paid = await v3.payments.create(cardPayment({ trans_id: transId('pay') }));
    const r = await deliveryOf(paid.order_id, 'PAYMENT.SUCCESS');
    expect(webhookProtocol(r.headers)).toBe('v3');
    expect(r.path).toBe(`${HOOK_PATH}?source=openkka`);

    // Node's req.url as it is, query and all.
    const n = v3.webhooks.verify(r.rawBody, r.headers, { path: r.path, now: () => r.at });
    expect(n).toMatchObject({
      notify_type: 'PAYMENT.SUCCESS',
      event_type: 'PAYMENT.SUCCESS',
      order_id: paid.order_id,
      merchant_id: merchant.merchantId,
    });
    expect(n.timestamp).toBeUndefined();
    // The whole URL does as well; another path, a stale clock or a changed byte do not.
    expect(
      v3.webhooks.verify(r.rawBody, r.headers, { path: `http://shop.example${r.path}`, now: () => r.at })
        .notify_id,
    ).toBe(n.notify_id);
    expect(() => v3.webhooks.verify(r.rawBody, r.headers, { path: '/hooks/other', now: () => r.at })).toThrow(
      OpenKKASignatureError,
    );
    expect(() =>
      v3.webhooks.verify(r.rawBody, r.headers, { path: r.path, now: () => r.at + 6 * 60_000 }),
    ).toThrow(/timestamp/);
    expect(() =>
      v3.webhooks.verify(r.rawBody.replace('"PAYMENT.SUCCESS"', '"PAYMENT.FAILURE"'), r.headers, {
        path: r.path,
        now: () => r.at,
      }),
    ).toThrow(OpenKKASignatureError);
  });

  it('verifies a v3 refund notification, which names the refunded order', async () => {
    const paid = await v3.payments.create(cardPayment({ trans_id: transId('refunded') }));
    const refund = await v3.refunds.create({
      refund_trans_id: transId('refund'),
      ori_order_id: paid.order_id,
      refund_amount: 100,
      currency: 'USD',
    });
    const r = await deliveryOf(paid.order_id, 'REFUND.SUCCESS');
    const n = v3.webhooks.verify(r.rawBody, r.headers, { path: r.path, now: () => r.at });
    expect(isRefundNotification(n)).toBe(true);
    if (!isRefundNotification(n)) throw new Error('unreachable');
    expect([n.refund_order_id, n.ori_order_id, n.order_id]).toEqual([
      refund.refund_order_id,
      paid.order_id,
      paid.order_id,
    ]);
  });

  it('verifies a v1.2 notification with the same call', async () => {
    const paid = await merchant.client.payments.create(cardPayment({ trans_id: transId('v12') }));
    const r = await deliveryOf(paid.order_id, 'PAYMENT.SUCCESS');
    expect(webhookProtocol(r.headers)).toBe('v1.2');
    const n = v3.webhooks.verify(r.rawBody, r.headers, { path: r.path, now: () => r.at });
    expect(n.order_id).toBe(paid.order_id);
    expect(n.timestamp).toBe(r.at);
  });
});
