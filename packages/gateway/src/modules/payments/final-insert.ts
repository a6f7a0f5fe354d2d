/**
 * A new order that is final from its first write (a card refused before the acquirer, or an
 * in-process acquirer's answer), with its first event and the notification that event causes,
 * as one atomic write. Every payment on the hot path ends here, so it is hand-written SQL:
 * on SQLite three prepared statements in one group-commit job; on PostgreSQL a single
 * statement (data-modifying CTEs) that commits on its own, one round trip instead of four.
 */
import type { Insertable } from 'kysely';
import type { Store } from '../../store/db.ts';
import { type Prepared, prepare } from '../../store/prepared.ts';
import type { NotificationsTable, OrderEventsTable } from '../../store/schema.ts';
import { inTransaction } from '../../store/tx.ts';
import type { OrderRow } from './order-row.ts';

export type EventInsert = Insertable<OrderEventsTable>;
export type NotificationInsert = Insertable<NotificationsTable>;

/** Every column of an order, in the order the statements bind them. */
const ORDER_COLUMNS = [
  'order_id',
  'merchant_id',
  'trans_id',
  'status',
  'payment_type',
  'authorisation_type',
  'capture_method',
  'payment_method',
  'amount',
  'currency',
  'notify_url',
  'return_url',
  'expire_at',
  'mit',
  'shopper_reference',
  'card_fingerprint',
  'card_ciphertext',
  'card_bin',
  'card_last4',
  'card_brand',
  'error_code',
  'error_description',
  'authed_amount',
  'captured_amount',
  'voided_amount',
  'refunded_amount',
  'refunding_amount',
  'processing_until',
  'pay_finish_at',
  'auth_expires_at',
  'acquirer_ref',
  'created_at',
  'updated_at',
  'reconcile_attempts',
  'next_reconcile_at',
  'event_seq',
  'token',
  'recurring_agreement_id',
  'store_payment_method',
  'token_usage',
  'authentication_result',
  'session_id',
] as const satisfies readonly (keyof OrderRow)[];

// A column added to OrderRow but not listed above fails to compile here.
type Unlisted = Exclude<keyof OrderRow, (typeof ORDER_COLUMNS)[number]>;
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;
void allListed;

/** The event's and notification's columns with their PostgreSQL types (for INSERT … SELECT). */
const EVENT_COLUMNS = {
  seq: 'integer',
  type: 'text',
  amount: 'bigint',
  status: 'text',
  refund_order_id: 'text',
  created_at: 'bigint',
} as const satisfies Partial<Record<keyof EventInsert, string>>;

const NOTIFICATION_COLUMNS = {
  notify_id: 'text',
  merchant_id: 'text',
  event_seq: 'integer',
  notify_type: 'text',
  url: 'text',
  body: 'text',
  status: 'text',
  attempts: 'integer',
  next_attempt_at: 'bigint',
  last_error: 'text',
  delivered_at: 'bigint',
  created_at: 'bigint',
  updated_at: 'bigint',
} as const satisfies Partial<Record<keyof NotificationInsert, string>>;

const names = (columns: object) => Object.keys(columns) as string[];
const marks = (n: number) => Array(n).fill('?').join(', ');
const casts = (columns: Record<string, string>) =>
  Object.values(columns)
    .map((type) => `?::${type}`)
    .join(', ');

const INSERT_ORDER = `insert into orders (${ORDER_COLUMNS.join(', ')}) values (${marks(ORDER_COLUMNS.length)})
  on conflict (merchant_id, trans_id) do nothing`;

export class FinalOrderInsert {
  private readonly sqlite?: { order: Prepared; event: Prepared; notification: Prepared };
  private readonly postgres?: { withoutNotification: Prepared; withNotification: Prepared };

  constructor(private readonly store: Store) {
    if (store.raw.kind === 'sqlite') {
      this.sqlite = {
        order: prepare(store, 'final_order', INSERT_ORDER, 'writer'),
        event: prepare(
          store,
          'final_order_event',
          `insert into order_events (order_id, ${names(EVENT_COLUMNS).join(', ')})
           values (${marks(1 + names(EVENT_COLUMNS).length)})`,
          'writer',
        ),
        notification: prepare(
          store,
          'final_order_notification',
          `insert into notifications (order_id, ${names(NOTIFICATION_COLUMNS).join(', ')})
           values (${marks(1 + names(NOTIFICATION_COLUMNS).length)})`,
          'writer',
        ),
      };
    } else {
      // The event and notification are inserted only for the order row the first CTE inserted.
      const order = `with o as (${INSERT_ORDER} returning order_id),
        e as (insert into order_events (order_id, ${names(EVENT_COLUMNS).join(', ')})
              select order_id, ${casts(EVENT_COLUMNS)} from o)`;
      const notification = `, n as (insert into notifications (order_id, ${names(NOTIFICATION_COLUMNS).join(', ')})
              select order_id, ${casts(NOTIFICATION_COLUMNS)} from o)`;
      this.postgres = {
        withoutNotification: prepare(store, 'final_order', `${order} select order_id from o`, 'writer'),
        withNotification: prepare(
          store,
          'final_order_notified',
          `${order}${notification} select order_id from o`,
          'writer',
        ),
      };
    }
  }

  /** False when the trans_id was taken: nothing was written. */
  async run(order: OrderRow, event: EventInsert, notification: NotificationInsert | null): Promise<boolean> {
    const orderValues = ORDER_COLUMNS.map((c) => order[c]);
    const eventValues = names(EVENT_COLUMNS).map((c) => event[c as keyof EventInsert] ?? null);
    const notificationValues = notification
      ? names(NOTIFICATION_COLUMNS).map((c) => notification[c as keyof NotificationInsert] ?? null)
      : [];
    if (this.postgres) {
      const statement = notification ? this.postgres.withNotification : this.postgres.withoutNotification;
      const rows = await statement.all([...orderValues, ...eventValues, ...notificationValues]);
      return rows.length === 1;
    }
    const sqlite = this.sqlite!;
    return inTransaction(this.store, async () => {
      if ((await sqlite.order.run(orderValues)) === 0) return false;
      await sqlite.event.run([order.order_id, ...eventValues]);
      if (notification) await sqlite.notification.run([order.order_id, ...notificationValues]);
      return true;
    });
  }
}
