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
import { columnNames } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import { type Prepared, prepare } from '../../store/prepared.ts';
import {
  type NotificationsTable,
  ORDER_COLUMNS,
  ORDER_EVENT_COLUMNS,
  type OrderEventsTable,
} from '../../store/schema.ts';
import { inTransaction } from '../../store/tx.ts';
import type { OrderRow } from './order-row.ts';

export type EventInsert = Insertable<OrderEventsTable>;
export type NotificationInsert = Insertable<NotificationsTable>;

/** Every column of an order and of an event, in the order the statements bind them. */
const ORDER_COLUMN_NAMES = columnNames(ORDER_COLUMNS);
export const EVENT_COLUMN_NAMES = columnNames(ORDER_EVENT_COLUMNS);

/** The notification's columns; like an event, it carries the order_id it belongs to. */
export const NOTIFICATION_COLUMNS = [
  'order_id',
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
  'request_id',
] as const satisfies readonly (keyof NotificationInsert)[];

/** SQLite: one row of `table`, bound in the order of `columns` (see values). */
export const insertRow = (table: string, columns: readonly string[]) =>
  `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`;

/** A row's values in the order of `columns`, absent ones as NULL. */
export const values = <R>(row: R, columns: readonly (keyof R)[]) => columns.map((c) => row[c] ?? null);

/**
 * PostgreSQL: rows of `table` from a JSON array parameter. json_populate_recordset types every
 * field by the table's own column, so the statement needs no type list.
 */
export const insertFromJson = (table: string, columns: readonly string[]) =>
  `insert into ${table} (${columns.join(', ')})
   select ${columns.join(', ')} from json_populate_recordset(null::${table}, ?::json)`;

/**
 * A taken trans_id (a duplicate request) or a taken order id (drawn by another process in the
 * same tick, see newOrderId): either way nothing of the payment is written, and the caller
 * tells the two apart by looking the trans_id up.
 */
const IF_NEW = 'on conflict do nothing';

/**
 * PostgreSQL: a batch of orders, events and notifications in one statement. An event or
 * notification is inserted only for an order row this statement inserted (a taken trans_id or
 * order id inserts nothing of its payment).
 */
const INSERT_BATCH = `with o as (${insertFromJson('orders', ORDER_COLUMN_NAMES)} ${IF_NEW} returning order_id),
  e as (${insertFromJson('order_events', EVENT_COLUMN_NAMES)} join o using (order_id)),
  n as (${insertFromJson('notifications', NOTIFICATION_COLUMNS)} join o using (order_id))
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
      this.postgres = new Batcher(
        async (writes: FinalWrite[]) => {
          const rows = await statement.all<{ order_id: string }>([
            JSON.stringify(writes.map((w) => w.order)),
            JSON.stringify(writes.map((w) => w.event)),
            JSON.stringify(writes.flatMap((w) => w.notification ?? [])),
          ]);
          const inserted = new Set(rows.map((r) => r.order_id));
          return writes.map((w) => inserted.has(w.order.order_id));
        },
        { ...BATCHING, meter: store.commits },
      );
      return;
    }
    const writer = (name: string, sql: string) => prepare(store, name, sql, 'writer');
    this.sqlite = {
      order: writer('final_order', `${insertRow('orders', ORDER_COLUMN_NAMES)} ${IF_NEW}`),
      event: writer('final_order_event', insertRow('order_events', EVENT_COLUMN_NAMES)),
      notification: writer('final_order_notification', insertRow('notifications', NOTIFICATION_COLUMNS)),
    };
  }

  /** False when the trans_id or the order id was taken: nothing was written. */
  async run(order: OrderRow, event: EventInsert, notification: NotificationInsert | null): Promise<boolean> {
    if (this.postgres) return this.postgres.submit({ order, event, notification });
    const sqlite = this.sqlite!;
    return inTransaction(this.store, async () => {
      if ((await sqlite.order.run(values(order, ORDER_COLUMN_NAMES))) === 0) return false;
      await sqlite.event.run(values(event, EVENT_COLUMN_NAMES));
      if (notification) await sqlite.notification.run(values(notification, NOTIFICATION_COLUMNS));
      return true;
    });
  }
}
