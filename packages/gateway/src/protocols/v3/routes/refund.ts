/**
 * /v3/payment/acq/refund: the refund object, as v1.2 answers it. PayKKa's WooCommerce plugin
 * reads a new refund's `refund_order_id` at the top level of the answer, so it is there as well
 * as in `data`.
 */
import type { FastifyInstance } from 'fastify';
import type { Operations } from '../../../operations/index.ts';
import { sendOk } from '../envelope.ts';
import type { CallOf } from './api.ts';

export function refundRoute(app: FastifyInstance, deps: { operations: Operations; callOf: CallOf }): void {
  app.post('/refund', async (request, reply) => {
    const refund = (await deps.operations.refund.run(deps.callOf(request))) as { refund_order_id: string };
    return sendOk(reply, refund, { refund_order_id: refund.refund_order_id });
  });
}
