/** SQL for 3-D Secure challenges. */
import type { Selectable } from 'kysely';
import { toNumber } from '../../store/columns.ts';
import type { Store } from '../../store/db.ts';
import type { ChallengesTable } from '../../store/schema.ts';
import type { Tx } from '../../store/tx.ts';

export type ChallengeRow = Omit<
  Selectable<ChallengesTable>,
  'attempts' | 'expires_at' | 'created_at' | 'updated_at'
> & {
  attempts: number;
  expires_at: number;
  created_at: number;
  updated_at: number;
};

export class ChallengeRepo {
  constructor(private readonly store: Store) {}

  async insert(tx: Tx, row: ChallengeRow): Promise<void> {
    await tx.insertInto('challenges').values(row).execute();
  }

  async get(challengeId: string, tx: Tx = this.store.reader): Promise<ChallengeRow | undefined> {
    const row = await tx
      .selectFrom('challenges')
      .selectAll()
      .where('challenge_id', '=', challengeId)
      .executeTakeFirst();
    return row && toChallengeRow(row);
  }

  async byOrder(tx: Tx, orderId: string): Promise<ChallengeRow | undefined> {
    const row = await tx
      .selectFrom('challenges')
      .selectAll()
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    return row && toChallengeRow(row);
  }

  async update(tx: Tx, challengeId: string, changes: Partial<ChallengeRow>): Promise<void> {
    await tx.updateTable('challenges').set(changes).where('challenge_id', '=', challengeId).execute();
  }

  /** Pending challenges whose shopper ran out of time. */
  async dueForExpiry(now: number, limit: number): Promise<ChallengeRow[]> {
    const rows = await this.store.reader
      .selectFrom('challenges')
      .selectAll()
      .where('status', '=', 'PENDING')
      .where('expires_at', '<=', now)
      .limit(limit)
      .execute();
    return rows.map(toChallengeRow);
  }
}

function toChallengeRow(row: Selectable<ChallengesTable>): ChallengeRow {
  return {
    ...row,
    attempts: toNumber(row.attempts),
    expires_at: toNumber(row.expires_at),
    created_at: toNumber(row.created_at),
    updated_at: toNumber(row.updated_at),
  };
}
