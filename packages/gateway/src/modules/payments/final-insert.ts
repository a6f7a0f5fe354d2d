/**
 * A new order that is final from its first write (a card refused before the acquirer, or an
 * in-process acquirer's answer), with its first event and the notification that event causes,
 * as one atomic write. Every payment on the hot path ends here, so it is hand-written SQL:
 * on SQLite three prepared statements in one group-commit job; on PostgreSQL one statement
 * (data-modifying CTEs) that commits on its own and carries every payment that is being
 * written at the same moment (batcher.ts): one round trip and one commit for all of them.
 */
import type { Insertable } from 'kysely';
import { Batcher } from '../../store/batcher.ts';
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

/** The event's and notification's columns, besides the order_id they belong to. */
const EVENT_COLUMNS = [
  'seq',
  'type',
  'amount',
  'status',
  'refund_order_id',
  'created_at',
] as const satisfies readonly (keyof EventInsert)[];

const NOTIFICATION_COLUMNS = [
  'notify_id',
  'merchant_id',
  'event_seq',
  'notify_type',
  'url',
  'body',
  'status',
  'attempts',
  'next_attempt_at',
  'last_error',
  'delivered_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof NotificationInsert)[];

const marks = (n: number) => Array(n).fill('?').join(', ');

const INSERT_ORDER = `insert into orders (${ORDER_COLUMNS.join(', ')}) values (${marks(ORDER_COLUMNS.length)})
  on conflict (merchant_id, trans_id) do nothing`;

/**
 * PostgreSQL: a batch of orders, events and notifications, each a JSON array of rows, in one
 * statement. json_populate_recordset types every field by the table's own column, so the
 * statement needs no type list; an event or notification is inserted only for an order row
 * this statement inserted (a taken trans_id inserts nothing of its payment).
 */
const INSERT_BATCH = `with o as (
    insert into orders (${ORDER_COLUMNS.join(', ')})
    select ${ORDER_COLUMNS.join(', ')} from json_populate_recordset(null::orders, ?::json)
    on conflict (merchant_id, trans_id) do nothing
    returning order_id),
  e as (
    insert into order_events (order_id, ${EVENT_COLUMNS.join(', ')})
    select order_id, ${EVENT_COLUMNS.join(', ')} from json_populate_recordset(null::order_events, ?::json)
    join o using (order_id)),
  n as (
    insert into notifications (order_id, ${NOTIFICATION_COLUMNS.join(', ')})
    select order_id, ${NOTIFICATION_COLUMNS.join(', ')} from json_populate_recordset(null::notifications, ?::json)
    join o using (order_id))
  select order_id from o`;

/** Batches on their way at once, and the most payments one carries (PostgreSQL). */
const BATCHING = { maxInFlight: 4, maxBatch: 200 };

interface FinalWrite {
  order: OrderRow;
  event: EventInsert;
  notification: NotificationInsert | null;
}

export class FinalOrderInsert {
  private readonly sqlite?: { order: Prepared; event: Prepared; notification: Prepared };
  private readonly postgres?: Batcher<FinalWrite, boolean>;

  constructor(private readonly store: Store) {
    if (store.raw.kind === 'postgres') {
      const statement = prepare(store, 'final_orders', INSERT_BATCH, 'writer');
      this.postgres = new Batcher(async (writes: FinalWrite[]) => {
        const rows = await statement.all<{ order_id: string }>([
          JSON.stringify(writes.map((w) => w.order)),
          JSON.stringify(writes.map((w) => ({ ...w.event, order_id: w.order.order_id }))),
          JSON.stringify(
            writes.flatMap((w) =>
              w.notification ? [{ ...w.notification, order_id: w.order.order_id }] : [],
            ),
          ),
        ]);
        const inserted = new Set(rows.map((r) => r.order_id));
        return writes.map((w) => inserted.has(w.order.order_id));
      }, BATCHING);
      return;
    }
    this.sqlite = {
      order: prepare(store, 'final_order', INSERT_ORDER, 'writer'),
      event: prepare(
        store,
        'final_order_event',
        `insert into order_events (order_id, ${EVENT_COLUMNS.join(', ')})
         values (${marks(1 + EVENT_COLUMNS.length)})`,
        'writer',
      ),
      notification: prepare(
        store,
        'final_order_notification',
        `insert into notifications (order_id, ${NOTIFICATION_COLUMNS.join(', ')})
         values (${marks(1 + NOTIFICATION_COLUMNS.length)})`,
        'writer',
      ),
    };
  }

  /** False when the trans_id was taken: nothing was written. */
  async run(order: OrderRow, event: EventInsert, notification: NotificationInsert | null): Promise<boolean> {
    if (this.postgres) return this.postgres.submit({ order, event, notification });
    const sqlite = this.sqlite!;
    return inTransaction(this.store, async () => {
      if ((await sqlite.order.run(ORDER_COLUMNS.map((c) => order[c]))) === 0) return false;
      await sqlite.event.run([order.order_id, ...EVENT_COLUMNS.map((c) => event[c] ?? null)]);
      if (notification) {
        await sqlite.notification.run([
          order.order_id,
          ...NOTIFICATION_COLUMNS.map((c) => notification[c] ?? null),
        ]);
      }
      return true;
    });
  }
}
