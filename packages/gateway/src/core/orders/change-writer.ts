/**
 * Writes planned changes of existing orders (plan.ts): capture, void, refund. Each is locked,
 * decided and written atomically with its events, its notifications and a new refund, in as
 * few round trips as that allows:
 *
 * - SQLite: one group-commit job of hand-prepared statements (the transaction is the lock).
 * - PostgreSQL: the changes asked for in the same turn of the event loop, per merchant, share
 *   one transaction of four round trips: BEGIN, one SELECT … FOR UPDATE of every order (in
 *   order_id order, so two batches never deadlock), one statement that writes every refund,
 *   order, event and notification, COMMIT. Several changes of one order in a batch are decided
 *   one after another on the row as the earlier ones left it.
 *
 * A new refund whose refund_trans_id is taken writes nothing of its change: alone, its
 * transaction rolls back and the caller hears 'taken'; in a batch, the batch rolls back and
 * each of its changes runs alone. Answers are given only after COMMIT (durable).
 */
import type { Selectable } from 'kysely';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import { Batcher } from '../../store/batcher.ts';
import type { Store } from '../../store/db.ts';
import { pgTransaction, type TxQuery } from '../../store/pg-transaction.ts';
import { type Prepared, prepare } from '../../store/prepared.ts';
import type { OrdersTable } from '../../store/schema.ts';
import { inTransaction } from '../../store/tx.ts';
import {
  EVENT_COLUMN_NAMES,
  type EventInsert,
  insertFromJson,
  insertRow,
  NOTIFICATION_COLUMNS,
  type NotificationInsert,
  values,
} from './final-insert.ts';
import type { OrderRow } from './order-row.ts';
import { type AppliedStep, applyPlan, type Planner } from './plan.ts';
import type { RefundRow } from './refund-row.ts';
import { toOrderRow } from './repo.ts';

export interface ChangeRequest<T> {
  /** The order is looked up within this merchant's: another merchant's does not exist. */
  merchantId: string;
  orderId: string;
  plan: Planner<T>;
  /** The notification an applied step causes, or null. */
  notify: (step: AppliedStep, now: number) => Promise<NotificationInsert | null>;
}

/** The order after the change and the plan's result; or 'taken': the plan's new refund's key was. */
export type ChangeOutcome<T> = { order: OrderRow; result: T; queued: boolean } | 'taken';

type Result = { ok: true; value: ChangeOutcome<unknown> } | { ok: false; error: unknown };

/** Every column of a refund, in the order the statements bind them. */
const REFUND_COLUMNS = Object.keys({
  refund_order_id: true,
  merchant_id: true,
  refund_trans_id: true,
  order_id: true,
  amount: true,
  currency: true,
  reason: true,
  notify_url: true,
  status: true,
  error_code: true,
  error_description: true,
  acquirer_ref: true,
  next_check_at: true,
  finished_at: true,
  created_at: true,
  updated_at: true,
} satisfies Record<keyof RefundRow, true>) as (keyof RefundRow)[];

/** The columns a change writes, beside the key: everything plan.ts lets a step change. */
const CHANGED_COLUMNS = [
  'status',
  'authed_amount',
  'captured_amount',
  'voided_amount',
  'refunded_amount',
  'refunding_amount',
  'auth_expires_at',
  'event_seq',
  'updated_at',
] as const satisfies readonly (keyof OrderRow)[];

const NEW_REFUND = 'on conflict (merchant_id, refund_trans_id) do nothing';

const SQLITE = {
  lock: 'select * from orders where order_id = ? and merchant_id = ?',
  update: `update orders set ${CHANGED_COLUMNS.map((c) => `${c} = ?`).join(', ')}
    where order_id = ? and merchant_id = ?`,
  refund: `${insertRow('refunds', REFUND_COLUMNS)} ${NEW_REFUND}`,
  event: insertRow('order_events', EVENT_COLUMN_NAMES),
  notification: insertRow('notifications', NOTIFICATION_COLUMNS),
};

const LOCK_MANY =
  'select * from orders where merchant_id = ? and order_id = any(?::text[]) order by order_id for update';

/** Refunds first, so the count of those inserted tells whether any key was taken. */
const WRITE_MANY = `with r as (${insertFromJson('refunds', REFUND_COLUMNS)} ${NEW_REFUND} returning 1),
  u as (update orders o set ${CHANGED_COLUMNS.map((c) => `${c} = c.${c}`).join(', ')}
    from json_populate_recordset(null::orders, ?::json) c where o.merchant_id = ? and o.order_id = c.order_id),
  e as (${insertFromJson('order_events', EVENT_COLUMN_NAMES)}),
  n as (${insertFromJson('notifications', NOTIFICATION_COLUMNS)})
  select count(*)::int as refunds from r`;

/** Batches on their way at once, and the most changes one carries (PostgreSQL). */
const BATCHING = { maxInFlight: 4, maxBatch: 100 };

/** PostgreSQL's own reasons to abort a transaction before its COMMIT: running it again is safe. */
const RETRYABLE = new Set(['40P01', '40001']);

/** A batch rolled back because a new refund's key was taken: its changes run again one by one. */
class RefundKeyTaken extends Error {}

export class ChangeWriter {
  private readonly sqlite?: Record<keyof typeof SQLITE, Prepared>;
  private readonly postgres?: Batcher<ChangeRequest<unknown>, Result>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    if (store.raw.kind === 'postgres') {
      this.postgres = new Batcher((requests) => this.runBatch(requests), {
        ...BATCHING,
        meter: store.commits,
      });
      return;
    }
    const writer = (name: string) =>
      prepare(store, `change_${name}`, SQLITE[name as keyof typeof SQLITE], 'writer');
    this.sqlite = {
      lock: writer('lock'),
      update: writer('update'),
      refund: writer('refund'),
      event: writer('event'),
      notification: writer('notification'),
    };
  }

  async run<T>(request: ChangeRequest<T>): Promise<ChangeOutcome<T>> {
    if (!this.postgres) return this.runSqlite(request);
    const result = await this.postgres.submit(request as ChangeRequest<unknown>);
    if (!result.ok) throw result.error;
    return result.value as ChangeOutcome<T>;
  }

  private runSqlite<T>(request: ChangeRequest<T>): Promise<ChangeOutcome<T>> {
    const s = this.sqlite!;
    return inTransaction(this.store, async () => {
      const now = this.clock.now();
      const [stored] = await s.lock.all<Selectable<OrdersTable>>([request.orderId, request.merchantId]);
      const decided = decide(request, stored && toOrderRow(stored), now);
      if (decided.refund && (await s.refund.run(values(decided.refund, REFUND_COLUMNS))) === 0)
        return 'taken';
      await s.update.run([...values(decided.order, CHANGED_COLUMNS), request.orderId, request.merchantId]);
      for (const event of decided.events) await s.event.run(values(event, EVENT_COLUMN_NAMES));
      const notifications = await notificationsOf(request, decided.applied, now);
      for (const n of notifications) await s.notification.run(values(n, NOTIFICATION_COLUMNS));
      return { order: decided.order, result: decided.result, queued: notifications.length > 0 };
    });
  }

  /** One transaction per merchant (a statement names one merchant's rows); never rejects. */
  private async runBatch(requests: ChangeRequest<unknown>[]): Promise<Result[]> {
    const byMerchant = new Map<string, number[]>();
    for (const [i, r] of requests.entries()) {
      const indexes = byMerchant.get(r.merchantId);
      if (indexes) indexes.push(i);
      else byMerchant.set(r.merchantId, [i]);
    }
    const results: Result[] = new Array(requests.length);
    await Promise.all(
      [...byMerchant].map(async ([merchantId, indexes]) => {
        const group = await this.runGroup(
          merchantId,
          indexes.map((i) => requests[i]!),
        );
        for (const [n, i] of indexes.entries()) results[i] = group[n]!;
      }),
    );
    return results;
  }

  private async runGroup(merchantId: string, requests: ChangeRequest<unknown>[]): Promise<Result[]> {
    try {
      return await pgTransaction(this.store, (query) => this.transaction(query, merchantId, requests));
    } catch (error) {
      const again = error instanceof RefundKeyTaken || RETRYABLE.has((error as { code?: string }).code ?? '');
      if (again && requests.length > 1) {
        return Promise.all(requests.map(async (r) => (await this.runGroup(merchantId, [r]))[0]!));
      }
      // Not known to be rolled back (COMMIT itself may have failed): running it again could move money twice.
      return requests.map(() => ({ ok: false, error }));
    }
  }

  private async transaction(
    query: TxQuery,
    merchantId: string,
    requests: ChangeRequest<unknown>[],
  ): Promise<{ commit: boolean; value: Result[] }> {
    const now = this.clock.now();
    const ids = [...new Set(requests.map((r) => r.orderId))];
    const locked = await query<Selectable<OrdersTable>>('change_lock', LOCK_MANY, [merchantId, ids]);
    const current = new Map(locked.map((row) => [row.order_id, toOrderRow(row)]));
    const changed = new Map<string, OrderRow>();
    const refunds: RefundRow[] = [];
    const events: EventInsert[] = [];
    const notifications: NotificationInsert[] = [];
    const results: Result[] = [];
    for (const request of requests) {
      let decided: Decided<unknown>;
      try {
        decided = decide(request, current.get(request.orderId), now);
      } catch (error) {
        results.push({ ok: false, error });
        continue;
      }
      if (decided.refund) {
        // A second new refund with the same key in one batch: the first one is the refund.
        if (refunds.some((r) => r.refund_trans_id === decided.refund!.refund_trans_id)) {
          results.push({ ok: true, value: 'taken' });
          continue;
        }
        refunds.push(decided.refund);
      }
      current.set(request.orderId, decided.order);
      changed.set(request.orderId, decided.order);
      events.push(...decided.events);
      const queued = await notificationsOf(request, decided.applied, now);
      notifications.push(...queued);
      results.push({
        ok: true,
        value: { order: decided.order, result: decided.result, queued: queued.length > 0 },
      });
    }
    if (changed.size === 0) return { commit: false, value: results };
    // In key order, so two batches inserting the same keys wait for each other in one order.
    refunds.sort((a, b) => (a.refund_trans_id < b.refund_trans_id ? -1 : 1));
    const [written] = await query<{ refunds: number }>('change_write', WRITE_MANY, [
      JSON.stringify(refunds),
      JSON.stringify(
        [...changed.values()].map((o) => ({ order_id: o.order_id, ...pick(o, CHANGED_COLUMNS) })),
      ),
      merchantId,
      JSON.stringify(events),
      JSON.stringify(notifications),
    ]);
    if (written!.refunds === refunds.length) return { commit: true, value: results };
    if (requests.length > 1) throw new RefundKeyTaken();
    return { commit: false, value: [{ ok: true, value: 'taken' }] };
  }
}

interface Decided<T> {
  order: OrderRow;
  applied: AppliedStep[];
  events: EventInsert[];
  refund: RefundRow | undefined;
  result: T;
}

function decide<T>(request: ChangeRequest<T>, row: OrderRow | undefined, now: number): Decided<T> {
  if (!row || row.merchant_id !== request.merchantId) throw new ApiError('ORDER_NOT_FOUND');
  const plan = request.plan(row, now);
  const { order, applied } = applyPlan(row, plan.steps, now);
  return { order, applied, events: applied.map((a) => a.row), refund: plan.newRefund, result: plan.result };
}

async function notificationsOf<T>(request: ChangeRequest<T>, applied: AppliedStep[], now: number) {
  const rows: NotificationInsert[] = [];
  for (const step of applied) {
    const row = await request.notify(step, now);
    if (row) rows.push(row);
  }
  return rows;
}

function pick<R, K extends keyof R>(row: R, keys: readonly K[]): Pick<R, K> {
  const picked = {} as Pick<R, K>;
  for (const key of keys) picked[key] = row[key];
  return picked;
}
