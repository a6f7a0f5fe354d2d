/** A refund and reading one back: both answer the refund object. */
import { parseBody } from '../core/input/validate.ts';
import { refundQuerySchema, refundSchema } from '../modules/refunds/schemas.ts';
import type { RefundService } from '../modules/refunds/service.ts';
import { refundView } from '../modules/refunds/view.ts';
import type { Operation } from './types.ts';

export function refundOperations(deps: { refunds: RefundService }): {
  refund: Operation;
  queryRefund: Operation;
} {
  return {
    refund: {
      read: false,
      async run({ merchant, body }) {
        return refundView(await deps.refunds.create(merchant.merchant_id, parseBody(refundSchema, body)));
      },
    },
    queryRefund: {
      read: true,
      async run({ merchant, body }) {
        const query = parseBody(refundQuerySchema, body);
        return refundView(await deps.refunds.query(merchant.merchant_id, query));
      },
    },
  };
}
