/**
 * A refund of an order, as the store keeps it: the order's writer records refund events with
 * it and notifications carry it, so it belongs to the orders core beside the order row.
 */
export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'FAILURE';

export interface RefundRow {
  refund_order_id: string;
  merchant_id: string;
  refund_trans_id: string;
  order_id: string;
  amount: number;
  currency: string;
  reason: string | null;
  notify_url: string | null;
  status: RefundStatus;
  error_code: string;
  error_description: string;
  acquirer_ref: string | null;
  next_check_at: number | null;
  finished_at: number | null;
  created_at: number;
  updated_at: number;
}
