/**
 * /v3/payment/acq/refund and /v3/payment/acq/refund/query: the refund object, as v1.2 answers
 * it. PayKKa's WooCommerce plugin reads a new refund's `refund_order_id` at the top level of the
 * answer, so the create answer carries it there as well as in `data`.
 */
import type { FastifyInstance } from 'fastify';
import { parseBody } from '../../../core/input/validate.ts';
import { ANSWERS_FROM_READS } from '../../../http/durable-reads.ts';
import { refundQuerySchema, refundSchema } from '../../../modules/refunds/schemas.ts';
import type { RefundService } from '../../../modules/refunds/service.ts';
import { refundView } from '../../../modules/refunds/view.ts';
import { sendOk } from '../envelope.ts';

export function refundRoutes(app: FastifyInstance, deps: { refunds: RefundService }): void {
  app.post('/v3/payment/acq/refund', async (request, reply) => {
    const auth = request.auth!;
    const refund = await deps.refunds.create(auth.merchant.merchant_id, parseBody(refundSchema, auth.body));
    const view = refundView(refund);
    return sendOk(reply, view, { refund_order_id: view.refund_order_id });
  });

  app.post('/v3/payment/acq/refund/query', ANSWERS_FROM_READS, async (request, reply) => {
    const auth = request.auth!;
    const refund = await deps.refunds.query(
      auth.merchant.merchant_id,
      parseBody(refundQuerySchema, auth.body),
    );
    return sendOk(reply, refundView(refund));
  });
}
