/**
 * An order read by its id, the read behind /payments/query, in a hand-prepared statement. On
 * PostgreSQL the lookups asked in the same turn of the event loop go out as one statement per
 * merchant (batcher.ts): one round trip, executor start and snapshot for all of them. A lookup
 * asked after a commit was answered is in a later statement, so it sees that commit.
 */
import type { Selectable } from 'kysely';
import { Batcher } from '../../store/batcher.ts';
import { rowReader } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import { type Prepared, prepare } from '../../store/prepared.ts';
import { ORDER_COLUMNS, type OrdersTable } from '../../store/schema.ts';
import type { OrderRow } from './order-row.ts';

/** repo.ts's reader, made here too: the repo reads through this file, so it cannot import the repo. */
const toOrderRow: (row: Selectable<OrdersTable>) => OrderRow = rowReader(ORDER_COLUMNS);

interface Lookup {
  merchantId: string;
  orderId: string;
}

/** Batches on their way at once, and the most lookups one carries (PostgreSQL). */
const BATCHING = { maxInFlight: 4, maxBatch: 500 };

export class OrderLookup {
  private readonly sqlite?: Prepared;
  private readonly postgres?: Batcher<Lookup, OrderRow | undefined>;

  constructor(store: Store) {
    if (store.raw.kind === 'sqlite') {
      this.sqlite = prepare(
        store,
        'order_by_id',
        'select * from orders where order_id = ? and merchant_id = ?',
        'reader',
      );
      return;
    }
    const statement = prepare(
      store,
      'orders_by_id',
      'select * from orders where merchant_id = ? and order_id = any(?::text[])',
      'reader',
    );
    this.postgres = new Batcher(async (lookups: Lookup[]) => {
      const byMerchant = new Map<string, Set<string>>();
      for (const { merchantId, orderId } of lookups) {
        byMerchant.set(merchantId, (byMerchant.get(merchantId) ?? new Set()).add(orderId));
      }
      const found = new Map<string, OrderRow>();
      await Promise.all(
        [...byMerchant].map(async ([merchantId, ids]) => {
          const rows = await statement.all<Selectable<OrdersTable>>([merchantId, [...ids]]);
          for (const row of rows) found.set(row.order_id, toOrderRow(row));
        }),
      );
      // An order id names one order, so one merchant's lookup cannot be answered another's row.
      return lookups.map((l) => {
        const row = found.get(l.orderId);
        return row?.merchant_id === l.merchantId ? row : undefined;
      });
    }, BATCHING);
  }

  async byOrderId(merchantId: string, orderId: string): Promise<OrderRow | undefined> {
    if (this.postgres) return this.postgres.submit({ merchantId, orderId });
    const [row] = await this.sqlite!.all<Selectable<OrdersTable>>([orderId, merchantId]);
    return row && toOrderRow(row);
  }
}
