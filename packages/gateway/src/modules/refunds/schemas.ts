/** Request schemas for /payments/refund and /payments/refund/query. */
import { z } from 'zod';
import {
  amount,
  currency,
  identifier,
  optionalIdentifier,
  optionalOneOf,
  optionalText,
  optionalUrl,
  REASONS,
  text,
} from '../../core/input/fields.ts';

export const refundSchema = z.object({
  refund_trans_id: identifier(64),
  ori_order_id: text(64),
  refund_amount: amount,
  currency,
  reason: optionalOneOf(REASONS),
  notify_url: optionalUrl(),
});

export type RefundInput = z.output<typeof refundSchema>;

export const refundQuerySchema = z
  .object({ refund_trans_id: optionalIdentifier(64), refund_order_id: optionalText(64) })
  .refine(
    (q) => q.refund_trans_id || q.refund_order_id,
    'one of refund_trans_id, refund_order_id is required',
  );
