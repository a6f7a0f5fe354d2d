/** GET /dashboard/payments (the filtered list) and GET /dashboard/payments/:id (one payment). */
import type { FastifyInstance } from 'fastify';
import type { OrderRepo } from '../../core/orders/repo.ts';
import type { DashboardPayments } from '../../modules/dashboard/payments.ts';
import type { NotificationService } from '../../modules/notifications/service.ts';
import type { SessionRepo } from '../../modules/sessions/repo.ts';
import { errorPage } from './error-page.ts';
import { type FilterForm, readFilter } from './payment-filter.ts';
import { paymentPage } from './payment-page.ts';
import { paymentsPage } from './payments-page.ts';
import { authorized, type Guard } from './session.ts';
import { BASE, sendDashboard } from './shell.ts';
import { textOf } from './text.ts';

export interface PaymentPagesDeps extends Guard {
  payments: DashboardPayments;
  orders: OrderRepo;
  notifications: NotificationService;
  checkoutSessions: Pick<SessionRepo, 'orderDetails'>;
}

export function paymentRoutes(app: FastifyInstance, deps: PaymentPagesDeps): void {
  app.get(BASE, async (_request, reply) => reply.code(303).header('location', `${BASE}/payments`).send());

  app.get(`${BASE}/payments`, async (request, reply) => {
    const ok = await authorized(deps, request, reply);
    if (!ok) return reply;
    const query = stringsOf(request.query);
    const { filter, problems } = readFilter(query, deps.zone);
    const { rows, next } = problems.length ? { rows: [], next: undefined } : await deps.payments.list(filter);
    return sendDashboard(
      reply,
      problems.length ? 400 : 200,
      paymentsPage(ok.view, { query, rows, next, problems }),
    );
  });

  app.get(`${BASE}/payments/:id`, async (request, reply) => {
    const ok = await authorized(deps, request, reply);
    if (!ok) return reply;
    const { id } = request.params as { id: string };
    const order = await deps.orders.byOrderIdAny(id);
    if (!order) return sendDashboard(reply, 404, errorPage(ok.view.locale, 'error.missing'));
    const [events, refunds, challenge, listed, details] = await Promise.all([
      deps.orders.events(id),
      deps.payments.refunds(id),
      // Only an order that went through 3-D Secure has a challenge; the table has no order index.
      order.authentication_result !== null || order.status === 'PROCESSING'
        ? deps.payments.challenge(id)
        : undefined,
      deps.notifications.list({ orderId: id, limit: 100 }),
      order.session_id ? deps.checkoutSessions.orderDetails(order.merchant_id, order.session_id) : null,
    ]);
    const notifications = await Promise.all(listed.map((n) => deps.notifications.get(n.notify_id)));
    notifications.sort((a, b) => a.event_seq - b.event_seq);
    const done = (request.query as { done?: string }).done;
    const notice = done === 'redelivered' ? textOf(ok.view.locale, 'redelivered') : undefined;
    return sendDashboard(
      reply,
      200,
      paymentPage(ok.view, { order, events, refunds, challenge, notifications, details, notice }),
    );
  });
}

/** The query's single string values; a repeated or odd-typed parameter counts as absent. */
export function stringsOf(query: unknown): FilterForm {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>))
    if (typeof v === 'string') out[k] = v;
  return out;
}
