/** SQL for checkout sessions. Rows come back normalised (numbers are numbers on both stores). */
import type { Selectable } from 'kysely';
import type { SessionOrderDetails } from '../../core/orders/ports.ts';
import { type OrderDetails, readOrderDetails, storedOrderDetails } from '../../domain/order-details.ts';
import type { PaymentMethod } from '../../domain/payment-methods.ts';
import { toNumber } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import { type Prepared, prepare } from '../../store/prepared.ts';
import type { CheckoutSessionsTable } from '../../store/schema.ts';
import { inTransaction } from '../../store/tx.ts';

export type StoredSessionStatus = CheckoutSessionsTable['status'];

export type SessionRow = Omit<
  Selectable<CheckoutSessionsTable>,
  | 'amount'
  | 'store_payment_method'
  | 'expire_at'
  | 'created_at'
  | 'updated_at'
  | 'allowed_payment_methods'
  | 'order_details'
> & {
  amount: number;
  store_payment_method: number;
  expire_at: number;
  created_at: number;
  updated_at: number;
  allowed_payment_methods: PaymentMethod[];
  order_details: OrderDetails | null;
};

export class SessionRepo implements SessionOrderDetails {
  private readonly takenStatement: Prepared;

  constructor(private readonly store: Store) {
    this.takenStatement = prepare(
      store,
      'session_trans_id_taken',
      'select 1 as taken from checkout_sessions where merchant_id = ? and trans_id = ?',
      'reader',
    );
  }

  /** Inserts unless (merchant_id, trans_id) exists; the unique index decides between concurrent duplicates. */
  insertIfNew(row: SessionRow): Promise<boolean> {
    return inTransaction(this.store, async (tx) => {
      const inserted = await tx
        .insertInto('checkout_sessions')
        .values({
          ...row,
          allowed_payment_methods: JSON.stringify(row.allowed_payment_methods),
          order_details: storedOrderDetails(row.order_details),
        })
        .onConflict((oc) => oc.columns(['merchant_id', 'trans_id']).doNothing())
        .returning('session_id')
        .executeTakeFirst();
      return inserted !== undefined;
    });
  }

  /** `merchantId` null is for the gateway's own pages, which are not scoped to a merchant. */
  async byId(merchantId: string | null, sessionId: string): Promise<SessionRow | undefined> {
    let query = this.store.reader
      .selectFrom('checkout_sessions')
      .selectAll()
      .where('session_id', '=', sessionId);
    if (merchantId !== null) query = query.where('merchant_id', '=', merchantId);
    const row = await query.executeTakeFirst();
    return row && toSessionRow(row);
  }

  async byTransId(merchantId: string, transId: string): Promise<SessionRow | undefined> {
    const row = await this.store.reader
      .selectFrom('checkout_sessions')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('trans_id', '=', transId)
      .executeTakeFirst();
    return row && toSessionRow(row);
  }

  /** Whether a trans_id names a session. Every direct payment asks, so it is a prepared statement. */
  async taken(merchantId: string, transId: string): Promise<boolean> {
    return (await this.takenStatement.all([merchantId, transId])).length > 0;
  }

  /** What a session says was bought and for whom, for a query of the order paid through it. */
  async orderDetails(merchantId: string, sessionId: string): Promise<OrderDetails | null> {
    const row = await this.store.reader
      .selectFrom('checkout_sessions')
      .select('order_details')
      .where('session_id', '=', sessionId)
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    return readOrderDetails(row?.order_details ?? null);
  }

  /** Records the session's order; the order's existence already made the session COMPLETED. */
  async markCompleted(sessionId: string, orderId: string, now: number): Promise<void> {
    await inTransaction(this.store, (tx) =>
      tx
        .updateTable('checkout_sessions')
        .set({ status: 'COMPLETED', order_id: orderId, updated_at: now })
        .where('session_id', '=', sessionId)
        .where('order_id', 'is', null)
        .execute(),
    );
  }

  /**
   * OPEN → EXPIRED or CANCELED, in one statement that also checks no order was paid through
   * the session: once its order exists a session is COMPLETED, whatever arrives later.
   */
  async closeIfUnpaid(sessionId: string, status: 'EXPIRED' | 'CANCELED', now: number): Promise<boolean> {
    const result = await inTransaction(this.store, (tx) =>
      tx
        .updateTable('checkout_sessions')
        .set({ status, updated_at: now })
        .where('session_id', '=', sessionId)
        .where('status', '=', 'OPEN')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('orders')
                .select('orders.order_id')
                .whereRef('orders.merchant_id', '=', 'checkout_sessions.merchant_id')
                .whereRef('orders.trans_id', '=', 'checkout_sessions.trans_id'),
            ),
          ),
        )
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  /** Open sessions whose expire_time has passed. */
  async dueForExpiry(now: number, limit: number): Promise<string[]> {
    const rows = await this.store.reader
      .selectFrom('checkout_sessions')
      .select('session_id')
      .where('status', '=', 'OPEN')
      .where('expire_at', '<=', now)
      .orderBy('expire_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.session_id);
  }
}

function toSessionRow(row: Selectable<CheckoutSessionsTable>): SessionRow {
  return {
    ...row,
    amount: toNumber(row.amount),
    store_payment_method: toNumber(row.store_payment_method),
    expire_at: toNumber(row.expire_at),
    created_at: toNumber(row.created_at),
    updated_at: toNumber(row.updated_at),
    allowed_payment_methods: JSON.parse(row.allowed_payment_methods) as PaymentMethod[],
    order_details: readOrderDetails(row.order_details),
  };
}
