/** SQL for the notification outbox and its delivery attempts. */
import { type Selectable, sql } from 'kysely';
import type { Wire } from '../../domain/wire.ts';
import { toNumber, toNumberOrNull } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import type { NotificationStatus, NotificationsTable } from '../../store/schema.ts';
import { forUpdate, type Tx } from '../../store/tx.ts';

/**
 * `status = 'PENDING'` as a literal, not a parameter: the claim's index holds only pending rows
 * (migrations 017 and 021), and a planner uses it only for a query that names the same value.
 */
const PENDING = sql.lit<NotificationStatus>('PENDING');

export interface NotificationRow {
  notify_id: string;
  merchant_id: string;
  order_id: string;
  event_seq: number;
  notify_type: string;
  url: string;
  body: string;
  status: NotificationStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
  updated_at: number;
  /** The API request whose event this notifies, sent as X-Request-ID; null for the jobs' events. */
  request_id: string | null;
}

/**
 * A notification claimed for an attempt, with what its protocol is decided by at that moment:
 * the merchant's override, else the wire its order was created over, and the order's session.
 */
export interface ClaimedNotification extends NotificationRow {
  protocol: Wire;
  /** The checkout session the order was paid through, else null. */
  session_id: string | null;
}

export interface AttemptRow {
  notify_id: string;
  attempt: number;
  started_at: number;
  latency_ms: number;
  http_status: number | null;
  error: string | null;
  delivered: number;
  /** The first characters of the receiver's answer (ANSWER_EXCERPT_LENGTH); null without one. */
  answer_excerpt: string | null;
  /** The request id the attempt sent as X-Request-ID, else null. */
  request_id: string | null;
}

export class NotificationRepo {
  constructor(private readonly store: Store) {}

  async insert(tx: Tx, row: NotificationRow): Promise<void> {
    await tx.insertInto('notifications').values(row).execute();
  }

  /**
   * Pending notifications due by `now`, counted up to `limit`: a scan of the pending index
   * (migration 021) that stops at `limit`, so a store with millions of rows costs no more.
   */
  async countDue(now: number, limit: number): Promise<number> {
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from (
        select 1 from notifications where status = ${PENDING} and next_attempt_at <= ${now} limit ${limit}
      ) due`.execute(this.store.reader);
    return toNumber(rows[0]?.n ?? 0);
  }

  /**
   * The merchants with a pending notification due by `now`, each with its earliest due time.
   * A loose scan of the pending index: one probe per merchant that has pending rows, however
   * many rows each has (migrations 017 and 021).
   */
  async dueMerchants(tx: Tx, now: number): Promise<{ merchantId: string; firstDue: number }[]> {
    const { rows } = await sql<{ merchant_id: string; first_due: number | string }>`
      with recursive m(merchant_id) as (
        select (select merchant_id from notifications where status = ${PENDING}
                order by merchant_id limit 1)
        union all
        select (select merchant_id from notifications where status = ${PENDING} and merchant_id > m.merchant_id
                order by merchant_id limit 1)
        from m where m.merchant_id is not null
      )
      select merchant_id, first_due from (
        select m.merchant_id,
          (select min(next_attempt_at) from notifications
           where status = ${PENDING} and merchant_id = m.merchant_id) as first_due
        from m where m.merchant_id is not null
      ) d where first_due <= ${now}`.execute(tx);
    return rows.map((r) => ({ merchantId: r.merchant_id, firstDue: toNumber(r.first_due) }));
  }

  /**
   * Up to `limit` of one merchant's due notifications, oldest due first, locked until the
   * transaction ends (SKIP LOCKED on PostgreSQL: rows another process is claiming are left to
   * it). A notification waits while an earlier one of the same order is still pending: each
   * order's events arrive in order. The protocol is read with the claim, so a merchant's
   * override applies from its next attempt. The pending index is in this order (migration
   * 021), so the claim reads only the rows it takes, however many are due at once.
   */
  async lockDue(tx: Tx, merchantId: string, now: number, limit: number): Promise<ClaimedNotification[]> {
    let query = tx
      .selectFrom('notifications as n')
      .leftJoin('orders as o', 'o.order_id', 'n.order_id')
      .leftJoin('merchants as m', 'm.merchant_id', 'n.merchant_id')
      .selectAll('n')
      .select(['o.wire as order_wire', 'o.session_id as order_session_id', 'm.notify_protocol'])
      .where('n.merchant_id', '=', merchantId)
      .where('n.status', '=', PENDING)
      .where('n.next_attempt_at', '<=', now)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('notifications as p')
              .select('p.notify_id')
              .whereRef('p.order_id', '=', 'n.order_id')
              .where('p.status', '=', PENDING)
              .whereRef('p.event_seq', '<', 'n.event_seq'),
          ),
        ),
      )
      .orderBy('n.next_attempt_at')
      .orderBy('n.notify_id')
      .limit(limit);
    // Only the notifications are locked: orders and merchants are read, never held.
    if (this.store.dialect === 'postgres') query = query.forUpdate('n').skipLocked();
    return (await query.execute()).map(
      ({ order_wire, order_session_id, notify_protocol, ...n }): ClaimedNotification => ({
        ...toNotificationRow(n),
        // The column's check lets nothing but a Wire in (migration 014).
        protocol: notify_protocol ?? (order_wire as Wire | null) ?? 'v1.2',
        session_id: order_session_id ?? null,
      }),
    );
  }

  /**
   * Claims locked notifications by pushing their next attempt out by a lease, so no other
   * dispatcher (or process) takes them meanwhile; a crashed process's lease simply expires.
   */
  async lease(tx: Tx, notifyIds: string[], leaseUntil: number): Promise<void> {
    if (notifyIds.length === 0) return;
    await tx
      .updateTable('notifications')
      .set({ next_attempt_at: leaseUntil })
      .where('notify_id', 'in', notifyIds)
      .execute();
  }

  /** The notification's attempt count and status as they are now, locked until the transaction ends. */
  async lockState(tx: Tx, notifyId: string): Promise<{ attempts: number; status: NotificationStatus }> {
    const row = await forUpdate(
      this.store,
      tx.selectFrom('notifications').select(['attempts', 'status']).where('notify_id', '=', notifyId),
    ).executeTakeFirstOrThrow();
    return { attempts: toNumber(row.attempts), status: row.status };
  }

  async recordAttempt(tx: Tx, attempt: AttemptRow, changes: Partial<NotificationRow>): Promise<void> {
    await tx.insertInto('notification_attempts').values(attempt).execute();
    await tx.updateTable('notifications').set(changes).where('notify_id', '=', attempt.notify_id).execute();
  }

  async get(notifyId: string): Promise<NotificationRow | undefined> {
    const row = await this.store.reader
      .selectFrom('notifications')
      .selectAll()
      .where('notify_id', '=', notifyId)
      .executeTakeFirst();
    return row && toNotificationRow(row);
  }

  async list(filter: {
    status?: NotificationStatus;
    orderId?: string;
    limit?: number;
  }): Promise<NotificationRow[]> {
    let query = this.store.reader.selectFrom('notifications').selectAll();
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.orderId) query = query.where('order_id', '=', filter.orderId);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('notify_id')
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(toNotificationRow);
  }

  async attempts(notifyId: string): Promise<AttemptRow[]> {
    const rows = await this.store.reader
      .selectFrom('notification_attempts')
      .selectAll()
      .where('notify_id', '=', notifyId)
      .orderBy('attempt')
      .execute();
    return rows.map((r) => ({
      ...r,
      attempt: toNumber(r.attempt),
      started_at: toNumber(r.started_at),
      latency_ms: toNumber(r.latency_ms),
      http_status: toNumberOrNull(r.http_status),
      delivered: toNumber(r.delivered),
    }));
  }

  /**
   * Makes a notification due now. Its attempt count is kept: a failed one gets one more
   * attempt (and stays FAILED if that fails too); a pending one is tried at once, then
   * continues its schedule.
   */
  async requeue(notifyId: string, now: number): Promise<boolean> {
    const result = await this.store.writer
      .updateTable('notifications')
      .set({ status: 'PENDING', next_attempt_at: now, updated_at: now })
      .where('notify_id', '=', notifyId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async merchantNotifyUrl(tx: Tx, merchantId: string): Promise<string | null> {
    const row = await tx
      .selectFrom('merchants')
      .select('notify_url')
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    return row?.notify_url ?? null;
  }
}

function toNotificationRow(row: Selectable<NotificationsTable>): NotificationRow {
  return {
    ...row,
    event_seq: toNumber(row.event_seq),
    attempts: toNumber(row.attempts),
    next_attempt_at: toNumberOrNull(row.next_attempt_at),
    delivered_at: toNumberOrNull(row.delivered_at),
    created_at: toNumber(row.created_at),
    updated_at: toNumber(row.updated_at),
  };
}
