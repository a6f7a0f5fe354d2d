/** SQL for refunds. Rows come back normalised (numbers are numbers on both stores). */
import type { Selectable } from 'kysely';
import type { RefundRow, RefundStatus } from '../../core/orders/refund-row.ts';
import { toNumber, toNumberOrNull } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import type { RefundsTable } from '../../store/schema.ts';
import type { Tx } from '../../store/tx.ts';

export class RefundRepo {
  constructor(private readonly store: Store) {}

  /** Inserts unless (merchant_id, refund_trans_id) exists: the unique index decides. */
  async insertIfNew(tx: Tx, row: RefundRow): Promise<boolean> {
    const inserted = await tx
      .insertInto('refunds')
      .values(row)
      .onConflict((oc) => oc.columns(['merchant_id', 'refund_trans_id']).doNothing())
      .returning('refund_order_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async byTransId(
    merchantId: string,
    refundTransId: string,
    tx: Tx = this.store.reader,
  ): Promise<RefundRow | undefined> {
    const row = await tx
      .selectFrom('refunds')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('refund_trans_id', '=', refundTransId)
      .executeTakeFirst();
    return row && toRefundRow(row);
  }

  async byRefundOrderId(merchantId: string, refundOrderId: string): Promise<RefundRow | undefined> {
    const row = await this.store.reader
      .selectFrom('refunds')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('refund_order_id', '=', refundOrderId)
      .executeTakeFirst();
    return row && toRefundRow(row);
  }

  async byId(tx: Tx, refundOrderId: string): Promise<RefundRow | undefined> {
    const row = await tx
      .selectFrom('refunds')
      .selectAll()
      .where('refund_order_id', '=', refundOrderId)
      .executeTakeFirst();
    return row && toRefundRow(row);
  }

  async update(tx: Tx, refundOrderId: string, changes: Partial<RefundRow>): Promise<void> {
    await tx.updateTable('refunds').set(changes).where('refund_order_id', '=', refundOrderId).execute();
  }

  /**
   * Moves a due refund's next check forward before the acquirer is asked, so a hanging or
   * failing acquirer is asked once per interval, and by one process. False if another took it.
   */
  async claim(refund: RefundRow, nextCheckAt: number): Promise<boolean> {
    const result = await this.store.writer
      .updateTable('refunds')
      .set({ next_check_at: nextCheckAt })
      .where('refund_order_id', '=', refund.refund_order_id)
      .where('status', '=', 'PROCESSING')
      .where('next_check_at', '=', refund.next_check_at)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** PROCESSING refunds whose outcome is due to be asked about. */
  async due(now: number, limit: number): Promise<RefundRow[]> {
    const rows = await this.store.reader
      .selectFrom('refunds')
      .selectAll()
      .where('status', '=', 'PROCESSING')
      .where('next_check_at', '<=', now)
      .orderBy('next_check_at')
      .limit(limit)
      .execute();
    return rows.map(toRefundRow);
  }
}

function toRefundRow(row: Selectable<RefundsTable>): RefundRow {
  return {
    ...row,
    status: row.status as RefundStatus,
    amount: toNumber(row.amount),
    next_check_at: toNumberOrNull(row.next_check_at),
    finished_at: toNumberOrNull(row.finished_at),
    created_at: toNumber(row.created_at),
    updated_at: toNumber(row.updated_at),
  };
}
