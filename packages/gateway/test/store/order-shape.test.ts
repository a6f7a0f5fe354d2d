/**
 * The order's shape is declared once (ORDER_COLUMNS, ORDER_EVENT_COLUMNS) and the table types,
 * rows, column lists and readers are derived from it; the migrations are the other half. These
 * tests fail when the two drift apart: a column migrated but not declared (or the reverse), a
 * type or a NULL allowed on one side only, or a number column the reader leaves as the driver's
 * string (PostgreSQL answers int8 that way).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinalOrderInsert } from '../../src/core/orders/final-insert.ts';
import { newOrderRow, type OrderEvent, type OrderRow } from '../../src/core/orders/order-row.ts';
import { OrderRepo } from '../../src/core/orders/repo.ts';
import type { Columns } from '../../src/store/columns.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { ORDER_COLUMNS, ORDER_EVENT_COLUMNS } from '../../src/store/schema.ts';
import { inTransaction } from '../../src/store/tx.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';

let testStore: TestStore;
let store: Store;

beforeAll(async () => {
  testStore = await createTestStore();
  store = await openStore({ databaseUrl: testStore.databaseUrl, dataDir: testStore.dataDir });
  await store.writer
    .insertInto('merchants')
    .values({
      merchant_id: 'M1',
      name: 'shape',
      status: 'ACTIVE',
      notify_url: null,
      client_key: null,
      previous_client_key: null,
      previous_client_key_expires_at: null,
      created_at: 1,
      updated_at: 1,
    })
    .execute();
});

afterAll(async () => {
  await store?.close();
  await testStore?.drop();
});

interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
}

const byName = (a: ColumnInfo, b: ColumnInfo) => a.name.localeCompare(b.name);

function declared(columns: Columns): ColumnInfo[] {
  return Object.entries(columns)
    .map(([name, c]) => ({ name, type: c.type, nullable: c.nullable }))
    .sort(byName);
}

/** The table as the migrations left it, in the same terms as the declaration. */
async function migrated(table: string): Promise<ColumnInfo[]> {
  if (store.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; type: string; notnull: number; pk: number }>`
      select name, type, "notnull", pk from pragma_table_info(${table})`.execute(store.writer);
    // A SQLite primary key other than INTEGER admits NULL by the letter, but the key never is.
    return rows
      .map((r) => ({ name: r.name, type: r.type.toLowerCase(), nullable: r.notnull === 0 && r.pk === 0 }))
      .sort(byName);
  }
  const { rows } = await sql<{ column_name: string; data_type: string; is_nullable: string }>`
    select column_name, data_type, is_nullable from information_schema.columns
    where table_schema = current_schema() and table_name = ${table}`.execute(store.writer);
  return rows
    .map((r) => ({ name: r.column_name, type: r.data_type, nullable: r.is_nullable === 'YES' }))
    .sort(byName);
}

describe('the declared order shape', () => {
  it('names every column of orders with its migrated type and nullability', async () => {
    expect(declared(ORDER_COLUMNS)).toEqual(await migrated('orders'));
  });

  it('names every column of order_events with its migrated type and nullability', async () => {
    expect(declared(ORDER_EVENT_COLUMNS)).toEqual(await migrated('order_events'));
  });

  // Every column set, numbers past 32 bits, so a number column left as text would come back a string.
  const BIG = 2 ** 40;
  const full = (orderId: string, transId: string): OrderRow =>
    newOrderRow({
      order_id: orderId,
      merchant_id: 'M1',
      trans_id: transId,
      payment_type: 'RECURRING',
      authorisation_type: 'PRE_AUTH',
      capture_method: 'MANUAL',
      payment_method: 'BANKCARD',
      amount: BIG + 1,
      currency: 'USD',
      notify_url: 'https://merchant.example/notify',
      return_url: 'https://merchant.example/return',
      expire_at: BIG + 2,
      mit: 1,
      shopper_reference: 'shopper',
      card_fingerprint: 'fingerprint',
      card_ciphertext: 'ciphertext',
      card_bin: '424242',
      card_last4: '4242',
      card_brand: 'VISA',
      error_code: '0000',
      error_description: 'Approved',
      authed_amount: BIG + 3,
      captured_amount: BIG + 4,
      voided_amount: BIG + 5,
      refunded_amount: BIG + 6,
      refunding_amount: BIG + 7,
      processing_until: BIG + 8,
      pay_finish_at: BIG + 9,
      auth_expires_at: BIG + 10,
      acquirer_ref: 'acq',
      created_at: BIG + 11,
      updated_at: BIG + 12,
      reconcile_attempts: 3,
      next_reconcile_at: BIG + 13,
      event_seq: 1,
      token: 'tok',
      recurring_agreement_id: 'agr',
      store_payment_method: 1,
      token_usage: 'UNSCHEDULED',
      authentication_result: '{"eci":"05"}',
      session_id: 'sess',
      wire: 'v3',
    });

  it('reads back every column as written, by the hand-written insert and by Kysely', async () => {
    const repo = new OrderRepo(store);
    const viaFinal = full('GW-shape-1', 'T1');
    const event: OrderEvent = {
      order_id: viaFinal.order_id,
      seq: 1,
      type: 'AUTHORIZATION',
      amount: BIG + 14,
      status: 'AUTHORIZED',
      refund_order_id: 'R1',
      created_at: BIG + 15,
    };
    expect(await new FinalOrderInsert(store).run(viaFinal, event, null)).toBe(true);
    const viaKysely = full('GW-shape-2', 'T2');
    expect(await inTransaction(store, (tx) => repo.insertIfNew(tx, viaKysely))).toBe(true);

    expect(await repo.byOrderIdAny(viaFinal.order_id)).toStrictEqual(viaFinal);
    expect(await repo.byOrderIdAny(viaKysely.order_id)).toStrictEqual(viaKysely);
    expect(await repo.events(viaFinal.order_id)).toStrictEqual([event]);
  });

  it('starts a new order empty but for what it is given', () => {
    const required = {
      order_id: 'GW-new',
      merchant_id: 'M1',
      trans_id: 'T-new',
      payment_type: 'PURCHASE',
      authorisation_type: 'FINAL_AUTH',
      capture_method: 'AUTOMATIC',
      payment_method: 'BANKCARD',
      amount: 100,
      currency: 'USD',
      expire_at: 2_000,
      created_at: 1_000,
    } as const;
    const row = newOrderRow({ ...required, notify_url: 'https://merchant.example/notify' });
    expect(Object.keys(row).sort()).toEqual(Object.keys(ORDER_COLUMNS).sort());
    expect(row).toMatchObject({
      ...required,
      status: 'PROCESSING',
      notify_url: 'https://merchant.example/notify',
      updated_at: 1_000,
      authed_amount: 0,
      event_seq: 0,
      card_ciphertext: null,
      wire: 'v1.2',
    });
  });
});
