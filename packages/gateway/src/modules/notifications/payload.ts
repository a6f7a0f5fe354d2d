/**
 * Which order events notify the merchant, and with what body (docs/notifications.md). The body is a
 * snapshot taken in the transaction that made the change; each attempt adds a fresh timestamp.
 */

import type { EventType, OrderRow } from '../../core/orders/order-row.ts';
import type { RefundRow } from '../../core/orders/refund-row.ts';
import { orderView } from '../../core/orders/view.ts';
import type { TimeZone } from '../../domain/time-zone.ts';

export const NOTIFY_TYPES = [
  'PAYMENT.AUTHORIZATION',
  'PAYMENT.SUCCESS',
  'PAYMENT.FAILURE',
  'PAYMENT.CANCELED',
  'REFUND.SUCCESS',
  'REFUND.FAILURE',
] as const;
export type NotifyType = (typeof NOTIFY_TYPES)[number];

/** As docs/notifications.md says: the event that happened decides the notification; a refund request sends none. */
export function notifyTypeFor(event: EventType, order: OrderRow): NotifyType | null {
  switch (event) {
    case 'AUTHORIZATION':
      return order.capture_method === 'MANUAL' ? 'PAYMENT.AUTHORIZATION' : 'PAYMENT.SUCCESS';
    case 'CAPTURE':
      return 'PAYMENT.SUCCESS';
    case 'DECLINE':
      return 'PAYMENT.FAILURE';
    case 'VOID':
    case 'EXPIRY':
      return 'PAYMENT.CANCELED';
    case 'REFUND_SUCCESS':
      return 'REFUND.SUCCESS';
    case 'REFUND_FAILURE':
      return 'REFUND.FAILURE';
    case 'REFUND_REQUEST':
      return null;
  }
}

export function paymentBody(
  notifyId: string,
  type: NotifyType,
  order: OrderRow,
  zone: TimeZone,
): Record<string, unknown> {
  const { payment_type: _omit, ...view } = orderView(order, zone);
  return { notify_id: notifyId, notify_type: type, ...view };
}

/** Refund notifications carry the refund's status and amount, and the payment's ids. */
export function refundBody(
  notifyId: string,
  type: NotifyType,
  order: OrderRow,
  refund: RefundRow,
  zone: TimeZone,
): Record<string, unknown> {
  const view = orderView(order, zone);
  return {
    notify_id: notifyId,
    notify_type: type,
    merchant_id: order.merchant_id,
    trans_id: order.trans_id,
    order_id: order.order_id,
    refund_trans_id: refund.refund_trans_id,
    refund_order_id: refund.refund_order_id,
    status: refund.status,
    amount: refund.amount,
    currency: refund.currency,
    error_code: refund.error_code,
    error_description: refund.error_description,
    ...(view.pay_finish_time ? { pay_finish_time: view.pay_finish_time } : {}),
    payment: view.payment,
    ...(view.card_info ? { card_info: view.card_info } : {}),
    balances: view.balances,
  };
}
