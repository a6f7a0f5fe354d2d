/** Taking a payment and reading one back: both answer the order object. */
import { parseBody } from '../core/input/validate.ts';
import { orderView } from '../core/orders/view.ts';
import { ApiError } from '../domain/errors.ts';
import type { TimeZone } from '../domain/time-zone.ts';
import type { NotifyUrlCheck } from '../modules/notifications/outbound/policy.ts';
import { checkPaymentRules, createPaymentSchema, queryPaymentSchema } from '../modules/payments/schemas.ts';
import type { PaymentService } from '../modules/payments/service.ts';
import type { SessionService } from '../modules/sessions/service.ts';
import { requestMerchant } from './merchant.ts';
import type { Operation } from './types.ts';

export function paymentOperations(deps: {
  payments: PaymentService;
  sessions: SessionService;
  notifyUrls: NotifyUrlCheck;
  timeZone: TimeZone;
}): { pay: Operation; queryPayment: Operation } {
  const createSchema = createPaymentSchema(deps.timeZone);
  return {
    pay: {
      read: false,
      async run(call) {
        const input = checkPaymentRules(parseBody(createSchema, call.body));
        if (input.notify_url) await deps.notifyUrls.assertAllowed(input.notify_url);
        const order = await deps.payments.create(requestMerchant(call), input, call.publicUrl());
        return orderView(order, deps.timeZone);
      },
    },
    queryPayment: {
      read: true,
      async run({ merchant, body }) {
        const query = parseBody(queryPaymentSchema, body);
        if (!query.trans_id && !query.order_id) {
          const paid = await deps.sessions.paidOrder(merchant.merchant_id, query.session_id!);
          return orderView(paid, deps.timeZone);
        }
        const order = await deps.payments.query(merchant.merchant_id, query);
        // All identifiers given must name the same order.
        if (query.session_id && order.session_id !== query.session_id) throw new ApiError('ORDER_NOT_FOUND');
        return orderView(order, deps.timeZone);
      },
    },
  };
}
