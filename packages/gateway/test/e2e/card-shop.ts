/**
 * The merchant's card form for the encrypted-card browser tests, served by the test's shop (its
 * own origin, not the gateway's), as a shop integrates openkka's library:
 *
 * - `GET /card-checkout`: a page under a strict Content-Security-Policy (scripts only from the
 *   gateway and the page's own nonce; fetches only to the gateway and the shop) that loads
 *   `/cp/encrypted-card.js` from the gateway with Subresource Integrity, draws the fields with
 *   `init`, and on Pay calls `encrypt()` and posts the four fields to the shop;
 * - `POST /card-checkout/pay`: the shop's server, which puts them in `payment.encrypted_*` and
 *   pays through the SDK (signed), answering the order's status. What it received is kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TestGateway, TestMerchant } from '../helpers/gateway.ts';
import type { ShopRoutes } from './shop.ts';

export interface CardShop {
  routes: ShopRoutes;
  /** The bodies the shop's server received from its page. */
  received: Record<string, string>[];
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function cardShop(
  gw: TestGateway,
  merchant: TestMerchant,
  returnUrl: () => string,
): Promise<CardShop> {
  const library = Buffer.from(await (await fetch(`${gw.baseUrl}/cp/encrypted-card.js`)).arrayBuffer());
  const integrity = `sha384-${createHash('sha384').update(library).digest('base64')}`;
  const received: Record<string, string>[] = [];

  const page = (nonce: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lotus Tea House: pay by card</title></head>
<body>
<h1>Pay 25.00 USD</h1>
<form id="card-form">
  <div data-eci="cardNumber"></div>
  <div data-eci="expiryDate"></div>
  <div data-eci="securityCode"></div>
  <button type="submit">Pay</button>
</form>
<p id="status"></p>
<p id="error"></p>
<script src="${gw.baseUrl}/cp/encrypted-card.js" integrity="${integrity}" crossorigin="anonymous"></script>
<script nonce="${nonce}">
  const lib = window.PaykkaCardCheckoutEncryptedCard;
  lib.setEnv({ apiUrl: ${JSON.stringify(gw.baseUrl)}, cdnUrl: ${JSON.stringify(`${gw.baseUrl}/cp`)} });
  lib.setFraudDetectionEnv({ SR: ${JSON.stringify(merchant.clientKey)} });
  window.callbacks = [];
  lib.init({
    merchantId: ${JSON.stringify(merchant.merchantId)},
    clientKey: ${JSON.stringify(merchant.clientKey)},
    showLabel: true,
    styles: { base: { fontSize: '16px', color: 'rgb(29, 35, 48)' }, invalid: { color: 'rgb(180, 35, 24)' } },
    onCardEncrypted: (result) => window.callbacks.push(result),
  });
  document.getElementById('card-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = document.getElementById('status');
    const error = document.getElementById('error');
    try {
      const fields = await window.PayKKaCardCheckoutEncryptedCard.encrypt();
      window.resolved = fields;
      const answer = await fetch('/card-checkout/pay', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fields),
      });
      const order = await answer.json();
      status.dataset.orderId = order.order_id;
      status.textContent = order.status;
      if (order.authentication_url) location.assign(order.authentication_url);
    } catch (err) {
      error.textContent = err.name + ' ' + err.code + ' ' + JSON.stringify(err.fields || {});
    }
  });
</script>
</body></html>`;

  const routes: ShopRoutes = async (req, res, url) => {
    if (req.method === 'GET' && url.pathname === '/card-checkout') {
      const nonce = randomBytes(16).toString('base64');
      const gateway = new URL(gw.baseUrl).origin;
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': `default-src 'none'; script-src ${gateway} 'nonce-${nonce}'; connect-src ${gateway} 'self'; base-uri 'none'; form-action 'self'`,
        })
        .end(page(nonce));
      return true;
    }
    if (req.method === 'POST' && url.pathname === '/card-checkout/pay') {
      const fields = JSON.parse(await bodyOf(req)) as Record<string, string>;
      received.push(fields);
      const order = await merchant.client.payments.create({
        trans_id: `card-checkout-${randomBytes(4).toString('hex')}`,
        payment_type: 'PURCHASE',
        currency: 'USD',
        amount: 2500,
        return_url: returnUrl(),
        payment: {
          payment_method: 'BANKCARD',
          encrypted_card_no: fields.encryptedCardNumber!,
          encrypted_exp_year: fields.encryptedExpireYear!,
          encrypted_exp_month: fields.encryptedExpireMonth!,
          encrypted_cvv: fields.encryptedCVV!,
        },
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          order_id: order.order_id,
          status: order.status,
          authentication_url: order.authentication_result?.authentication_url,
        }),
      );
      return true;
    }
    return false;
  };
  return { routes, received };
}
