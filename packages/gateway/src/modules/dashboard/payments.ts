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
    const search = filter.search;
    if (search) {
      query = query.where((eb) =>
        eb.or([eb('order_id', '=', search), eb('trans_id', '=', search), eb('session_id', '=', search)]),
      );
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
