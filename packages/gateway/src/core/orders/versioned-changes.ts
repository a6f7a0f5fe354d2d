/**
 * PostgreSQL: a batch of planned changes in two round trips and no transaction of its own. The
 * orders are read (one SELECT), each change is decided on the row as read, and one statement
 * writes every refund, order, event and notification, committing on its own. That statement
 * updates an order only if the row is still the version that was read (its `xmin`, which every
 * update of the row changes), and writes an event, notification or refund only for an order it
 * updated: a change decided on a row someone changed since is written not at all, and is
 * decided again on the row as it now is. This is the lock-free form of the locked transaction
 * (BEGIN, SELECT … FOR UPDATE, write, COMMIT: four round trips); the writer falls back to that
 * when an order keeps changing under a batch (change-writer.ts).
 *
 * A new refund's taken refund_trans_id fails the whole statement (a unique violation, so
 * nothing of the batch is written) and is reported as `RefundKeyTaken`.
 */
import type { Selectable } from 'kysely';
import type { Clock } from '../../domain/clock.ts';
import type { Store } from '../../store/db.ts';
import { type Prepared, prepare } from '../../store/prepared.ts';
import type { OrdersTable } from '../../store/schema.ts';
import { type ChangeRequest, type ChangeResult, type DecidedBatch, decideBatch } from './change-decisions.ts';
import { EVENT_COLUMN_NAMES, insertFromJson, NOTIFICATION_COLUMNS } from './final-insert.ts';
import type { OrderRow } from './order-row.ts';
import type { RefundRow } from './refund-row.ts';
import { toOrderRow } from './repo.ts';

/** Every column of a refund, in the order the statements bind them. */
export const REFUND_COLUMNS = Object.keys({
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
export const CHANGED_COLUMNS = [
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

/** The constraint a taken refund_trans_id breaks (migration 001). */
const REFUND_KEY = 'refunds_merchant_trans';

const READ = `select xmin::text as row_version, * from orders
  where merchant_id = ? and order_id = any(?::text[])`;

/** Rows of `table` from a JSON parameter, only those of an order `u` updated. */
const ofUpdated = (table: string, columns: readonly string[]) =>
  `${insertFromJson(table, columns)} where order_id in (select order_id from u)`;

const WRITE = `with v as (select * from unnest(?::text[], ?::xid[]) as v(order_id, row_version)),
  u as (update orders o set ${CHANGED_COLUMNS.map((c) => `${c} = c.${c}`).join(', ')}
    from json_populate_recordset(null::orders, ?::json) c join v using (order_id)
    where o.merchant_id = ? and o.order_id = c.order_id and o.xmin = v.row_version
    returning o.order_id),
  r as (${ofUpdated('refunds', REFUND_COLUMNS)}),
  e as (${ofUpdated('order_events', EVENT_COLUMN_NAMES)}),
  n as (${ofUpdated('notifications', NOTIFICATION_COLUMNS)})
  select order_id from u`;

/** A batch whose new refund's key was taken: nothing of it was written. */
export class RefundKeyTaken extends Error {}

/**
 * Each request's result, or undefined for those to decide again: their order changed between
 * the read and the write, and nothing of them was written.
 */
export type VersionedResults = (ChangeResult | undefined)[];

export class VersionedChanges {
  private readonly read: Prepared;
  private readonly write: Prepared;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    this.read = prepare(store, 'change_read', READ, 'writer');
    this.write = prepare(store, 'change_write_versioned', WRITE, 'writer');
  }

  /** Throws `RefundKeyTaken`, or the store's error (then nothing was written, or it is not known). */
  async run(merchantId: string, requests: ChangeRequest<unknown>[]): Promise<VersionedResults> {
    const ids = [...new Set(requests.map((r) => r.orderId))];
    const rows = await this.read.all<Selectable<OrdersTable> & { row_version: string }>([merchantId, ids]);
    const versions = new Map(rows.map((row) => [row.order_id, row.row_version]));
    const current = new Map(rows.map((row) => [row.order_id, toOrderRow(row)]));
    const batch = await decideBatch(requests, current, this.clock.now());
    if (batch.changed.size === 0) return batch.results;
    const updated = await this.writeBatch(merchantId, batch, versions);
    return requests.map((request, i) =>
      batch.changed.has(request.orderId) && !updated.has(request.orderId) ? undefined : batch.results[i],
    );
  }

  private async writeBatch(
    merchantId: string,
    batch: DecidedBatch,
    versions: Map<string, string>,
  ): Promise<Set<string>> {
    const ids = [...batch.changed.keys()];
    try {
      const rows = await this.write.all<{ order_id: string }>([
        ids,
        ids.map((id) => versions.get(id)),
        JSON.stringify([...batch.changed.values()].map((o) => changedColumnsOf(o))),
        merchantId,
        JSON.stringify(batch.refunds),
        JSON.stringify(batch.events),
        JSON.stringify(batch.notifications),
      ]);
      return new Set(rows.map((r) => r.order_id));
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23505' && constraint === REFUND_KEY) throw new RefundKeyTaken();
      throw error;
    }
  }
}

export function changedColumnsOf(order: OrderRow): Record<string, unknown> {
  const picked: Record<string, unknown> = { order_id: order.order_id };
  for (const key of CHANGED_COLUMNS) picked[key] = order[key];
  return picked;
}
