/** SQL for recurring agreements. */

import type { AgreementRow } from '../../core/orders/stored-cards.ts';
import type { Store } from '../../store/db.ts';
import type { Tx } from '../../store/tx.ts';

export class AgreementRepo {
  constructor(private readonly store: Store) {}

  async insert(tx: Tx, row: AgreementRow): Promise<void> {
    await tx.insertInto('agreements').values(row).execute();
  }

  async get(merchantId: string, agreementId: string): Promise<AgreementRow | undefined> {
    const row = await this.store.reader
      .selectFrom('agreements')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('recurring_agreement_id', '=', agreementId)
      .executeTakeFirst();
    return row && { ...row, created_at: Number(row.created_at), updated_at: Number(row.updated_at) };
  }

  /** False when the merchant has no such agreement for this shopper, or it is already inactive. */
  async cancel(
    merchantId: string,
    shopperReference: string,
    agreementId: string,
    now: number,
  ): Promise<boolean> {
    const result = await this.store.writer
      .updateTable('agreements')
      .set({ status: 'INACTIVE', updated_at: now })
      .where('merchant_id', '=', merchantId)
      .where('shopper_reference', '=', shopperReference)
      .where('recurring_agreement_id', '=', agreementId)
      .where('status', '=', 'ACTIVE')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
