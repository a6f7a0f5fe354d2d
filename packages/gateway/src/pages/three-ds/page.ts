/**
 * The shopper's 3-D Secure page: who is asking, how much, which card, and the one-time code
 * (shown on the page, as a sandbox issuer would text it). Plain server-rendered HTML with no
 * script, in English or Chinese.
 */

import type { OrderRow } from '../../core/orders/order-row.ts';
import type { Locale } from '../../domain/locale.ts';
import { escapeHtml, formatAmount, layout } from '../layout.ts';

const TEXT = {
  en: {
    title: 'Confirm your payment',
    intro: 'Your bank asks you to confirm this purchase.',
    merchant: 'Merchant',
    amount: 'Amount',
    card: 'Card',
    codeLabel: 'One-time code',
    codeHint: 'Test issuer: your code is',
    wrong: 'That code is not right. Attempts left:',
    submit: 'Confirm payment',
    cancel: 'Cancel and fail authentication',
    done: 'This authentication is finished.',
    missing: 'This authentication does not exist.',
  },
  zh: {
    title: '确认您的付款',
    intro: '您的发卡行要求您确认此笔交易。',
    merchant: '商户',
    amount: '金额',
    card: '银行卡',
    codeLabel: '一次性验证码',
    codeHint: '测试发卡行：您的验证码是',
    wrong: '验证码不正确。剩余尝试次数：',
    submit: '确认付款',
    cancel: '取消并放弃验证',
    done: '此验证已结束。',
    missing: '此验证不存在。',
  },
} as const;

export function challengePage(args: {
  locale: Locale;
  /** The sandbox issuer's one-time code, shown as if texted to the shopper. */
  code: string;
  order: OrderRow;
  merchantName: string;
  attemptsLeft?: number;
}): string {
  const t = TEXT[args.locale];
  const { order } = args;
  const amount = formatAmount(order.amount, order.currency);
  const card = `${order.card_brand ?? ''} •••• ${order.card_last4 ?? ''}`.trim();
  const wrong =
    args.attemptsLeft === undefined
      ? ''
      : `<p class="error" role="alert">${t.wrong} ${args.attemptsLeft}</p>`;
  const body = `
    <h1>${t.title}</h1>
    <p>${t.intro}</p>
    <dl>
      <dt>${t.merchant}</dt><dd id="merchant">${escapeHtml(args.merchantName)}</dd>
      <dt>${t.amount}</dt><dd id="amount">${escapeHtml(amount)}</dd>
      <dt>${t.card}</dt><dd id="card">${escapeHtml(card)}</dd>
    </dl>
    <p class="hint">${t.codeHint} <strong id="otp">${escapeHtml(args.code)}</strong></p>
    ${wrong}
    <form method="post">
      <input type="hidden" name="lang" value="${args.locale}">
      <label for="code">${t.codeLabel}</label>
      <input id="code" class="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
      <button type="submit" name="action" value="complete">${t.submit}</button>
      <button type="submit" name="action" value="fail" class="secondary" formnovalidate>${t.cancel}</button>
    </form>`;
  return layout({ locale: args.locale, title: t.title, body });
}

export function messagePage(locale: Locale, key: 'done' | 'missing'): string {
  const t = TEXT[locale];
  return layout({ locale, title: t.title, body: `<h1>${t.title}</h1><p>${t[key]}</p>` });
}
