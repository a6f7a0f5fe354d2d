/** /payments and /payments/query: parse, hand to the service, answer the order object. */
import type { FastifyInstance } from 'fastify';
import { parseBody } from '../../../core/input/validate.ts';
import type { OrderRow } from '../../../core/orders/order-row.ts';
import { orderView } from '../../../core/orders/view.ts';
import type { Clock } from '../../../domain/clock.ts';
import { ApiError } from '../../../domain/errors.ts';
import type { TimeZone } from '../../../domain/time-zone.ts';
import { ANSWERS_FROM_READS } from '../../../http/durable-reads.ts';
import { publicUrl } from '../../../http/public-url.ts';
import {
  checkPaymentRules,
  createPaymentSchema,
  queryPaymentSchema,
} from '../../../modules/payments/schemas.ts';
import type { PaymentService } from '../../../modules/payments/service.ts';
import type { SessionService } from '../../../modules/sessions/service.ts';
import { sendOk } from '../envelope.ts';

export function paymentRoutes(
  app: FastifyInstance,
  deps: {
    payments: PaymentService;
    sessions: SessionService;
    clock: Clock;
    timeZone: TimeZone;
    publicUrl: string | undefined;
  },
): void {
  const createSchema = createPaymentSchema(deps.timeZone);
  const view = (order: OrderRow) => orderView(order, deps.timeZone);

  app.post('/payments', async (request, reply) => {
    const auth = request.auth!;
    const input = checkPaymentRules(parseBody(createSchema, auth.body));
    const order = await deps.payments.create(auth.merchant, input, publicUrl(request, deps.publicUrl));
    return sendOk(reply, deps.clock, view(order));
  });

  app.post('/payments/query', ANSWERS_FROM_READS, async (request, reply) => {
    const auth = request.auth!;
    const query = parseBody(queryPaymentSchema, auth.body);
    if (!query.trans_id && !query.order_id) {
      const paid = await deps.sessions.paidOrder(auth.merchant.merchant_id, query.session_id!);
      return sendOk(reply, deps.clock, view(paid));
    }
    const order = await deps.payments.query(auth.merchant.merchant_id, query);
    // All identifiers given must name the same order.
    if (query.session_id && order.session_id !== query.session_id) throw new ApiError('ORDER_NOT_FOUND');
    return sendOk(reply, deps.clock, view(order));
  });
}
