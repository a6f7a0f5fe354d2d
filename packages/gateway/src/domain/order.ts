/**
 * The order state machine: every status transition and balance change of an order happens
 * here, as pure functions over the order's money state. Services lock the row, call one of
 * these, and persist what it returns; a refusal is thrown as an ApiError and changes nothing.
 *
 * Invariants (docs/api.md#order-status-and-balances), true after every function here:
 *   authed = captured + voided + able_to_capture;   able_to_void = able_to_capture
 *   refunded + refunding ≤ captured;                able_to_refund = captured − refunded − refunding
 *   a PROCESSING or FAILURE order has every balance 0
 */
import { ApiError, type BusinessCodeName } from './errors.ts';

export const ORDER_STATUSES = [
  'PROCESSING',
  'AUTHORIZED',
  'SUCCESS',
  'FAILURE',
  'CANCELED',
  'PARTIALLY_REVERSED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type CaptureMethod = 'AUTOMATIC' | 'MANUAL';
export type AuthorisationType = 'FINAL_AUTH' | 'PRE_AUTH';

/** The stored amounts; the `able_to_*` figures are derived, never stored. */
export interface Amounts {
  authed: number;
  captured: number;
  voided: number;
  refunded: number;
  refunding: number;
}

export const ZERO: Amounts = { authed: 0, captured: 0, voided: 0, refunded: 0, refunding: 0 };

export function capturable(a: Amounts): number {
  return a.authed - a.captured - a.voided;
}

export function refundable(a: Amounts): number {
  return a.captured - a.refunded - a.refunding;
}

/**
 * The balances as the API answers them. Their type is declared once, as the SDK's `Balances`;
 * the order view (core/orders/view.ts) is typed against it, so a name out of step fails there.
 */
export function balances(a: Amounts) {
  return {
    authed_amount: a.authed,
    captured_amount: a.captured,
    able_to_capture_amount: capturable(a),
    voided_amount: a.voided,
    able_to_void_amount: capturable(a),
    refunded_amount: a.refunded,
    able_to_refund_amount: refundable(a),
    refunding_amount: a.refunding,
  };
}

/** As docs/api.md#order-status-and-balances says: once authorized, the status is a function of the balances. */
export function statusOf(a: Amounts): OrderStatus {
  if (a.refunded > 0)
    return a.refunded === a.captured && capturable(a) === 0 ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  if (a.voided > 0) return a.captured === 0 ? 'CANCELED' : 'PARTIALLY_REVERSED';
  if (a.captured > 0) return 'SUCCESS';
  return 'AUTHORIZED';
}

export interface OrderState {
  status: OrderStatus;
  amounts: Amounts;
}

/** What an operation did, for the order's event log. */
export interface Change extends OrderState {
  /** Money the operation moved (captured, released or refunded). */
  moved: number;
  /** Capturable money released to the shopper by this operation (void, final capture, expiry). */
  released: number;
}

const settled = (status: OrderStatus) => status !== 'PROCESSING' && status !== 'FAILURE';

function change(amounts: Amounts, moved: number, released: number): Change {
  return { status: statusOf(amounts), amounts, moved, released };
}

export type AuthorizationOutcome = { approved: true } | { approved: false; reason: BusinessCodeName };

/** The acquirer answered: approved (captured at once with AUTOMATIC) or declined. */
export function authorize(
  order: OrderState & { amount: number; captureMethod: CaptureMethod },
  outcome: AuthorizationOutcome,
): OrderState {
  if (order.status !== 'PROCESSING') {
    throw new Error(`cannot record an authorization on a ${order.status} order`);
  }
  if (!outcome.approved) return { status: 'FAILURE', amounts: ZERO };
  const automatic = order.captureMethod === 'AUTOMATIC';
  const amounts = { ...ZERO, authed: order.amount, captured: automatic ? order.amount : 0 };
  return { status: statusOf(amounts), amounts };
}

export interface CaptureRequest {
  amount: number;
  currency: string;
  /** Release whatever remains capturable after this capture (default true). */
  final: boolean;
}

export function capture(order: OrderState & { currency: string }, req: CaptureRequest): Change {
  const a = order.amounts;
  if (!settled(order.status) || capturable(a) === 0) {
    throw new ApiError('ORDER_NOT_CAPTURABLE', `order is ${order.status} with able_to_capture_amount 0`);
  }
  if (req.currency !== order.currency)
    throw new ApiError('CURRENCY_MISMATCH', `order is in ${order.currency}`);
  if (req.amount > capturable(a)) {
    throw new ApiError('CAPTURE_AMOUNT_EXCEEDED', `able_to_capture_amount is ${capturable(a)}`);
  }
  const released = req.final ? capturable(a) - req.amount : 0;
  return change(
    { ...a, captured: a.captured + req.amount, voided: a.voided + released },
    req.amount,
    released,
  );
}

/** Voids everything still capturable: a void, or an authorization that lapsed (the EXPIRY event). */
export function voidCapturable(order: OrderState): Change {
  const a = order.amounts;
  if (!settled(order.status) || capturable(a) === 0) {
    throw new ApiError('ORDER_NOT_VOIDABLE', `order is ${order.status} with able_to_void_amount 0`);
  }
  const released = capturable(a);
  return change({ ...a, voided: a.voided + released }, released, released);
}

/** Reserves `amount` for a refund in flight (counted in refunding until it settles). */
export function startRefund(
  order: OrderState & { currency: string },
  req: { amount: number; currency: string },
): Change {
  const a = order.amounts;
  if (!settled(order.status) || a.captured === 0) {
    throw new ApiError('ORDER_NOT_REFUNDABLE', `order is ${order.status} with captured_amount 0`);
  }
  if (req.currency !== order.currency)
    throw new ApiError('CURRENCY_MISMATCH', `order is in ${order.currency}`);
  if (req.amount > refundable(a)) {
    throw new ApiError('REFUND_AMOUNT_EXCEEDED', `able_to_refund_amount is ${refundable(a)}`);
  }
  return change({ ...a, refunding: a.refunding + req.amount }, req.amount, 0);
}

/** A refund in flight settled: its amount leaves `refunding`, into `refunded` if it succeeded. */
export function settleRefund(order: OrderState, amount: number, succeeded: boolean): Change {
  const a = order.amounts;
  if (amount > a.refunding) throw new Error(`refund of ${amount} exceeds refunding_amount ${a.refunding}`);
  const refunded = succeeded ? a.refunded + amount : a.refunded;
  return change({ ...a, refunding: a.refunding - amount, refunded }, succeeded ? amount : 0, 0);
}

/** How long an approved authorization can still be captured (docs/api.md#order-status-and-balances). */
export function authorizationValidityMs(
  type: AuthorisationType,
  config: { finalAuthMs: number; preAuthMs: number },
): number {
  return type === 'PRE_AUTH' ? config.preAuthMs : config.finalAuthMs;
}
