/**
 * Notifications as the operator sees them: where each went, its state, and every attempt with
 * its time, HTTP status, outcome (what the receiver's answer was judged to be), the start of
 * that answer, the timestamp it was signed with and the request id it carried (the API request
 * that caused the event); a redeliver button on each.
 */

import { withoutCredentials } from '../../modules/notifications/outbound/credentials.ts';
import type { AttemptRow, NotificationRow } from '../../modules/notifications/repo.ts';
import { escapeHtml } from '../layout.ts';
import { merchantLink, paymentLink } from './payments-page.ts';
import { actionButton, BASE, t, type View, when } from './shell.ts';

type Shown = NotificationRow & { attempt_log?: AttemptRow[] };

export function notificationsTable(
  view: View,
  rows: Shown[],
  options: { orderColumn?: boolean } = {},
): string {
  if (rows.length === 0) return `<p class="muted">${t(view, 'none')}</p>`;
  const head = `<tr><th>${t(view, 'col.time')}</th>${options.orderColumn ? `<th>${t(view, 'col.order')}</th><th>${t(view, 'col.merchant')}</th>` : ''}<th>${t(view, 'col.type')}</th><th>${t(view, 'col.url')}</th><th>${t(view, 'col.status')}</th><th>${t(view, 'col.attempts')}</th><th>${t(view, 'col.next')}</th><th>${t(view, 'col.error')}</th><th></th></tr>`;
  const body = rows
    .map((n) => {
      const order = options.orderColumn
        ? `<td>${paymentLink(n.order_id)}</td><td>${merchantLink(n.merchant_id)}</td>`
        : '';
      const redeliver = actionButton(
        view,
        `${BASE}/notifications/${encodeURIComponent(n.notify_id)}/redeliver`,
        t(view, 'redeliver'),
      );
      const line = `<tr class="notification" data-notify-id="${escapeHtml(n.notify_id)}"><td>${when(view, n.created_at)}</td>${order}<td>${escapeHtml(n.notify_type)}</td><td class="url">${escapeHtml(withoutCredentials(n.url))}</td><td><span class="status n-${n.status}">${n.status}</span></td><td class="num">${n.attempts}</td><td>${when(view, n.next_attempt_at)}</td><td class="excerpt">${escapeHtml(n.last_error ?? '')}</td><td>${redeliver}</td></tr>`;
      return n.attempt_log ? line + attempts(view, n.attempt_log, options.orderColumn ? 9 : 7) : line;
    })
    .join('\n');
  return `<table class="notifications"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function attempts(view: View, log: AttemptRow[], span: number): string {
  if (log.length === 0) return '';
  const rows = log
    .map(
      (a) =>
        `<tr class="attempt"><td>#${a.attempt}</td><td>${when(view, a.started_at)}</td><td>${a.http_status ?? '—'}</td><td>${escapeHtml(a.error ?? 'OK')}</td><td class="excerpt">${escapeHtml(a.answer_excerpt ?? '')}</td><td>${a.started_at}</td><td>${a.latency_ms} ms</td><td class="request-id">${escapeHtml(a.request_id ?? '—')}</td></tr>`,
    )
    .join('');
  return `<tr class="attempts"><td></td><td colspan="${span}"><table class="inner"><thead><tr><th></th><th>${t(view, 'col.time')}</th><th>${t(view, 'col.http')}</th><th>${t(view, 'col.outcome')}</th><th>${t(view, 'col.answer')}</th><th>${t(view, 'col.signedAt')}</th><th>${t(view, 'col.latency')}</th><th>${t(view, 'col.requestId')}</th></tr></thead><tbody>${rows}</tbody></table></td></tr>`;
}
