/**
 * The merchant's checkout page for the drop-in and embedded browser tests, served by the test's
 * shop (its own origin, not the gateway's) the way a PayKKa integration writes it: it loads
 * /cp/card-checkout-ui.js and /cp/style.css from the gateway under a strict
 * Content-Security-Policy, makes a PayKKaCheckout with the session id and client key its
 * server got, init()s it, and mounts a Card or DropIn. The page keeps what the library told it
 * in `window.events` (every callback, in order) and every message any frame posted to it in
 * `window.messages`, so a test can prove the card never reached the page.
 *
 * `GET /pay/<name>` serves the page registered under that name.
 */
import { randomBytes } from 'node:crypto';
import type { TestGateway } from '../helpers/gateway.ts';
import type { ShopRoutes } from './shop.ts';

export interface DropInPage {
  sessionId: string;
  clientKey: string;
  component: 'Card' | 'DropIn';
  hidePaymentButton?: boolean;
  locale?: string;
  returnUrl?: string;
  /** Like PayKKa's plugin: onSuccess sends the browser to payload.returnUrl. Else the library does. */
  onSuccess?: 'redirect' | 'record' | 'none';
  /** The shop's own pay button, calling card.ref.payment() (with hidePaymentButton). */
  shopButton?: boolean;
}

export interface DropInShop {
  routes: ShopRoutes;
  /** Registers a page; answers its path on the shop. */
  page(name: string, page: DropInPage): string;
}

export function dropInShop(gw: TestGateway): DropInShop {
  const pages = new Map<string, DropInPage>();
  const gateway = new URL(gw.baseUrl).origin;

  const html = (p: DropInPage, nonce: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lotus Tea House: checkout</title>
<link rel="stylesheet" href="${gateway}/cp/style.css">
</head>
<body>
<h1>Lotus Tea House</h1>
<p id="basket">2 × Tie Guan Yin</p>
<div id="paykka"></div>
${p.shopButton ? '<button id="shop-pay" type="button">Place order</button>' : ''}
<p id="outcome"></p>
<script src="${gateway}/cp/card-checkout-ui.js"></script>
<script nonce="${nonce}">
  const settings = ${JSON.stringify(p).replace(/</g, '\\u003c')};
  window.events = [];
  window.messages = [];
  // The test reads both through bindings, which outlive a navigation away from the page.
  window.addEventListener('message', (event) => {
    window.messages.push({ origin: event.origin, data: event.data });
    if (window.reportMessage) window.reportMessage({ origin: event.origin, data: event.data });
  });
  const record = (name) => (arg) => {
    window.events.push({ name, arg });
    if (window.report) window.report({ name, arg: JSON.parse(JSON.stringify(arg ?? null)) });
  };
  const ui = window.PayKKaCardCheckoutUI;
  const options = {
    sessionId: settings.sessionId,
    clientKey: settings.clientKey,
    env: 'sandbox',
    returnUrl: settings.returnUrl,
    hidePaymentButton: settings.hidePaymentButton,
    // PayKKa's own hosts, as an unmodified integration sends them: openkka ignores them.
    _envConfig: { api: 'https://checkout-sandbox.aq.paykka.com', cdn: 'https://checkout-sandbox.aq.paykka.com/cp' },
    onInitError: record('onInitError'),
    onExpired: record('onExpired'),
    onError: record('onError'),
    onTimeout: record('onTimeout'),
    onPaymentMethodsReady: record('onPaymentMethodsReady'),
    onSubmit: record('onSubmit'),
  };
  if (settings.locale) options.locale = settings.locale;
  if (settings.onSuccess === 'redirect') {
    options.onSuccess = (payload) => {
      record('onSuccess')(payload);
      location.href = payload.returnUrl || settings.returnUrl;
    };
  } else if (settings.onSuccess === 'record') {
    options.onSuccess = record('onSuccess');
  }
  const checkout = new ui.PayKKaCheckout(options);
  checkout
    .init()
    .then(() => {
      window.card = checkout.create(ui[settings.component], {
        showCardBrands: true,
        cardInfoLayout: 'combine',
        showHolderName: false,
        hidePaymentButton: settings.hidePaymentButton,
      });
      window.card.mount('#paykka');
    })
    .catch((err) => {
      window.initFailed = err.code;
    });
  const button = document.getElementById('shop-pay');
  if (button) {
    button.addEventListener('click', () => {
      window.card.ref.payment().then(
        (result) => { document.getElementById('outcome').textContent = 'paid ' + result.status; },
        (err) => { document.getElementById('outcome').textContent = 'refused ' + err.code; },
      );
    });
  }
</script>
</body></html>`;

  const routes: ShopRoutes = async (req, res, url) => {
    const name = url.pathname.startsWith('/pay/') ? url.pathname.slice(5) : undefined;
    const p = name === undefined ? undefined : pages.get(name);
    if (req.method !== 'GET' || !p) return false;
    const nonce = randomBytes(16).toString('base64');
    res
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': `default-src 'none'; script-src ${gateway} 'nonce-${nonce}'; style-src ${gateway}; frame-src ${gateway}; connect-src ${gateway}; base-uri 'none'; form-action 'self'`,
      })
      .end(html(p, nonce));
    return true;
  };
  return {
    routes,
    page(name, page) {
      pages.set(name, page);
      return `/pay/${name}`;
    },
  };
}
