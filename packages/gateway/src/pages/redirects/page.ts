/**
 * The simulated bank or wallet page of a redirect payment method: who is asking, how much, by
 * which method, and three buttons (approve, decline, cancel). Plain server-rendered HTML with
 * no script, in English or Chinese (`?lang=zh` or the browser's Accept-Language).
 */

import type { OrderRow } from '../../core/orders/order-row.ts';
import type { Locale } from '../../domain/locale.ts';
import { METHOD_NAMES } from '../../domain/payment-methods.ts';
import { escapeHtml, formatAmount, layout } from '../layout.ts';

const TEXT = {
  en: {
    title: (method: string) => `Pay with ${method}`,
    intro: 'Test bank: choose how this payment ends.',
    merchant: 'Merchant',
    amount: 'Amount',
    method: 'Method',
    approve: 'Approve payment',
    decline: 'Decline',
    cancel: 'Cancel and return to the shop',
    page: 'Payment',
    done: 'This payment is finished.',
    missing: 'This payment page does not exist.',
  },
  zh: {
    title: (method: string) => `使用 ${method} 付款`,
    intro: '测试银行：请选择此笔付款的结果。',
    merchant: '商户',
    amount: '金额',
    method: '支付方式',
    approve: '批准付款',
    decline: '拒绝',
    cancel: '取消并返回商户',
    page: '付款',
    done: '此笔付款已结束。',
    missing: '此付款页面不存在。',
  },
} as const;

export function redirectPage(order: OrderRow, merchantName: string, locale: Locale): string {
  const t = TEXT[locale];
  const amount = formatAmount(order.amount, order.currency);
  const method = METHOD_NAMES[order.payment_method] ?? order.payment_method;
  const title = t.title(method);
  const body = `
    <h1>${escapeHtml(title)}</h1>
    <p>${t.intro}</p>
    <dl>
      <dt>${t.merchant}</dt><dd id="merchant">${escapeHtml(merchantName)}</dd>
      <dt>${t.amount}</dt><dd id="amount">${escapeHtml(amount)}</dd>
      <dt>${t.method}</dt><dd id="method">${escapeHtml(method)}</dd>
    </dl>
    <form method="post">
      <input type="hidden" name="lang" value="${locale}">
      <button type="submit" name="action" value="approve">${t.approve}</button>
      <button type="submit" name="action" value="decline" class="secondary">${t.decline}</button>
      <button type="submit" name="action" value="cancel" class="secondary">${t.cancel}</button>
    </form>`;
  return layout({ locale, title, body });
}

export function redirectMessage(key: 'done' | 'missing', locale: Locale): string {
  const t = TEXT[locale];
  return layout({ locale, title: t.page, body: `<h1>${t.page}</h1><p>${t[key]}</p>` });
}
