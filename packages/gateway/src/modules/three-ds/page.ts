/**
 * The shopper's 3-D Secure page: who is asking, how much, which card, and the one-time code
 * (shown on the page, as a sandbox issuer would text it). Plain server-rendered HTML with no
 * script, in English or Chinese.
 */
import { findCurrency, formatMajor } from '../../domain/money.ts';
import type { OrderRow } from '../payments/order-row.ts';
import type { ChallengeRow } from './repo.ts';

type Locale = 'en' | 'zh';

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

/** `?lang=zh`, else the browser's Accept-Language; English otherwise. */
export function pickLocale(query: string | undefined, acceptLanguage: string | undefined): Locale {
  const wanted = (query ?? acceptLanguage ?? '').toLowerCase();
  return wanted.startsWith('zh') ? 'zh' : 'en';
}

export function challengePage(args: {
  locale: Locale;
  challenge: ChallengeRow;
  order: OrderRow;
  merchantName: string;
  attemptsLeft?: number;
}): string {
  const t = TEXT[args.locale];
  const { challenge, order } = args;
  const currency = findCurrency(order.currency);
  const amount = currency
    ? `${formatMajor(order.amount, currency)} ${order.currency}`
    : `${order.amount} ${order.currency}`;
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
    <p class="hint">${t.codeHint} <strong id="otp">${challenge.otp}</strong></p>
    ${wrong}
    <form method="post">
      <input type="hidden" name="lang" value="${args.locale}">
      <label for="code">${t.codeLabel}</label>
      <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
      <button type="submit" name="action" value="complete">${t.submit}</button>
      <button type="submit" name="action" value="fail" class="secondary" formnovalidate>${t.cancel}</button>
    </form>`;
  return layout(args.locale, t.title, body);
}

export function messagePage(locale: Locale, key: 'done' | 'missing'): string {
  const t = TEXT[locale];
  return layout(locale, t.title, `<h1>${t.title}</h1><p>${t[key]}</p>`);
}

function layout(locale: Locale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; background: #f4f5f7; margin: 0; color: #1d2330; }
  main { max-width: 420px; margin: 48px auto; background: #fff; border-radius: 12px; padding: 28px 32px;
         box-shadow: 0 4px 24px rgba(20, 30, 60, .08); }
  h1 { font-size: 1.35rem; margin: 0 0 8px; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 6px 16px; margin: 20px 0; }
  dt { color: #5b6475; } dd { margin: 0; font-weight: 600; }
  .hint { background: #eef4ff; padding: 10px 12px; border-radius: 8px; }
  .error { color: #b42318; }
  label { display: block; margin: 16px 0 6px; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; font-size: 1.2rem; padding: 10px; letter-spacing: .3em;
          border: 1px solid #c5cad3; border-radius: 8px; }
  button { width: 100%; margin-top: 14px; padding: 12px; font-size: 1rem; border-radius: 8px; border: 0;
           background: #2456d3; color: #fff; cursor: pointer; }
  button.secondary { background: transparent; color: #2456d3; border: 1px solid #2456d3; }
  @media (max-width: 480px) { main { margin: 0; border-radius: 0; min-height: 100vh; } }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

// Named escapeHtml, not escape: the old name shadowed the global escape() and failed `biome check`.
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
