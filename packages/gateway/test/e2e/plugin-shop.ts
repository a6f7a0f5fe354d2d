/**
 * A shop that behaves as PayKKa's v1.2 WooCommerce plugin does, from the outside (the facts of
 * what it sends and reads, not its code): it creates a hosted session at `/apis/session` with
 * its own order number as a numeric `trans_id`, a 4-space pretty-printed body with `null`
 * members and `"version"` inside, signed over those bytes and URL-encoded, and `expire_time`
 * in Hong Kong time without an offset. The shopper comes back to
 * `/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=<its order>`, where the shop reads its
 * own `order_id` (an unknown one is a 500, as in the plugin) and asks the gateway for the
 * outcome; notifications to `/wp-json/paykka/v1/webhook` move its order by `trans_id`.
 */
import { createSign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PluginShop {
  origin: string;
  /** Each order's state as the shop knows it: from the return (query) or the webhook. */
  orders: Map<string, { status: string; via: string[] }>;
  /** Creates the hosted session for shop order `orderId`; its session_url. */
  checkout(orderId: number, amount: number): Promise<{ sessionUrl: string; body: string }>;
  close(): Promise<void>;
}

interface Signer {
  baseUrl: string;
  merchantId: string;
  privateKey: KeyObject;
}

/** `Y-m-d H:i:s` in Hong Kong (UTC+8, no daylight saving), as the plugin writes expire_time. */
function hongKongTime(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

async function sendAsThePlugin(
  to: Signer,
  path: string,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const timestamp = Date.now();
  const body = JSON.stringify({ version: 'v1.2', merchant_id: to.merchantId, ...fields, timestamp }, null, 4);
  const signature = createSign('sha256')
    .update(`merchantId=${to.merchantId}&timestamp=${timestamp}&requestBody=${body}`)
    .sign(to.privateKey, 'base64');
  const res = await fetch(`${to.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', type: 'RSA256', signature: encodeURIComponent(signature) },
    body,
  });
  const json = (await res.json()) as { ret_code: string; data?: Record<string, unknown> };
  if (json.ret_code !== '000000') throw new Error(`${path} refused: ${JSON.stringify(json)}`);
  return json.data!;
}

export async function startPluginShop(gateway: Signer): Promise<PluginShop> {
  const orders = new Map<string, { status: string; via: string[] }>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/wp-json/paykka/v1/webhook') {
      let raw = '';
      req.on('data', (chunk) => {
        raw += chunk;
      });
      req.on('end', () => {
        const note = JSON.parse(raw) as { trans_id: string; status: string };
        const order = orders.get(note.trans_id);
        if (order) {
          order.status = note.status;
          order.via.push('webhook');
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ret_code: '000000', ret_msg: 'Success' }));
      });
      return;
    }
    if (req.method === 'GET' && url.searchParams.get('wc-api') === 'WC_Gateway_Paykka_Payment_callback') {
      const orderId = url.searchParams.get('order_id') ?? '';
      const order = orders.get(orderId);
      if (!order) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('order not found');
        return;
      }
      sendAsThePlugin(gateway, '/apis/payments/query', { trans_id: Number(orderId) }).then(
        (found) => {
          order.status = String(found.status);
          order.via.push('return');
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Order received</title></head>
<body><h1>Order <span id="order">${Number(orderId)}</span></h1><p id="status">${order.status === 'SUCCESS' ? 'paid' : 'not paid'}</p></body></html>`);
        },
        (err: Error) => res.writeHead(502, { 'content-type': 'text/plain' }).end(err.message),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    orders,
    async checkout(orderId, amount) {
      orders.set(String(orderId), { status: 'pending', via: [] });
      const fields = {
        payment_type: 'PURCHASE',
        trans_id: orderId,
        currency: 'USD',
        amount,
        notify_url: `${origin}/wp-json/paykka/v1/webhook`,
        return_url: `${origin}/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=${orderId}`,
        expire_time: hongKongTime(Date.now() + 5 * 60_000),
        session_mode: 'HOSTED',
        display_merchant_name: null,
        display_locale: null,
        theme_id: null,
        capture_method: null,
        goods: [{ id: 501, name: 'Cotton T-shirt', price: amount, quantity: 1, category: null, brand: null }],
        browser: null,
        customer: { id: 7, email: null, pay_ip: '127.0.0.1', order_ip: '203.0.113.9' },
        payment: { payment_method: null, token_data: null, card_no: null, token: null },
        authentication: null,
      };
      const session = await sendAsThePlugin(gateway, '/apis/session', fields);
      return { sessionUrl: String(session.session_url), body: JSON.stringify(fields) };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
