/**
 * The dashboard's reads of payments: a filtered list, newest first, paged by keyset on the
 * order id (ids begin with their creation time, domain/ids.ts, so the primary key is also the
 * time order and a date range is a range of it), and what a payment's page shows beside the
 * order row: its refunds and its 3-D Secure challenge.
 */
import type { OrderRow } from '../../core/orders/order-row.ts';
import { toOrderRow } from '../../core/orders/repo.ts';
import type { OrderStatus } from '../../domain/order.ts';
import type { PaymentMethod } from '../../domain/payment-methods.ts';
import { toNumber, toNumberOrNull } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';

export interface PaymentFilter {
  merchantId?: string | undefined;
  status?: OrderStatus | undefined;
  method?: PaymentMethod | undefined;
  /** Minor units, inclusive. */
  minAmount?: number | undefined;
  maxAmount?: number | undefined;
  /** Epoch ms: created at or after `from`, before `to`. */
  from?: number | undefined;
  to?: number | undefined;
  /** An exact order id, trans_id or session_id. */
  search?: string | undefined;
  /** The keyset: only orders older than this order id. */
  before?: string | undefined;
}

export const PAGE_SIZE = 50;

export interface RefundLine {
  refund_order_id: string;
  refund_trans_id: string;
  amount: number;
  currency: string;
  status: string;
  reason: string | null;
  error_code: string;
  created_at: number;
  finished_at: number | null;
}

export interface ChallengeLine {
  challenge_id: string;
  status: string;
  attempts: number;
  created_at: number;
  updated_at: number;
}

/** The smallest order id made at or after `ms`: `GW` and its 10 ms tick (newOrderId's head). */
export function orderIdFloor(ms: number): string {
  return `GW${String(Math.max(0, Math.floor(ms / 10))).padStart(12, '0')}`;
}

export class DashboardPayments {
  constructor(private readonly store: Store) {}

  /** One page of orders, newest first, and the order id the next page starts below (if any). */
  async list(filter: PaymentFilter): Promise<{ rows: OrderRow[]; next: string | undefined }> {
    let query = this.store.reader.selectFrom('orders').selectAll();
    if (filter.merchantId) query = query.where('merchant_id', '=', filter.merchantId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.method) query = query.where('payment_method', '=', filter.method);
    if (filter.minAmount !== undefined) query = query.where('amount', '>=', filter.minAmount);
    if (filter.maxAmount !== undefined) query = query.where('amount', '<=', filter.maxAmount);
    if (filter.from !== undefined) query = query.where('order_id', '>=', orderIdFloor(filter.from));
    if (filter.to !== undefined) query = query.where('order_id', '<', orderIdFloor(filter.to));
    if (filter.before) query = query.where('order_id', '<', filter.before);
    if (filter.search) {
      const ids = await this.searched(filter.search, filter.merchantId);
      if (ids.length === 0) return { rows: [], next: undefined };
      query = query.where('order_id', 'in', ids);
    }
    const rows = (
      await query
        .orderBy('order_id', 'desc')
        .limit(PAGE_SIZE + 1)
        .execute()
    ).map(toOrderRow);
    const more = rows.length > PAGE_SIZE;
    if (more) rows.pop();
    return { rows, next: more ? rows.at(-1)?.order_id : undefined };
  }

  /**
   * The orders a search names, each found through an index: as an order id (the primary key),
   * a session id (the sessions' primary key, which records the order paid through it), or a
   * trans_id, probed once per merchant in the unique (merchant_id, trans_id) index.
   */
  private async searched(text: string, merchantId: string | undefined): Promise<string[]> {
    const db = this.store.reader;
    const [byId, bySession, byTrans] = await Promise.all([
      db.selectFrom('orders').select('order_id').where('order_id', '=', text).execute(),
      db.selectFrom('checkout_sessions').select('order_id').where('session_id', '=', text).execute(),
      db
        .selectFrom('orders')
        .select('order_id')
        .where(
          'merchant_id',
          'in',
          merchantId ? [merchantId] : db.selectFrom('merchants').select('merchant_id'),
        )
        .where('trans_id', '=', text)
        .execute(),
    ]);
    const ids = [...byId, ...bySession, ...byTrans].flatMap((r) => (r.order_id ? [r.order_id] : []));
    return [...new Set(ids)];
  }

  async refunds(orderId: string): Promise<RefundLine[]> {
    const rows = await this.store.reader
      .selectFrom('refunds')
      .select([
        'refund_order_id',
        'refund_trans_id',
        'amount',
        'currency',
        'status',
        'reason',
        'error_code',
        'created_at',
        'finished_at',
      ])
      .where('order_id', '=', orderId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      ...r,
      amount: toNumber(r.amount),
      created_at: toNumber(r.created_at),
      finished_at: toNumberOrNull(r.finished_at),
    }));
  }

  async challenge(orderId: string): Promise<ChallengeLine | undefined> {
    const row = await this.store.reader
      .selectFrom('challenges')
      .select(['challenge_id', 'status', 'attempts', 'created_at', 'updated_at'])
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    return (
      row && {
        ...row,
        attempts: toNumber(row.attempts),
        created_at: toNumber(row.created_at),
        updated_at: toNumber(row.updated_at),
      }
    );
  }
}
