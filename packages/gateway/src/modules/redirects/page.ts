/**
 * The simulated bank or wallet page of a redirect payment method: who is asking, how much, by
 * which method, and three buttons (approve, decline, cancel). Plain server-rendered HTML with
 * no script.
 */
import { findCurrency, formatMajor } from '../../domain/money.ts';
import type { OrderRow } from '../payments/order-row.ts';

const METHOD_NAMES: Record<string, string> = {
  IDEAL: 'iDEAL',
  SOFORT: 'Sofort',
  EPS: 'EPS',
  P24: 'Przelewy24',
  BANCONTACT: 'Bancontact',
  ALIPAY_PLUS: 'Alipay+',
  WECHAT_PAY_GLOBAL: 'WeChat Pay',
};

export function redirectPage(order: OrderRow, merchantName: string): string {
  const currency = findCurrency(order.currency);
  const amount = currency
    ? `${formatMajor(order.amount, currency)} ${order.currency}`
    : `${order.amount} ${order.currency}`;
  const method = METHOD_NAMES[order.payment_method] ?? order.payment_method;
  const body = `
    <h1>Pay with ${escapeHtml(method)}</h1>
    <p>Test bank: choose how this payment ends.</p>
    <dl>
      <dt>Merchant</dt><dd id="merchant">${escapeHtml(merchantName)}</dd>
      <dt>Amount</dt><dd id="amount">${escapeHtml(amount)}</dd>
      <dt>Method</dt><dd id="method">${escapeHtml(method)}</dd>
    </dl>
    <form method="post">
      <button type="submit" name="action" value="approve">Approve payment</button>
      <button type="submit" name="action" value="decline" class="secondary">Decline</button>
      <button type="submit" name="action" value="cancel" class="secondary">Cancel and return to the shop</button>
    </form>`;
  return layout(`Pay with ${method}`, body);
}

export function redirectMessage(key: 'done' | 'missing'): string {
  const text = key === 'done' ? 'This payment is finished.' : 'This payment page does not exist.';
  return layout('Payment', `<h1>Payment</h1><p>${text}</p>`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #1c2230; margin: 0; }
  main { max-width: 420px; margin: 48px auto; background: #fff; padding: 28px; border-radius: 12px;
         box-shadow: 0 2px 12px rgba(20, 30, 60, .08); }
  h1 { font-size: 1.35rem; margin: 0 0 8px; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 6px 16px; margin: 20px 0; }
  dt { color: #5b6475; } dd { margin: 0; font-weight: 600; }
  button { width: 100%; margin-top: 14px; padding: 12px; font-size: 1rem; border-radius: 8px; border: 0;
           background: #2456d3; color: #fff; cursor: pointer; }
  button.secondary { background: transparent; color: #2456d3; border: 1px solid #2456d3; }
  @media (max-width: 480px) { main { margin: 0; border-radius: 0; min-height: 100vh; } }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
