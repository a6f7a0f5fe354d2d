/**
 * The one way an existing order changes: a short transaction that locks the row, lets the
 * caller decide from the row as it is now, writes the change and appends it to the order's
 * event log. Two writers of one order never interleave (SQLite: BEGIN IMMEDIATE; PostgreSQL:
 * SELECT … FOR UPDATE), so a decision can never be made on stale balances.
 */
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import type { Store } from '../../store/db.ts';
import { inTransaction, type Tx } from '../../store/tx.ts';
import type { RefundRow } from '../refunds/repo.ts';
import type { EventType, OrderRow } from './order-row.ts';
import type { OrderRepo } from './repo.ts';

export interface OrderChange {
  changes: Partial<OrderRow>;
  /** The refund, as it is after this change, for refund events (notifications carry it). */
  event?: { type: EventType; amount: number; refund?: RefundRow };
}

/** What the caller already knows that an event's listener would otherwise look up. */
export interface EventHints {
  /** The merchant's default notify_url, as read for this request's authentication. */
  merchantNotifyUrl?: string | null;
}

/** Hears every committed event inside its transaction (the notification outbox). */
export interface EventListener {
  onEvent(
    tx: Tx,
    order: OrderRow,
    event: { type: EventType; refund?: RefundRow },
    now: number,
    hints?: EventHints,
  ): Promise<boolean>;
}

/** Thrown inside an insert's transaction to undo what it did when the trans_id is taken. */
class TransIdTaken extends Error {}

export type Decide<T> = (row: OrderRow, tx: Tx) => Promise<(OrderChange & { result?: T }) | null>;

export class OrderWriter {
  constructor(
    private readonly store: Store,
    private readonly repo: OrderRepo,
    private readonly clock: Clock,
    private readonly listener?: EventListener,
    /** Called after a commit whose listener queued work (wakes the dispatcher). */
    private readonly afterCommit: () => void = () => {},
  ) {}

  /**
   * Runs `decide` on the locked order. `merchantId` scopes the lookup (another merchant's
   * order does not exist); null is for the gateway's own jobs. Returns the order after the change.
   */
  mutate(merchantId: string | null, orderId: string, decide: Decide<never>): Promise<OrderRow> {
    return this.mutateWith(merchantId, orderId, decide).then((r) => r.order);
  }

  async mutateWith<T>(
    merchantId: string | null,
    orderId: string,
    decide: Decide<T>,
  ): Promise<{ order: OrderRow; result: T | undefined }> {
    let queued = false;
    const outcome = await inTransaction(this.store, async (tx) => {
      const row = await this.repo.lock(tx, orderId, merchantId ?? undefined);
      if (!row) throw new ApiError('ORDER_NOT_FOUND');
      const decided = await decide(row, tx);
      if (!decided) return { order: row, result: undefined };
      if (!decided.event && Object.keys(decided.changes).length === 0)
        return { order: row, result: decided.result };
      const now = this.clock.now();
      const changes: Partial<OrderRow> = { ...decided.changes, updated_at: now };
      if (decided.event) changes.event_seq = row.event_seq + 1;
      await this.repo.update(tx, orderId, changes);
      const order = { ...row, ...changes };
      if (decided.event) queued = await this.recordEvent(tx, order, decided.event, now);
      return { order, result: decided.result };
    });
    if (queued) this.afterCommit();
    return outcome;
  }

  /** Inserts a new order (PROCESSING intent) unless its trans_id is taken; joins the group commit. */
  insert(row: OrderRow, alongside?: (tx: Tx) => Promise<void>): Promise<boolean> {
    return inTransaction(this.store, async (tx) => {
      if (!(await this.repo.insertIfNew(row, tx))) return false;
      if (alongside) await alongside(tx);
      return true;
    });
  }

  /**
   * Inserts an order created already final (a card refused before the acquirer), with its
   * event and notification, in one transaction. False when the trans_id was taken meanwhile.
   */
  async insertFinal(row: OrderRow, event: EventType, hints?: EventHints): Promise<boolean> {
    const change = { changes: {}, event: { type: event, amount: 0 } };
    return (await this.insertDecided(row, async () => change, hints)) !== null;
  }

  /**
   * Inserts a new order with a change already decided for it (its outcome known before it was
   * first stored) and that change's event and notification, in one transaction: the order is
   * never seen without its outcome. Null when the trans_id was taken meanwhile; whatever
   * `decide` wrote (a stored card) is then rolled back with the rest.
   */
  async insertDecided(
    row: OrderRow,
    decide: (row: OrderRow, tx: Tx) => Promise<OrderChange>,
    hints?: EventHints,
  ): Promise<OrderRow | null> {
    let queued = false;
    try {
      const order = await inTransaction(this.store, async (tx) => {
        const decided = await decide(row, tx);
        const order: OrderRow = { ...row, ...decided.changes, event_seq: decided.event ? 1 : 0 };
        if (!(await this.repo.insertIfNew(order, tx))) throw new TransIdTaken();
        if (decided.event) queued = await this.recordEvent(tx, order, decided.event, row.created_at, hints);
        return order;
      });
      if (queued) this.afterCommit();
      return order;
    } catch (err) {
      if (err instanceof TransIdTaken) return null;
      throw err;
    }
  }

  private async recordEvent(
    tx: Tx,
    order: OrderRow,
    event: NonNullable<OrderChange['event']>,
    now: number,
    hints?: EventHints,
  ) {
    await this.repo.appendEvent(tx, {
      order_id: order.order_id,
      seq: order.event_seq,
      type: event.type,
      amount: event.amount,
      status: order.status,
      refund_order_id: event.refund?.refund_order_id ?? null,
      created_at: now,
    });
    return this.listener ? this.listener.onEvent(tx, order, event, now, hints) : false;
  }
}
