/** SQL for orders. Rows come back normalised (numbers are numbers on both stores). */
import { type Insertable, type Selectable, sql } from 'kysely';
import { rowReader } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import {
  ORDER_COLUMNS,
  ORDER_EVENT_COLUMNS,
  type OrderEventsTable,
  type OrdersTable,
} from '../../store/schema.ts';
import { forUpdate, type Tx } from '../../store/tx.ts';
import { OrderLookup } from './lookup.ts';
import type { OrderEvent, OrderRow } from './order-row.ts';

/**
 * `status = 'PROCESSING'` as a literal, not a parameter: the jobs' index holds only those
 * orders (migration 009), and a planner uses it only for a query that names the same value.
 */
export const STILL_PROCESSING = sql.lit('PROCESSING');

export class OrderRepo {
  private readonly lookup: OrderLookup;

  constructor(private readonly store: Store) {
    this.lookup = new OrderLookup(store);
  }

  /**
   * Inserts unless (merchant_id, trans_id) or the order id exists; the unique indexes decide, so
   * concurrent duplicates insert once.
   */
  async insertIfNew(tx: Tx, row: OrderRow): Promise<boolean> {
    const inserted = await tx
      .insertInto('orders')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .returning('order_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async byTransId(merchantId: string, transId: string): Promise<OrderRow | undefined> {
    const row = await this.store.reader
      .selectFrom('orders')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('trans_id', '=', transId)
      .executeTakeFirst();
    return row && toOrderRow(row);
  }

  byOrderId(merchantId: string, orderId: string): Promise<OrderRow | undefined> {
    return this.lookup.byOrderId(merchantId, orderId);
  }

  /** For the gateway's own pages and jobs, which are not scoped to a merchant. */
  async byOrderIdAny(orderId: string): Promise<OrderRow | undefined> {
    const row = await this.store.reader
      .selectFrom('orders')
      .selectAll()
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    return row && toOrderRow(row);
  }

  /** Reads the order inside a write transaction, locked against concurrent changes. */
  async lock(tx: Tx, orderId: string, merchantId?: string): Promise<OrderRow | undefined> {
    let query = tx.selectFrom('orders').selectAll().where('order_id', '=', orderId);
    if (merchantId !== undefined) query = query.where('merchant_id', '=', merchantId);
    const row = await forUpdate(this.store, query).executeTakeFirst();
    return row && toOrderRow(row);
  }

  async appendEvent(tx: Tx, event: Insertable<OrderEventsTable>): Promise<void> {
    await tx.insertInto('order_events').values(event).execute();
  }

  async events(orderId: string): Promise<OrderEvent[]> {
    const rows = await this.store.reader
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('seq')
      .execute();
    return rows.map(toOrderEvent);
  }

  /**
   * Orders whose outcome is unknown and wait for the reconciler (an intent no request is
   * waiting on any more), counted up to `limit` on the index of PROCESSING orders (migration 009).
   */
  async countAwaitingReconcile(now: number, limit: number): Promise<number> {
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from (
        select 1 from orders
        where status = ${STILL_PROCESSING} and next_reconcile_at is not null
          and (processing_until is null or processing_until <= ${now})
        limit ${limit}
      ) waiting`.execute(this.store.reader);
    return Number(rows[0]?.n ?? 0);
  }

  /** Order ids whose unknown outcome is due to be asked about again. */
  async dueForReconcile(now: number, limit: number): Promise<string[]> {
    const rows = await this.store.reader
      .selectFrom('orders')
      .select('order_id')
      .where('status', '=', STILL_PROCESSING)
      .where('next_reconcile_at', '<=', now)
      .orderBy('next_reconcile_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.order_id);
  }

  /** Order ids whose authorization lapsed with money still capturable. */
  async dueForExpiry(now: number, limit: number): Promise<string[]> {
    const rows = await this.store.reader
      .selectFrom('orders')
      .select('order_id')
      .where('auth_expires_at', '<=', now)
      .orderBy('auth_expires_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.order_id);
  }

  async update(tx: Tx, orderId: string, changes: Partial<OrderRow>): Promise<void> {
    await tx.updateTable('orders').set(changes).where('order_id', '=', orderId).execute();
  }
}

/** A selected order with its number columns as numbers (PostgreSQL answers int8 as strings). */
export const toOrderRow: (row: Selectable<OrdersTable>) => OrderRow = rowReader(ORDER_COLUMNS);

const toOrderEvent: (row: Selectable<OrderEventsTable>) => OrderEvent = rowReader(ORDER_EVENT_COLUMNS);
