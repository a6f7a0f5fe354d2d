/** An order as the service sees it: the stored row with numbers normalised. */
import {
  type Amounts,
  type AuthorisationType,
  type CaptureMethod,
  type OrderStatus,
  ZERO,
} from '../../domain/order.ts';
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
  reconcile_attempts: number;
  /** When the reconciler next asks the acquirer about an unknown outcome (null: nothing to ask). */
  next_reconcile_at: number | null;
  event_seq: number;
  /** The stored card this order paid with, or stored (after approval). */
  token: string | null;
  recurring_agreement_id: string | null;
  store_payment_method: number;
  token_usage: string | null;
  authentication_result: string | null;
  /** The checkout session this order was paid through (docs/api.md#initiate-transaction-payments, docs/notifications.md), else null. */
  session_id: string | null;
}

export function amountsOf(row: OrderRow): Amounts {
  return {
    authed: row.authed_amount,
    captured: row.captured_amount,
    voided: row.voided_amount,
    refunded: row.refunded_amount,
    refunding: row.refunding_amount,
  };
}

/** What the domain's order rules read of an order: its status, balances and currency. */
export function stateOf(row: OrderRow) {
  return { status: row.status, amounts: amountsOf(row), currency: row.currency };
}

/** The stored columns for a set of amounts. */
export function amountColumns(a: Amounts) {
  return {
    authed_amount: a.authed,
    captured_amount: a.captured,
    voided_amount: a.voided,
    refunded_amount: a.refunded,
    refunding_amount: a.refunding,
  };
}

/** What a new order cannot do without: who asked for what, and when. */
type NewOrderRequired =
  | 'order_id'
  | 'merchant_id'
  | 'trans_id'
  | 'payment_type'
  | 'authorisation_type'
  | 'capture_method'
  | 'payment_method'
  | 'amount'
  | 'currency'
  | 'expire_at'
  | 'created_at';

export type NewOrder = Pick<OrderRow, NewOrderRequired> & Partial<OrderRow>;

/**
 * A new order: PROCESSING, nothing moved, no outcome, updated when created, and every other
 * column empty unless given (as null, not undefined). The defaults are typed as every column
 * but the required ones, so a new order column does not compile until it has a default here.
 */
export function newOrderRow(order: NewOrder): OrderRow {
  const empty: Omit<OrderRow, NewOrderRequired> = {
    status: 'PROCESSING',
    notify_url: null,
    return_url: null,
    mit: 0,
    shopper_reference: null,
    card_fingerprint: null,
    card_ciphertext: null,
    card_bin: null,
    card_last4: null,
    card_brand: null,
    error_code: '',
    error_description: '',
    ...amountColumns(ZERO),
    processing_until: null,
    pay_finish_at: null,
    auth_expires_at: null,
    acquirer_ref: null,
    updated_at: order.created_at,
    reconcile_attempts: 0,
    next_reconcile_at: null,
    event_seq: 0,
    token: null,
    recurring_agreement_id: null,
    store_payment_method: 0,
    token_usage: null,
    authentication_result: null,
    session_id: null,
  };
  return { ...empty, ...order };
}

export const EVENT_TYPES = [
  'AUTHORIZATION',
  'DECLINE',
  'CAPTURE',
  'VOID',
  'EXPIRY',
  'REFUND_REQUEST',
  'REFUND_SUCCESS',
  'REFUND_FAILURE',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One line of an order's history: what happened, how much moved, the status after it. */
export interface OrderEvent {
  order_id: string;
  seq: number;
  type: string;
  amount: number;
  status: string;
  refund_order_id: string | null;
  created_at: number;
}
