/**
 * The order state machine: every status transition and balance change of an order happens
 * here, as pure functions over an order's money state. Services persist what it returns.
 */
import type { BusinessCodeName } from './errors.ts';

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

export interface Balances {
  authed_amount: number;
  captured_amount: number;
  able_to_capture_amount: number;
  voided_amount: number;
  able_to_void_amount: number;
  refunded_amount: number;
  able_to_refund_amount: number;
  refunding_amount: number;
}

export const ZERO: Amounts = { authed: 0, captured: 0, voided: 0, refunded: 0, refunding: 0 };

export function balances(a: Amounts): Balances {
  const capturable = a.authed - a.captured - a.voided;
  return {
    authed_amount: a.authed,
    captured_amount: a.captured,
    able_to_capture_amount: capturable,
    voided_amount: a.voided,
    able_to_void_amount: capturable,
    refunded_amount: a.refunded,
    able_to_refund_amount: a.captured - a.refunded - a.refunding,
    refunding_amount: a.refunding,
  };
}

export interface OrderState {
  status: OrderStatus;
  amounts: Amounts;
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
  return {
    status: automatic ? 'SUCCESS' : 'AUTHORIZED',
    amounts: { ...ZERO, authed: order.amount, captured: automatic ? order.amount : 0 },
  };
}

/** How long an approved authorization can still be captured (spec §6). */
export function authorizationValidityMs(
  type: AuthorisationType,
  config: { finalAuthMs: number; preAuthMs: number },
): number {
  return type === 'PRE_AUTH' ? config.preAuthMs : config.finalAuthMs;
}
