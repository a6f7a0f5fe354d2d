/** An order as the service sees it: the stored row with numbers normalised. */
import { type Amounts, ZERO } from '../../domain/order.ts';
import type { RowOf } from '../../store/columns.ts';
import type { ORDER_COLUMNS, ORDER_EVENT_COLUMNS } from '../../store/schema.ts';

/** Derived from the one declaration of the order's columns (store/schema.ts). */
export type OrderRow = RowOf<typeof ORDER_COLUMNS>;

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
export type OrderEvent = RowOf<typeof ORDER_EVENT_COLUMNS>;
