/** SQL for orders. Rows come back normalised (numbers are numbers on both stores). */
import { type Insertable, type Selectable, sql } from 'kysely';
import { toNumber, toNumberOrNull } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import type { OrderEventsTable, OrdersTable } from '../../store/schema.ts';
import { forUpdate, type Tx } from '../../store/tx.ts';
import type { OrderEvent, OrderRow } from './order-row.ts';

/**
 * `status = 'PROCESSING'` as a literal, not a parameter: the jobs' index holds only those
 * orders (migration 009), and a planner uses it only for a query that names the same value.
 */
export const STILL_PROCESSING = sql.lit('PROCESSING');

export class OrderRepo {
  constructor(private readonly store: Store) {}

  /**
   * Inserts unless (merchant_id, trans_id) or the order id exists; the unique indexes decide, so
   * concurrent duplicates insert once.
   */
  async insertIfNew(row: OrderRow, tx: Tx = this.store.read): Promise<boolean> {
    const inserted = await tx
      .insertInto('orders')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .returning('order_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async byTransId(merchantId: string, transId: string): Promise<OrderRow | undefined> {
    const row = await this.store.read
      .selectFrom('orders')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('trans_id', '=', transId)
      .executeTakeFirst();
    return row && toOrderRow(row);
  }

  async byOrderId(merchantId: string, orderId: string): Promise<OrderRow | undefined> {
    const row = await this.store.read
      .selectFrom('orders')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    return row && toOrderRow(row);
  }

  /** For the gateway's own pages and jobs, which are not scoped to a merchant. */
  async byOrderIdAny(orderId: string): Promise<OrderRow | undefined> {
    const row = await this.store.read
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
    const rows = await this.store.read
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      ...r,
      seq: toNumber(r.seq),
      amount: toNumber(r.amount),
      created_at: toNumber(r.created_at),
    }));
  }

  /** Order ids whose unknown outcome is due to be asked about again. */
  async dueForReconcile(now: number, limit: number): Promise<string[]> {
    const rows = await this.store.read
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
    const rows = await this.store.read
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

export function toOrderRow(row: Selectable<OrdersTable>): OrderRow {
  return {
    ...row,
    amount: toNumber(row.amount),
    expire_at: toNumber(row.expire_at),
    mit: toNumber(row.mit),
    authed_amount: toNumber(row.authed_amount),
    captured_amount: toNumber(row.captured_amount),
    voided_amount: toNumber(row.voided_amount),
    refunded_amount: toNumber(row.refunded_amount),
    refunding_amount: toNumber(row.refunding_amount),
    processing_until: toNumberOrNull(row.processing_until),
    pay_finish_at: toNumberOrNull(row.pay_finish_at),
    auth_expires_at: toNumberOrNull(row.auth_expires_at),
    created_at: toNumber(row.created_at),
    updated_at: toNumber(row.updated_at),
    reconcile_attempts: toNumber(row.reconcile_attempts),
    next_reconcile_at: toNumberOrNull(row.next_reconcile_at),
    event_seq: toNumber(row.event_seq),
    store_payment_method: toNumber(row.store_payment_method),
  } as OrderRow;
}
