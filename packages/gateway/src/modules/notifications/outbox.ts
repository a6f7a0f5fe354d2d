/**
 * The outbox: a notification is inserted in the same transaction as the order change it
 * describes, so a change is never committed without its notification, nor the reverse.
 * Delivery happens later, outside any transaction (dispatcher.ts).
 */

import type { EventType, OrderRow } from '../../core/orders/order-row.ts';
import type { RefundRow } from '../../core/orders/refund-row.ts';
import type { EventHints } from '../../core/orders/writer.ts';
import { newNotifyId } from '../../domain/ids.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import type { Tx } from '../../store/tx.ts';
import { notifyTypeFor, paymentBody, refundBody } from './payload.ts';
import type { NotificationRepo, NotificationRow } from './repo.ts';

export class Outbox {
  constructor(
    private readonly repo: NotificationRepo,
    /** The body is a snapshot, so its times are written at the change, in this zone. */
    private readonly zone: TimeZone,
  ) {}

  /** Returns true when a notification was queued (the caller wakes the dispatcher after commit). */
  async onEvent(
    tx: Tx,
    order: OrderRow,
    event: { type: EventType; refund?: RefundRow },
    now: number,
    hints?: EventHints,
  ): Promise<boolean> {
    const row = await this.rowFor(tx, order, event, now, hints);
    if (!row) return false;
    await this.repo.insert(tx, row);
    return true;
  }

  /**
   * The notification an event causes, or null when it causes none; `read` looks up the
   * merchant's default notify_url when this request has not already read it.
   */
  async rowFor(
    read: Tx,
    order: OrderRow,
    event: { type: EventType; refund?: RefundRow },
    now: number,
    hints?: EventHints,
  ): Promise<NotificationRow | null> {
    const type = notifyTypeFor(event.type, order);
    if (!type) return null;
    // Refunds use their own notify_url, else the payment's; both fall back to the merchant's default.
    const url =
      event.refund?.notify_url ??
      order.notify_url ??
      (hints?.merchantNotifyUrl !== undefined
        ? hints.merchantNotifyUrl
        : await this.repo.merchantNotifyUrl(read, order.merchant_id));
    if (!url) return null;
    const notifyId = newNotifyId();
    const body = event.refund
      ? refundBody(notifyId, type, order, event.refund, this.zone)
      : paymentBody(notifyId, type, order, this.zone);
    return {
      notify_id: notifyId,
      merchant_id: order.merchant_id,
      order_id: order.order_id,
      event_seq: order.event_seq,
      notify_type: type,
      url,
      body: JSON.stringify(body),
      status: 'PENDING',
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      delivered_at: null,
      created_at: now,
      updated_at: now,
      request_id: hints?.requestId ?? null,
    };
  }
}
