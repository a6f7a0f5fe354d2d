/**
 * Writes planned changes of existing orders (plan.ts): capture, void, refund. Each is decided
 * on its order and written atomically with its events, its notifications and a new refund, in
 * as few round trips as that allows:
 *
 * - SQLite: one group-commit job of hand-prepared statements (the transaction is the lock).
 * - PostgreSQL: the changes asked for in the same turn of the event loop, per merchant, share
 *   two round trips: one read of every order and one statement that writes the changes of the
 *   orders still as read (versioned-changes.ts); a change whose order changed in between is
 *   decided again. An order that keeps changing under its batch (after `VERSIONED_TRIES` reads)
 *   is changed under a lock instead: a transaction of four round trips, BEGIN, one SELECT …
 *   FOR UPDATE of every order (in order_id order, so two batches never deadlock), one statement
 *   that writes everything, COMMIT.
 *
 * A new refund whose refund_trans_id is taken writes nothing of its change: alone, the caller
 * hears 'taken'; in a batch, the batch writes nothing and each of its changes runs alone.
 * Answers are given only after the commit (durable).
 */
import type { Selectable } from 'kysely';
import type { Clock } from '../../domain/clock.ts';
import { Batcher } from '../../store/batcher.ts';
import type { Store } from '../../store/db.ts';
import { pgTransaction, type TxQuery } from '../../store/pg-transaction.ts';
import { type Prepared, prepare } from '../../store/prepared.ts';
import type { OrdersTable } from '../../store/schema.ts';
import { inTransaction } from '../../store/tx.ts';
import {
  type ChangeOutcome,
  type ChangeRequest,
  type ChangeResult,
  decide,
  decideBatch,
  notificationsOf,
} from './change-decisions.ts';
import {
  EVENT_COLUMN_NAMES,
  insertFromJson,
  insertRow,
  NOTIFICATION_COLUMNS,
  values,
} from './final-insert.ts';
import { toOrderRow } from './repo.ts';
import {
  CHANGED_COLUMNS,
  changedColumnsOf,
  REFUND_COLUMNS,
  RefundKeyTaken,
  VersionedChanges,
} from './versioned-changes.ts';

export type { ChangeOutcome, ChangeRequest } from './change-decisions.ts';

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

/**
 * Reads of a batch before its orders still changing are locked instead: each read after the
 * first follows a write that found an order changed by someone else since it was read.
 */
const VERSIONED_TRIES = 3;

/** PostgreSQL's own reasons to abort a transaction before its COMMIT: running it again is safe. */
const RETRYABLE = new Set(['40P01', '40001']);

export class ChangeWriter {
  private readonly sqlite?: Record<keyof typeof SQLITE, Prepared>;
  private readonly postgres?: Batcher<ChangeRequest<unknown>, ChangeResult>;
  private readonly versioned?: VersionedChanges;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    if (store.raw.kind === 'postgres') {
      this.postgres = new Batcher((requests) => this.runBatch(requests), {
        ...BATCHING,
        meter: store.commits,
      });
      this.versioned = new VersionedChanges(store, clock);
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

  /** Per merchant (a statement names one merchant's rows); never rejects. */
  private async runBatch(requests: ChangeRequest<unknown>[]): Promise<ChangeResult[]> {
    const byMerchant = new Map<string, number[]>();
    for (const [i, r] of requests.entries()) {
      const indexes = byMerchant.get(r.merchantId);
      if (indexes) indexes.push(i);
      else byMerchant.set(r.merchantId, [i]);
    }
    const results: ChangeResult[] = new Array(requests.length);
    await Promise.all(
      [...byMerchant].map(async ([merchantId, indexes]) => {
        const group = await this.runVersioned(
          merchantId,
          indexes.map((i) => requests[i]!),
        );
        for (const [n, i] of indexes.entries()) results[i] = group[n]!;
      }),
    );
    return results;
  }

  /** Read, decide, write the orders still as read; decide again those that were not. */
  private async runVersioned(
    merchantId: string,
    requests: ChangeRequest<unknown>[],
    tries = 1,
  ): Promise<ChangeResult[]> {
    let results: (ChangeResult | undefined)[];
    try {
      results = await this.versioned!.run(merchantId, requests);
    } catch (error) {
      if (error instanceof RefundKeyTaken) {
        if (requests.length === 1) return [{ ok: true, value: 'taken' }];
        return Promise.all(requests.map(async (r) => (await this.runVersioned(merchantId, [r]))[0]!));
      }
      // A deadlock aborts the statement before it wrote anything: each change is tried alone.
      if (RETRYABLE.has((error as { code?: string }).code ?? '')) {
        if (requests.length === 1) return this.runLocked(merchantId, requests);
        return Promise.all(requests.map(async (r) => (await this.runVersioned(merchantId, [r]))[0]!));
      }
      // Not known to be written or not (the statement may have committed): running it again
      // could move money twice.
      return requests.map(() => ({ ok: false, error }));
    }
    const again = requests.filter((_, i) => results[i] === undefined);
    if (again.length === 0) return results as ChangeResult[];
    const redone =
      tries < VERSIONED_TRIES
        ? await this.runVersioned(merchantId, again, tries + 1)
        : await this.runLocked(merchantId, again);
    let next = 0;
    return results.map((result) => result ?? redone[next++]!);
  }

  private async runLocked(merchantId: string, requests: ChangeRequest<unknown>[]): Promise<ChangeResult[]> {
    try {
      return await pgTransaction(this.store, (query) => this.transaction(query, merchantId, requests));
    } catch (error) {
      const again = error instanceof RefundKeyTaken || RETRYABLE.has((error as { code?: string }).code ?? '');
      if (again && requests.length > 1) {
        return Promise.all(requests.map(async (r) => (await this.runLocked(merchantId, [r]))[0]!));
      }
      // Not known to be rolled back (COMMIT itself may have failed): running it again could move money twice.
      return requests.map(() => ({ ok: false, error }));
    }
  }

  private async transaction(
    query: TxQuery,
    merchantId: string,
    requests: ChangeRequest<unknown>[],
  ): Promise<{ commit: boolean; value: ChangeResult[] }> {
    const ids = [...new Set(requests.map((r) => r.orderId))];
    const locked = await query<Selectable<OrdersTable>>('change_lock', LOCK_MANY, [merchantId, ids]);
    const current = new Map(locked.map((row) => [row.order_id, toOrderRow(row)]));
    const batch = await decideBatch(requests, current, this.clock.now());
    if (batch.changed.size === 0) return { commit: false, value: batch.results };
    const [written] = await query<{ refunds: number }>('change_write', WRITE_MANY, [
      JSON.stringify(batch.refunds),
      JSON.stringify([...batch.changed.values()].map((o) => changedColumnsOf(o))),
      merchantId,
      JSON.stringify(batch.events),
      JSON.stringify(batch.notifications),
    ]);
    if (written!.refunds === batch.refunds.length) return { commit: true, value: batch.results };
    if (requests.length > 1) throw new RefundKeyTaken();
    return { commit: false, value: [{ ok: true, value: 'taken' }] };
  }
}
