/** An order as the service sees it: the stored row with numbers normalised. */
import type { AuthorisationType, CaptureMethod, OrderStatus } from '../../domain/order.ts';
import type { PaymentMethod } from '../../domain/payment-methods.ts';

export interface OrderRow {
  order_id: string;
  merchant_id: string;
  trans_id: string;
  status: OrderStatus;
  payment_type: 'PURCHASE' | 'RECURRING';
  authorisation_type: AuthorisationType;
  capture_method: CaptureMethod;
  payment_method: PaymentMethod;
  amount: number;
  currency: string;
  notify_url: string | null;
  return_url: string | null;
  expire_at: number;
  mit: number;
  shopper_reference: string | null;
  card_fingerprint: string | null;
  card_ciphertext: string | null;
  card_bin: string | null;
  card_last4: string | null;
  card_brand: string | null;
  error_code: string;
  error_description: string;
  authed_amount: number;
  captured_amount: number;
  voided_amount: number;
  refunded_amount: number;
  refunding_amount: number;
  processing_until: number | null;
  pay_finish_at: number | null;
  auth_expires_at: number | null;
  acquirer_ref: string | null;
  created_at: number;
  updated_at: number;
}

export function amountsOf(row: OrderRow) {
  return {
    authed: row.authed_amount,
    captured: row.captured_amount,
    voided: row.voided_amount,
    refunded: row.refunded_amount,
    refunding: row.refunding_amount,
  };
}
