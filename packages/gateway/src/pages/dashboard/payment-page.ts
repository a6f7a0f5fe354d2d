/**
 * A payment's page: its details, balances, timeline (creation, 3-D Secure, every event of the
 * order, the reconciler's questions), refunds, and every notification with each attempt.
 */
import type { OrderEvent, OrderRow } from '../../core/orders/order-row.ts';
import { amountsOf } from '../../core/orders/order-row.ts';
import { balances } from '../../domain/order.ts';
import type { OrderDetails } from '../../domain/order-details.ts';
import type { ChallengeLine, RefundLine } from '../../modules/dashboard/payments.ts';
import type { AttemptRow, NotificationRow } from '../../modules/notifications/repo.ts';
import { escapeHtml, formatAmount } from '../layout.ts';
import { notificationsTable } from './notifications-table.ts';
import { cardOf, merchantLink } from './payments-page.ts';
import { shell, t, type View, when } from './shell.ts';
import { type TextKey, textOf } from './text.ts';

export interface PaymentPageData {
  order: OrderRow;
  events: OrderEvent[];
  refunds: RefundLine[];
  challenge: ChallengeLine | undefined;
  notifications: (NotificationRow & { attempt_log: AttemptRow[] })[];
  /** The goods of the checkout session it was paid through, if any. */
  details: OrderDetails | null;
  notice?: string | undefined;
}

export function paymentPage(view: View, data: PaymentPageData): string {
  const { order } = data;
  const money = (amount: number) => escapeHtml(formatAmount(amount, order.currency));
  const dl = (pairs: [TextKey, string][]) =>
    `<dl>${pairs.map(([k, v]) => `<dt>${t(view, k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
  const details = dl([
    ['col.merchant', merchantLink(order.merchant_id)],
    ['col.trans', escapeHtml(order.trans_id)],
    ['col.amount', money(order.amount)],
    ['col.status', `<span class="status s-${order.status}">${order.status}</span>`],
    ['col.method', order.payment_method],
    ['col.card', cardOf(order)],
    ['payment.error', `${escapeHtml(order.error_code)} ${escapeHtml(order.error_description)}`],
    ['payment.session', escapeHtml(order.session_id ?? '—')],
    ['payment.shopper', escapeHtml(order.shopper_reference ?? '—')],
    ['col.time', when(view, order.created_at)],
    ['payment.expires', when(view, order.expire_at)],
  ]);
  const b = balances(amountsOf(order));
  const balanceList = dl([
    ['balance.authorized', money(b.authed_amount)],
    ['balance.captured', money(b.captured_amount)],
    ['balance.capturable', money(b.able_to_capture_amount)],
    ['balance.voided', money(b.voided_amount)],
    ['balance.refunded', money(b.refunded_amount)],
    ['balance.refunding', money(b.refunding_amount)],
    ['balance.refundable', money(b.able_to_refund_amount)],
  ]);
  const refunds = data.refunds.length
    ? `<table><thead><tr><th>${t(view, 'col.time')}</th><th>${t(view, 'col.order')}</th><th>${t(view, 'col.trans')}</th><th>${t(view, 'col.amount')}</th><th>${t(view, 'col.status')}</th><th>${t(view, 'col.reason')}</th></tr></thead><tbody>${data.refunds
        .map(
          (r) =>
            `<tr><td>${when(view, r.created_at)}</td><td>${escapeHtml(r.refund_order_id)}</td><td>${escapeHtml(r.refund_trans_id)}</td><td class="num">${escapeHtml(formatAmount(r.amount, r.currency))}</td><td>${escapeHtml(r.status)} ${escapeHtml(r.error_code)}</td><td>${escapeHtml(r.reason ?? '')}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p class="muted">${t(view, 'none')}</p>`;
  const notice = data.notice ? `<p class="notice" role="status">${escapeHtml(data.notice)}</p>` : '';
  return shell(view, {
    title: `${textOf(view.locale, 'payment.title')} ${order.order_id}`,
    body: `${notice}<div class="columns"><section><h2>${t(view, 'payment.details')}</h2>${details}</section>
<section><h2>${t(view, 'payment.balances')}</h2>${balanceList}</section></div>
${goods(view, data)}<section><h2>${t(view, 'payment.timeline')}</h2>${timeline(view, data)}</section>
<section><h2>${t(view, 'payment.refunds')}</h2>${refunds}</section>
<section id="notifications"><h2>${t(view, 'payment.notifications')}</h2>${notificationsTable(view, data.notifications)}</section>`,
  });
}

interface Step {
  at: number;
  key: TextKey;
  detail: string;
}

/** What happened to the order, oldest first: its events as recorded, with what led up to them. */
function timeline(view: View, data: PaymentPageData): string {
  const { order } = data;
  const steps: Step[] = [
    { at: order.created_at, key: 'event.CREATED', detail: escapeHtml(order.payment_method) },
  ];
  if (data.challenge) {
    const c = data.challenge;
    steps.push({
      at: c.updated_at,
      key: 'event.THREE_DS',
      detail: escapeHtml(`${c.status}, ${c.attempts} attempt(s)`),
    });
  }
  if (order.reconcile_attempts > 0) {
    steps.push({ at: order.updated_at, key: 'event.RECONCILE', detail: `× ${order.reconcile_attempts}` });
  }
  for (const e of data.events) {
    const refund = e.refund_order_id ? ` (${escapeHtml(e.refund_order_id)})` : '';
    steps.push({
      at: e.created_at,
      key: `event.${e.type}` as TextKey,
      detail: `${escapeHtml(formatAmount(e.amount, order.currency))} → ${escapeHtml(e.status)}${refund}`,
    });
  }
  steps.sort((a, b) => a.at - b.at);
  return `<ol class="timeline">${steps
    .map(
      (s) =>
        `<li><time>${when(view, s.at)}</time> <strong>${t(view, s.key)}</strong> <span>${s.detail}</span></li>`,
    )
    .join('')}</ol>`;
}

/** The session's goods, as the merchant named them: text, escaped like every merchant string. */
function goods(view: View, data: PaymentPageData): string {
  const lines = data.details?.goods ?? [];
  if (lines.length === 0) return '';
  const rows = lines
    .map(
      (g) =>
        `<tr><td>${escapeHtml(g.name)}</td><td class="num">${g.quantity}</td><td class="num">${escapeHtml(formatAmount(g.price, data.order.currency))}</td></tr>`,
    )
    .join('');
  return `<section><h2>${t(view, 'payment.goods')}</h2><table class="goods"><thead><tr><th>${t(view, 'col.name')}</th><th>${t(view, 'col.quantity')}</th><th>${t(view, 'col.amount')}</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}
