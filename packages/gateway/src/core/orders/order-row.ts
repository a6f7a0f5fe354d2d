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
 * column empty unless given (as null, not undefined). Every column is written out once, in the
 * declaration's order, so a new order column does not compile until it has a value here.
 *
 * One object literal on purpose, not defaults spread under the given fields: with two spreads
 * of some forty keys V8 builds the row in dictionary mode, which cost 28 µs per payment and
 * slowed every later read of the row (docs/benchmarks-history.md, "What made it faster").
 */
export function newOrderRow(o: NewOrder): OrderRow {
  return {
    order_id: o.order_id,
    merchant_id: o.merchant_id,
    trans_id: o.trans_id,
    status: o.status ?? 'PROCESSING',
    payment_type: o.payment_type,
    authorisation_type: o.authorisation_type,
    capture_method: o.capture_method,
    payment_method: o.payment_method,
    amount: o.amount,
    currency: o.currency,
    notify_url: o.notify_url ?? null,
    return_url: o.return_url ?? null,
    expire_at: o.expire_at,
    mit: o.mit ?? 0,
    shopper_reference: o.shopper_reference ?? null,
    card_fingerprint: o.card_fingerprint ?? null,
    card_ciphertext: o.card_ciphertext ?? null,
    card_bin: o.card_bin ?? null,
    card_last4: o.card_last4 ?? null,
    card_brand: o.card_brand ?? null,
    error_code: o.error_code ?? '',
    error_description: o.error_description ?? '',
    authed_amount: o.authed_amount ?? ZERO.authed,
    captured_amount: o.captured_amount ?? ZERO.captured,
    voided_amount: o.voided_amount ?? ZERO.voided,
    refunded_amount: o.refunded_amount ?? ZERO.refunded,
    refunding_amount: o.refunding_amount ?? ZERO.refunding,
    processing_until: o.processing_until ?? null,
    pay_finish_at: o.pay_finish_at ?? null,
    auth_expires_at: o.auth_expires_at ?? null,
    acquirer_ref: o.acquirer_ref ?? null,
    created_at: o.created_at,
    updated_at: o.updated_at ?? o.created_at,
    reconcile_attempts: o.reconcile_attempts ?? 0,
    next_reconcile_at: o.next_reconcile_at ?? null,
    event_seq: o.event_seq ?? 0,
    token: o.token ?? null,
    recurring_agreement_id: o.recurring_agreement_id ?? null,
    store_payment_method: o.store_payment_method ?? 0,
    token_usage: o.token_usage ?? null,
    authentication_result: o.authentication_result ?? null,
    session_id: o.session_id ?? null,
    wire: o.wire ?? 'v1.2',
  };
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
