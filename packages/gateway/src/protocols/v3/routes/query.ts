/**
 * /v3/payment/acq/query: the order by order_id, trans_id or session_id, as v1.2's
 * /payments/query answers it. A checkout session that has no payment yet is not an error in
 * v3: the answer is `000000` with `data.error_code` 4032 (docs/api.md#v3), which PayKKa's
 * WooCommerce plugin reads as "not paid yet".
 */
import type { FastifyInstance } from 'fastify';
import { parseBody } from '../../../core/input/validate.ts';
import type { OrderRow } from '../../../core/orders/order-row.ts';
import { orderView } from '../../../core/orders/view.ts';
import { ApiError } from '../../../domain/errors.ts';
import type { TimeZone } from '../../../domain/time-zone.ts';
import { ANSWERS_FROM_READS } from '../../../http/durable-reads.ts';
import { queryPaymentSchema } from '../../../modules/payments/schemas.ts';
import type { PaymentService } from '../../../modules/payments/service.ts';
import type { SessionService, SessionState } from '../../../modules/sessions/service.ts';
import { NOT_PAID_YET } from '../../../operations/answers.ts';
import { sendOk } from '../envelope.ts';

const isNotFound = (err: unknown) =>
  err instanceof ApiError && (err.kind === 'ORDER_NOT_FOUND' || err.kind === 'SESSION_NOT_FOUND');

export function queryRoute(
  app: FastifyInstance,
  deps: { payments: PaymentService; sessions: SessionService; timeZone: TimeZone },
): void {
  const view = (order: OrderRow) => orderView(order, deps.timeZone);
  const unpaid = ({ session }: SessionState) => ({
    merchant_id: session.merchant_id,
    trans_id: session.trans_id,
    session_id: session.session_id,
    // A session still open is a payment in progress; an expired or canceled one says so.
    status: session.status === 'OPEN' ? 'PROCESSING' : session.status,
    ...NOT_PAID_YET,
  });

  app.post('/query', ANSWERS_FROM_READS, async (request, reply) => {
    const merchantId = request.auth!.merchant.merchant_id;
    const query = parseBody(queryPaymentSchema, request.auth!.body);
    if (!query.trans_id && !query.order_id) {
      const state = await deps.sessions.query(merchantId, { session_id: query.session_id! });
      return sendOk(reply, state.order ? view(state.order) : unpaid(state));
    }
    try {
      const order = await deps.payments.query(merchantId, query);
      if (query.session_id && order.session_id !== query.session_id) throw new ApiError('ORDER_NOT_FOUND');
      return sendOk(reply, view(order));
    } catch (err) {
      // A trans_id that names a session not paid yet.
      if (!isNotFound(err) || !query.trans_id || query.order_id) throw err;
      const state = await deps.sessions
        .query(merchantId, { trans_id: query.trans_id })
        .catch(() => undefined);
      if (!state || state.order) throw err;
      return sendOk(reply, unpaid(state));
    }
  });
}
