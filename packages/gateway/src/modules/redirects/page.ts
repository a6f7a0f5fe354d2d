/**
 * The simulated bank or wallet page of a redirect payment method: who is asking, how much, by
 * which method, and three buttons (approve, decline, cancel). Plain server-rendered HTML with
 * no script.
 */
import { escapeHtml, formatAmount, layout } from '../../pages/layout.ts';
import type { OrderRow } from '../payments/order-row.ts';

export const METHOD_NAMES: Record<string, string> = {
  IDEAL: 'iDEAL',
  SOFORT: 'Sofort',
  EPS: 'EPS',
  P24: 'Przelewy24',
  BANCONTACT: 'Bancontact',
  ALIPAY_PLUS: 'Alipay+',
  WECHAT_PAY_GLOBAL: 'WeChat Pay',
};

export function redirectPage(order: OrderRow, merchantName: string): string {
  const amount = formatAmount(order.amount, order.currency);
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
  return layout({ locale: 'en', title: `Pay with ${method}`, body });
}

export function redirectMessage(key: 'done' | 'missing'): string {
  const text = key === 'done' ? 'This payment is finished.' : 'This payment page does not exist.';
  return layout({ locale: 'en', title: 'Payment', body: `<h1>Payment</h1><p>${text}</p>` });
}
