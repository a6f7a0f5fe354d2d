/** SQL for merchants and their public keys. No rules here: the service decides. */
import type { ClientKeys } from '../../domain/client-key.ts';
import type { Wire } from '../../domain/wire.ts';
import { toNumber } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import { type Prepared, prepare } from '../../store/prepared.ts';

export interface MerchantRow extends ClientKeys {
  merchant_id: string;
  name: string;
  status: 'ACTIVE' | 'DISABLED';
  notify_url: string | null;
  /** Whether it ever created a checkout session (its direct payments then check trans_ids against them). */
  uses_checkout: boolean;
  /** The PayKKa v3 app id when it is not the merchant id; null: the merchant id is. */
  app_id: string | null;
  /** The protocol all its notifications speak; null: each in the wire its order was created over. */
  notify_protocol: Wire | null;
  created_at: number;
}

export interface MerchantKeyRow {
  key_id: string;
  merchant_id: string;
  public_key_pem: string;
  created_at: number;
}

export class MerchantRepo {
  private readonly authLookup: Prepared;

  constructor(private readonly store: Store) {
    this.authLookup = prepare(
      store,
      'merchant_auth',
      `select m.merchant_id, m.name, m.status, m.notify_url, m.uses_checkout, m.created_at,
              m.client_key, m.previous_client_key, m.previous_client_key_expires_at, m.app_id,
              m.notify_protocol, k.key_id
       from merchants m left join merchant_keys k on k.merchant_id = m.merchant_id
       where m.merchant_id = ? order by k.created_at`,
      'reader',
    );
  }

  async insert(merchant: MerchantRow, key: MerchantKeyRow): Promise<void> {
    await this.store.writer.transaction().execute(async (tx) => {
      await tx
        .insertInto('merchants')
        .values({
          ...merchant,
          uses_checkout: merchant.uses_checkout ? 1 : 0,
          updated_at: merchant.created_at,
        })
        .execute();
      await tx.insertInto('merchant_keys').values(key).execute();
    });
  }

  async find(merchantId: string): Promise<MerchantRow | undefined> {
    const row = await this.store.reader
      .selectFrom('merchants')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    return row && toMerchant(row);
  }

  /**
   * The merchant and the ids of its keys (oldest first), in one statement: what request
   * authentication reads on every request. Key material is fetched only for ids not seen before.
   */
  async findWithKeyIds(merchantId: string): Promise<{ merchant: MerchantRow; keyIds: string[] } | undefined> {
    const rows = await this.authLookup.all<Parameters<typeof toMerchant>[0] & { key_id: string | null }>([
      merchantId,
    ]);
    const first = rows[0];
    if (!first) return undefined;
    const keyIds = rows.flatMap((r) => (r.key_id === null ? [] : [r.key_id]));
    return { merchant: toMerchant(first), keyIds };
  }

  /** The merchant whose current or previous client key this is (grace not checked here). */
  async findByClientKey(clientKey: string): Promise<MerchantRow | undefined> {
    const row = await this.store.reader
      .selectFrom('merchants')
      .selectAll()
      .where((eb) => eb.or([eb('client_key', '=', clientKey), eb('previous_client_key', '=', clientKey)]))
      .executeTakeFirst();
    return row && toMerchant(row);
  }

  /**
   * Makes `clientKey` the current key in one statement. The key it replaces becomes the previous
   * one until `previousExpiresAt`, or is dropped at once when that is null; a previous key
   * still in its grace period is dropped either way. SQL reads `client_key` on the right-hand
   * side as it was before the update.
   */
  async rotateClientKey(
    merchantId: string,
    clientKey: string,
    previousExpiresAt: number | null,
    now: number,
  ): Promise<MerchantRow | undefined> {
    const result = await this.store.writer
      .updateTable('merchants')
      .set((eb) => ({
        previous_client_key: previousExpiresAt === null ? null : eb.ref('client_key'),
        previous_client_key_expires_at: previousExpiresAt,
        client_key: clientKey,
        updated_at: now,
      }))
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n ? this.find(merchantId) : undefined;
  }

  async list(): Promise<MerchantRow[]> {
    const rows = await this.store.reader.selectFrom('merchants').selectAll().orderBy('created_at').execute();
    return rows.map(toMerchant);
  }

  async count(): Promise<number> {
    const row = await this.store.reader
      .selectFrom('merchants')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async setStatus(merchantId: string, status: MerchantRow['status'], now: number): Promise<boolean> {
    const result = await this.store.writer
      .updateTable('merchants')
      .set({ status, updated_at: now })
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Marks the merchant as one that uses checkout sessions; true when this call changed it. */
  async markUsesCheckout(merchantId: string): Promise<boolean> {
    const result = await this.store.writer
      .updateTable('merchants')
      .set({ uses_checkout: 1 })
      .where('merchant_id', '=', merchantId)
      .where('uses_checkout', '=', 0)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** The merchant that took `appId` as its own v3 app id. */
  async merchantIdByAppId(appId: string): Promise<string | undefined> {
    const row = await this.store.reader
      .selectFrom('merchants')
      .select('merchant_id')
      .where('app_id', '=', appId)
      .executeTakeFirst();
    return row?.merchant_id;
  }

  /** Gives the merchant `appId` (null: back to its merchant id); false when there is no such merchant. */
  async setAppId(merchantId: string, appId: string | null, now: number): Promise<boolean> {
    const result = await this.store.writer
      .updateTable('merchants')
      .set({ app_id: appId, updated_at: now })
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Sets (null: clears) the protocol of all the merchant's notifications; false when there is no such merchant. */
  async setNotifyProtocol(merchantId: string, protocol: Wire | null, now: number): Promise<boolean> {
    const result = await this.store.writer
      .updateTable('merchants')
      .set({ notify_protocol: protocol, updated_at: now })
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setNotifyUrl(merchantId: string, url: string | null, now: number): Promise<boolean> {
    const result = await this.store.writer
      .updateTable('merchants')
      .set({ notify_url: url, updated_at: now })
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async keys(merchantId: string): Promise<MerchantKeyRow[]> {
    const rows = await this.store.reader
      .selectFrom('merchant_keys')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({ ...r, created_at: toNumber(r.created_at) }));
  }

  async addKey(key: MerchantKeyRow): Promise<void> {
    await this.store.writer.insertInto('merchant_keys').values(key).execute();
  }

  async removeKey(merchantId: string, keyId: string): Promise<boolean> {
    const result = await this.store.writer
      .deleteFrom('merchant_keys')
      .where('merchant_id', '=', merchantId)
      .where('key_id', '=', keyId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

function toMerchant(row: {
  merchant_id: string;
  name: string;
  status: 'ACTIVE' | 'DISABLED';
  notify_url: string | null;
  uses_checkout: number | string;
  created_at: number | string;
  client_key: string | null;
  previous_client_key: string | null;
  previous_client_key_expires_at: number | string | null;
  app_id: string | null;
  notify_protocol: Wire | null;
}): MerchantRow {
  return {
    merchant_id: row.merchant_id,
    name: row.name,
    status: row.status,
    notify_url: row.notify_url,
    uses_checkout: Number(row.uses_checkout) === 1,
    app_id: row.app_id,
    notify_protocol: row.notify_protocol,
    created_at: toNumber(row.created_at),
    // Migration 010 gave every merchant a key and every insert sets one.
    client_key: row.client_key ?? '',
    previous_client_key: row.previous_client_key,
    previous_client_key_expires_at:
      row.previous_client_key_expires_at === null ? null : toNumber(row.previous_client_key_expires_at),
  };
}
