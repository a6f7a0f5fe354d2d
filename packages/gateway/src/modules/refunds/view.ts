/** The refund object of docs/api.md#routes as the API returns it. */
import type { Refund } from '@openkka/sdk';
import type { RefundRow } from '../../core/orders/refund-row.ts';

/** The SDK's Refund less the envelope's timestamp, so the two cannot drift apart. */
export function refundView(row: RefundRow): Omit<Refund, 'timestamp'> {
  return {
    error_code: row.error_code,
    error_description: row.error_description,
    merchant_id: row.merchant_id,
    refund_trans_id: row.refund_trans_id,
    refund_order_id: row.refund_order_id,
    ori_order_id: row.order_id,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
  };
}
