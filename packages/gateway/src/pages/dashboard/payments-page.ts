/** The payments list: the filter form, one page of payments newest first, and the way to the next page. */
import type { OrderRow } from '../../core/orders/order-row.ts';
import { ORDER_STATUSES } from '../../domain/order.ts';
import { PAYMENT_METHODS } from '../../domain/payment-methods.ts';
import { escapeHtml, formatAmount } from '../layout.ts';
import { FILTER_FIELDS, type FilterForm } from './payment-filter.ts';
import { BASE, shell, t, type View, when } from './shell.ts';
import { textOf } from './text.ts';

/** Only brand, BIN and last four digits: the dashboard never holds more of a card. */
export function cardOf(row: Pick<OrderRow, 'card_brand' | 'card_bin' | 'card_last4'>): string {
  if (row.card_last4 === null) return '—';
  return escapeHtml(`${row.card_brand ?? ''} ${row.card_bin ?? ''}••••${row.card_last4}`.trim());
}

export const merchantLink = (merchantId: string) =>
  `<a href="${BASE}/merchants/${encodeURIComponent(merchantId)}">${escapeHtml(merchantId)}</a>`;

export const paymentLink = (orderId: string) =>
  `<a href="${BASE}/payments/${encodeURIComponent(orderId)}">${escapeHtml(orderId)}</a>`;

export function paymentsPage(
  view: View,
  args: { query: FilterForm; rows: OrderRow[]; next: string | undefined; problems: string[] },
): string {
  const { query } = args;
  const value = (name: keyof FilterForm) => escapeHtml(query[name] ?? '');
  const input = (name: keyof FilterForm, key: Parameters<typeof t>[1], type = 'text') =>
    `<label>${t(view, key)}<input name="${name}" type="${type}" value="${value(name)}"></label>`;
  const select = (name: keyof FilterForm, key: Parameters<typeof t>[1], options: readonly string[]) =>
    `<label>${t(view, key)}<select name="${name}"><option value="">${t(view, 'any')}</option>${options
      .map((o) => `<option${query[name] === o ? ' selected' : ''}>${o}</option>`)
      .join('')}</select></label>`;
  const form = `<form method="get" action="${BASE}/payments" class="filters">
${input('q', 'filter.search', 'search')}${input('merchant', 'filter.merchant')}
${select('status', 'filter.status', ORDER_STATUSES)}${select('method', 'filter.method', PAYMENT_METHODS)}
${input('min', 'filter.min')}${input('max', 'filter.max')}
${input('from', 'filter.from', 'date')}${input('to', 'filter.to', 'date')}
<div class="buttons"><button type="submit">${t(view, 'filter.apply')}</button> <a href="${BASE}/payments">${t(view, 'filter.clear')}</a></div>
</form>`;
  const problems = args.problems.length
    ? `<ul class="error" role="alert">${args.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`
    : '';
  const rows = args.rows
    .map(
      (r) =>
        `<tr><td>${when(view, r.created_at)}</td><td>${paymentLink(r.order_id)}</td><td>${escapeHtml(r.trans_id)}</td><td>${merchantLink(r.merchant_id)}</td><td class="num">${escapeHtml(formatAmount(r.amount, r.currency))}</td><td><span class="status s-${r.status}">${r.status}</span></td><td>${r.payment_method}</td><td>${cardOf(r)}</td></tr>`,
    )
    .join('\n');
  const kept = new URLSearchParams();
  for (const name of FILTER_FIELDS) if (query[name]) kept.set(name, query[name]);
  const pages = [
    query.before
      ? `<a href="${BASE}/payments?${escapeHtml(kept.toString())}">${t(view, 'page.first')}</a>`
      : '',
    args.next
      ? `<a rel="next" href="${BASE}/payments?${escapeHtml(new URLSearchParams([...kept, ['before', args.next]]).toString())}">${t(view, 'page.next')}</a>`
      : '',
  ].join(' ');
  const table = args.rows.length
    ? `<table class="payments"><thead><tr><th>${t(view, 'col.time')}</th><th>${t(view, 'col.order')}</th><th>${t(view, 'col.trans')}</th><th>${t(view, 'col.merchant')}</th><th>${t(view, 'col.amount')}</th><th>${t(view, 'col.status')}</th><th>${t(view, 'col.method')}</th><th>${t(view, 'col.card')}</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<p class="muted">${t(view, 'none')}</p>`;
  return shell(view, {
    title: textOf(view.locale, 'nav.payments'),
    body: `${form}${problems}${table}<p class="pages">${pages}</p>`,
  });
}
