/** /payments/refund and /payments/refund/query: both answer the refund object. */
import type { FastifyInstance } from 'fastify';
import { parseBody } from '../../../core/input/validate.ts';
import type { Clock } from '../../../domain/clock.ts';
import { ANSWERS_FROM_READS } from '../../../http/durable-reads.ts';
import { refundQuerySchema, refundSchema } from '../../../modules/refunds/schemas.ts';
import type { RefundService } from '../../../modules/refunds/service.ts';
import { refundView } from '../../../modules/refunds/view.ts';
import { sendOk } from '../envelope.ts';

export function refundRoutes(app: FastifyInstance, deps: { refunds: RefundService; clock: Clock }): void {
  app.post('/payments/refund', async (request, reply) => {
    const auth = request.auth!;
    const refund = await deps.refunds.create(auth.merchant.merchant_id, parseBody(refundSchema, auth.body));
    return sendOk(reply, deps.clock, refundView(refund));
  });

  app.post('/payments/refund/query', ANSWERS_FROM_READS, async (request, reply) => {
    const auth = request.auth!;
    const refund = await deps.refunds.query(
      auth.merchant.merchant_id,
      parseBody(refundQuerySchema, auth.body),
    );
    return sendOk(reply, deps.clock, refundView(refund));
  });
}
