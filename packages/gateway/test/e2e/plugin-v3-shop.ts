/**
 * A shop that behaves as PayKKa's current (v3, 1.5.x) WooCommerce plugin does, from the outside
 * (the facts of what it sends and reads, not its code):
 * - sessions at /v3/payment/acq/session, HOSTED, COMPONENT or DROP_IN, the body pretty-printed
 *   with four spaces, slashes unescaped, `goods`, `bill`, `shipping`, `customer` and a `payment`
 *   of nulls, `expire_time` in Hong Kong time with a `+0800` offset, and a trans_id of the form
 *   `{order}c{YmdHis UTC}{3 digits}`; query and refund bodies compact with slashes escaped `\/`;
 *   every request signed the v3 way with a 16-digit nonce, the signature percent-encoded;
 * - the shopper's return to `/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=<its order>`,
 *   where it reads its own order_id only and asks /v3/payment/acq/query (by the gateway's
 *   order_id once known, else its trans_id, else the session_id); `data.error_code` 4032 is
 *   "not paid yet", and a thank-you needs an order_id with SUCCESS or AUTHORIZED;
 * - notifications at /wp-json/paykka/v1/webhook, verified with the platform public key over
 *   `POST\n{path}\n{timestamp}\n{nonce}\n{body}` (401 `Invalid signature` if not), refunds told
 *   apart by their type or refund ids and confirmed by /refund/query, payments by /query;
 * - a refund only after a query says SUCCESS, AUTHORIZED or PARTIALLY_REFUNDED and the amount is
 *   at most `able_to_refund_amount`, reading `refund_order_id` at the top level of the answer.
 * A COMPONENT or DROP_IN session is paid on the shop's own page (`/pay/<order>`), which loads
 * the gateway's browser library with the session id and the client key.
 */
import { createSign, createVerify, type KeyObject, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SessionMode = 'HOSTED' | 'COMPONENT' | 'DROP_IN';

export interface ShopOrder {
  transId: string;
  sessionId: string;
  mode: SessionMode;
  /** The gateway's order id, once a query or notification named it. */
  gatewayOrderId?: string;
  status: string;
  /** What moved the order: 'return', 'webhook', 'refund-webhook'. */
  via: string[];
  refunds: { refundTransId: string; refundOrderId: string; status: string }[];
}

export interface PluginV3Shop {
  origin: string;
  orders: Map<string, ShopOrder>;
  /** Notifications the shop refused for their signature. */
  rejected: number;
  /** Creates the order's session; answers what the plugin reads (session_id, session_url). */
  checkout(
    orderId: number,
    amount: number,
    mode: SessionMode,
  ): Promise<{ sessionUrl: string; sessionId: string }>;
  /** Refunds the way the plugin's refund button does; answers the refund query's status. */
  refund(orderId: number, amount: number): Promise<string>;
  close(): Promise<void>;
}

export interface PluginV3Settings {
  baseUrl: string;
  merchantId: string;
  privateKey: KeyObject;
  clientKey: string;
  platformPublicKeyPem: string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `Y-m-d\TH:i:sO` in Hong Kong (UTC+8, no daylight saving), as the plugin writes expire_time. */
function hongKongTime(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+0800`;
}

/** `{order}c{YmdHis UTC}{3 digits}`. */
function pluginTransId(orderId: number): string {
  const d = new Date();
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `${orderId}c${stamp}${pad(randomInt(1000), 3)}`;
}

const fiveLines = (path: string, timestamp: string, nonce: string, body: string) =>
  ['POST', path, timestamp, nonce, body].map((part) => (part === '' ? ' ' : part)).join('\n');

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
    });
    req.on('end', () => resolve(raw));
    req.on('error', reject);
  });

export async function startPluginV3Shop(settings: PluginV3Settings): Promise<PluginV3Shop> {
  const orders = new Map<string, ShopOrder>();
  let rejected = 0;

  /** Signs and posts `body` as the plugin does; answers the payload it reads (data, else the top level). */
  async function send(path: string, body: string): Promise<Record<string, unknown>> {
    const timestamp = String(Date.now());
    const nonce = `${randomInt(1e7, 1e8)}${randomInt(1e7, 1e8)}`;
    const sign = createSign('sha256')
      .update(fiveLines(path, timestamp, nonce, body))
      .sign(settings.privateKey, 'base64');
    const res = await fetch(`${settings.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-paykka-appid': settings.merchantId,
        'x-paykka-timestamp': timestamp,
        'x-paykka-nonce': nonce,
        'x-paykka-sign-alg': 'SHA256_WITH_RSA',
        'x-paykka-sign': encodeURIComponent(sign),
      },
      body,
    });
    const json = (await res.json()) as Record<string, unknown>;
    const retCode = String(json.ret_code ?? '');
    if (res.status !== 200 || (retCode !== '' && retCode !== '0' && retCode !== '000000')) {
      throw new Error(`${path} refused: HTTP ${res.status} ${JSON.stringify(json)}`);
    }
    const data = json.data && typeof json.data === 'object' ? (json.data as Record<string, unknown>) : json;
    return {
      ...data,
      ...(json.refund_order_id === undefined ? {} : { top_refund_order_id: json.refund_order_id }),
    };
  }

  /** Compact JSON with slashes escaped, as PHP's json_encode writes query and refund bodies. */
  const compact = (fields: Record<string, unknown>) => JSON.stringify(fields).replace(/\//g, '\\/');

  /** The plugin's order of identifiers: the gateway's order id, its trans_id, the session. */
  async function query(order: ShopOrder): Promise<Record<string, unknown>> {
    const by = order.gatewayOrderId
      ? { order_id: order.gatewayOrderId }
      : order.transId
        ? { trans_id: order.transId }
        : { session_id: order.sessionId };
    const found = await send('/v3/payment/acq/query', compact({ merchant_id: settings.merchantId, ...by }));
    // A result without order_id is session-level (4032: not paid yet) and changes nothing.
    if (found.order_id) {
      order.gatewayOrderId = String(found.order_id);
      order.status = String(found.status);
    }
    return found;
  }

  function verified(req: IncomingMessage, path: string, body: string): boolean {
    const timestamp = req.headers['x-paykka-timestamp'];
    const nonce = req.headers['x-paykka-nonce'];
    const sign = req.headers['x-paykka-sign'];
    if (typeof timestamp !== 'string' || typeof nonce !== 'string' || typeof sign !== 'string') return false;
    return createVerify('sha256')
      .update(fiveLines(path, timestamp, nonce, body))
      .verify(settings.platformPublicKeyPem, decodeURIComponent(sign), 'base64');
  }

  const findOrder = (note: Record<string, unknown>) =>
    [...orders.values()].find(
      (o) =>
        (note.order_id !== undefined && o.gatewayOrderId === note.order_id) ||
        o.transId === note.trans_id ||
        (note.session_id !== undefined && o.sessionId === note.session_id),
    );

  const page = (orderId: string, order: ShopOrder) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pay for order ${orderId}</title>
<link rel="stylesheet" href="${settings.baseUrl}/cp/style.css"></head>
<body><h1>Order ${orderId}</h1><div id="paykka"></div>
<script src="${settings.baseUrl}/cp/card-checkout-ui.js"></script>
<script>
  const ui = window.PayKKaCardCheckoutUI;
  const checkout = new ui.PayKKaCheckout({
    sessionId: ${JSON.stringify(order.sessionId)},
    clientKey: ${JSON.stringify(settings.clientKey)},
    env: 'sandbox',
    returnUrl: ${JSON.stringify(returnUrl(orderId))},
    onSuccess: (payload) => { location.href = payload.returnUrl || ${JSON.stringify(returnUrl(orderId))}; },
  });
  checkout.init().then(() => {
    checkout.create(ui[${JSON.stringify(order.mode === 'DROP_IN' ? 'DropIn' : 'Card')}], { showCardBrands: true, cardInfoLayout: 'combine', showHolderName: false }).mount('#paykka');
  });
</script></body></html>`;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (req.method === 'POST' && url.pathname === '/wp-json/paykka/v1/webhook') {
        const raw = await readBody(req);
        if (!verified(req, url.pathname, raw)) {
          rejected++;
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ret_code: '401', ret_msg: 'Invalid signature' }));
          return;
        }
        const note = JSON.parse(raw) as Record<string, unknown>;
        const type = `${note.event_type ?? ''} ${note.notify_type ?? ''}`;
        const order = findOrder(note);
        if (order && (type.includes('REFUND') || note.refund_trans_id || note.refund_order_id)) {
          const refund = await send(
            '/v3/payment/acq/refund/query',
            compact({ merchant_id: settings.merchantId, refund_trans_id: note.refund_trans_id }),
          );
          const known = order.refunds.find((r) => r.refundTransId === refund.refund_trans_id);
          if (known) known.status = String(refund.status);
          order.via.push('refund-webhook');
        } else if (order) {
          await query(order);
          order.via.push('webhook');
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ret_code: '000000', ret_msg: 'Success' }));
        return;
      }
      if (req.method === 'GET' && url.searchParams.get('wc-api') === 'WC_Gateway_Paykka_Payment_callback') {
        const orderId = url.searchParams.get('order_id') ?? '';
        const order = orders.get(orderId);
        if (!order) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('order not found');
          return;
        }
        const found = await query(order);
        order.via.push('return');
        const paid = Boolean(found.order_id) && ['SUCCESS', 'AUTHORIZED'].includes(String(found.status));
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Order received</title></head>
<body><h1>Order <span id="order">${Number(orderId)}</span></h1><p id="status">${paid ? 'paid' : 'not paid'}</p><p id="code">${String(found.error_code ?? '')}</p></body></html>`);
        return;
      }
      const payFor = url.pathname.startsWith('/pay/') ? orders.get(url.pathname.slice(5)) : undefined;
      if (req.method === 'GET' && payFor) {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(page(url.pathname.slice(5), payFor));
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    } catch (err) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end((err as Error).message);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const returnUrl = (orderId: string) =>
    `${origin}/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=${orderId}`;

  return {
    origin,
    orders,
    get rejected() {
      return rejected;
    },
    async checkout(orderId, amount, mode) {
      const transId = pluginTransId(orderId);
      const fields = {
        merchant_id: settings.merchantId,
        payment_type: 'PURCHASE',
        trans_id: transId,
        currency: 'USD',
        amount,
        notify_url: `${origin}/wp-json/paykka/v1/webhook`,
        return_url: returnUrl(String(orderId)),
        cancel_url: returnUrl(String(orderId)),
        expire_time: hongKongTime(Date.now() + 3_600_000),
        session_mode: mode,
        capture_method: 'AUTOMATIC',
        ...(mode === 'COMPONENT' ? { display_merchant_name: 'Lotus Tea House' } : {}),
        goods: [
          {
            id: 501,
            name: 'Tie Guan Yin',
            description: '<p>Oolong from <strong>Anxi</strong></p>',
            category: null,
            brand: null,
            link: `${origin}/product/tie-guan-yin/`,
            price: amount,
            quantity: 1,
            delivery_date: '',
            picture_url: '',
          },
        ],
        bill: {
          first_name: 'Ada',
          middle_name: null,
          last_name: 'Lovelace',
          address_line1: '1 Main St',
          address_line2: '',
          country: 'GB',
          state: '',
          city: 'London',
          postal_code: 'N1 1AA',
          email: 'ada@example.com',
          area_code: '+44',
          phone_number: '2079460000',
          descriptor: null,
        },
        shipping: {
          first_name: 'Ada',
          middle_name: null,
          last_name: 'Lovelace',
          address_line1: '1 Main St',
          address_line2: '',
          country: 'GB',
          state: '',
          city: 'London',
          postal_code: 'N1 1AA',
          email: null,
          area_code: '000000',
          phone_number: 'N/A',
          descriptor: null,
        },
        customer: {
          id: `guest_${orderId}`,
          email: 'ada@example.com',
          order_ip: '203.0.113.9',
          pay_ip: '203.0.113.9',
        },
        payment: {
          payment_method: null,
          token_data: null,
          encrypted_card_no: null,
          holder_name: null,
          store_payment_method: null,
          token_usage: null,
          shopper_reference: null,
          token: null,
          card_no: null,
        },
      };
      const session = await send('/v3/payment/acq/session', JSON.stringify(fields, null, 4));
      const order: ShopOrder = {
        transId,
        sessionId: String(session.session_id),
        mode,
        status: 'pending',
        via: [],
        refunds: [],
      };
      orders.set(String(orderId), order);
      return { sessionUrl: String(session.session_url), sessionId: order.sessionId };
    },
    async refund(orderId, amount) {
      const order = orders.get(String(orderId))!;
      const found = await query(order);
      const balances = found.balances as { able_to_refund_amount: number };
      if (!['SUCCESS', 'AUTHORIZED', 'PARTIALLY_REFUNDED'].includes(String(found.status))) {
        throw new Error(`not refundable: ${String(found.status)}`);
      }
      if (amount > balances.able_to_refund_amount) throw new Error('more than can be refunded');
      const refundTransId = `R${orderId}-${Date.now()}-${randomInt(1000, 10000)}`;
      const created = await send(
        '/v3/payment/acq/refund',
        compact({
          merchant_id: settings.merchantId,
          refund_trans_id: refundTransId,
          ori_order_id: order.gatewayOrderId,
          reason: 'REQUESTED_BY_CUSTOMER',
          refund_amount: amount,
          currency: 'USD',
          notify_url: `${origin}/wp-json/paykka/v1/webhook`,
        }),
      );
      // The plugin reads the new refund's id at the top level of the answer only.
      const refundOrderId = String(created.top_refund_order_id);
      const queried = await send(
        '/v3/payment/acq/refund/query',
        compact({
          merchant_id: settings.merchantId,
          refund_trans_id: refundTransId,
          refund_order_id: refundOrderId,
        }),
      );
      order.refunds.push({ refundTransId, refundOrderId, status: String(queried.status) });
      return String(queried.status);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
