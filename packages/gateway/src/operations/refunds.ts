/** A refund and reading one back: both answer the refund object. */
import { parseBody } from '../core/input/validate.ts';
import type { NotifyUrlCheck } from '../modules/notifications/outbound/policy.ts';
import { refundQuerySchema, refundSchema } from '../modules/refunds/schemas.ts';
import type { RefundService } from '../modules/refunds/service.ts';
import { refundView } from '../modules/refunds/view.ts';
import { changingMerchant } from './merchant.ts';
import type { Operation } from './types.ts';

export function refundOperations(deps: { refunds: RefundService; notifyUrls: NotifyUrlCheck }): {
  refund: Operation;
  queryRefund: Operation;
} {
  return {
    refund: {
      read: false,
      async run(call) {
        const input = parseBody(refundSchema, call.body);
        if (input.notify_url) await deps.notifyUrls.assertAllowed(input.notify_url);
        return refundView(await deps.refunds.create(changingMerchant(call), input));
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
