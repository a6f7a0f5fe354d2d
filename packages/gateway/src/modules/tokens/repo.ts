/** SQL for stored cards (tokens). */
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { TokenRow } from '../../core/orders/stored-cards.ts';
import { toNumber } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import type { TokensTable } from '../../store/schema.ts';
import type { Tx } from '../../store/tx.ts';

export class TokenRepo {
  constructor(private readonly store: Store) {}

  /** Inserts unless the shopper already has an active token for this card (the partial unique index decides). */
  async insertIfNew(tx: Tx, row: TokenRow): Promise<boolean> {
    const inserted = await tx
      .insertInto('tokens')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['merchant_id', 'shopper_reference', 'card_fingerprint'])
          // Written as a literal: SQLite matches a partial index's predicate textually.
          .where(sql<boolean>`status = 'ACTIVE'`)
          .doNothing(),
      )
      .returning('token')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async activeFor(
    tx: Tx,
    merchantId: string,
    shopperReference: string,
    fingerprint: string,
  ): Promise<TokenRow | undefined> {
    const row = await tx
      .selectFrom('tokens')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('shopper_reference', '=', shopperReference)
      .where('card_fingerprint', '=', fingerprint)
      .where('status', '=', 'ACTIVE')
      .executeTakeFirst();
    return row && toTokenRow(row);
  }

  async get(merchantId: string, token: string): Promise<TokenRow | undefined> {
    const row = await this.store.reader
      .selectFrom('tokens')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('token', '=', token)
      .executeTakeFirst();
    return row && toTokenRow(row);
  }

  async listActive(merchantId: string, shopperReference: string): Promise<TokenRow[]> {
    const rows = await this.store.reader
      .selectFrom('tokens')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('shopper_reference', '=', shopperReference)
      .where('status', '=', 'ACTIVE')
      .orderBy('created_at')
      .orderBy('token')
      .execute();
    return rows.map(toTokenRow);
  }

  /** Deactivates the token and deletes its card data. False when no such active token exists. */
  async remove(merchantId: string, shopperReference: string, token: string, now: number): Promise<boolean> {
    const result = await this.store.writer
      .updateTable('tokens')
      .set({ status: 'INACTIVE', card_ciphertext: null, updated_at: now })
      .where('merchant_id', '=', merchantId)
      .where('shopper_reference', '=', shopperReference)
      .where('token', '=', token)
      .where('status', '=', 'ACTIVE')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

function toTokenRow(row: Selectable<TokensTable>): TokenRow {
  return {
    ...row,
    exp_month: toNumber(row.exp_month),
    exp_year: toNumber(row.exp_year),
    created_at: toNumber(row.created_at),
    updated_at: toNumber(row.updated_at),
  };
}
