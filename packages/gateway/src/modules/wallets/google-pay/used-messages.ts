/**
 * Replay protection: a token's messageId belongs to the first payment (merchant, trans_id) it
 * arrived with. The primary key decides between concurrent payments; the one that loses is
 * refused (5025) while a replay of the winner (same trans_id) goes on to answer its order.
 */
import type { Store } from '../../../store/db.ts';

/** How often the expiry job deletes the messages of expired tokens: a delete every second is not worth it. */
const PRUNE_EVERY_MS = 10 * 60_000;

export class UsedGooglePayMessages {
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly store: Store) {}

  /**
   * Forgets the messages of tokens that have expired: such a token is refused (5024) before
   * its message is looked up, and a replay of its payment is answered by the order's trans_id.
   * Returns how many were deleted.
   */
  async pruneExpired(now: number): Promise<number> {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return 0;
    this.prunedAt = now;
    const result = await this.store.writer
      .deleteFrom('google_pay_messages')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Whether the message is this payment's: newly claimed now, or claimed by it before. */
  async claim(
    message: { messageId: string; expiresAt: number },
    payment: { merchantId: string; transId: string },
    now: number,
  ): Promise<boolean> {
    await this.store.writer
      .insertInto('google_pay_messages')
      .values({
        message_id: message.messageId,
        merchant_id: payment.merchantId,
        trans_id: payment.transId,
        expires_at: message.expiresAt,
        created_at: now,
      })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
    const owner = await this.store.writer
      .selectFrom('google_pay_messages')
      .select(['merchant_id', 'trans_id'])
      .where('message_id', '=', message.messageId)
      .executeTakeFirst();
    return owner?.merchant_id === payment.merchantId && owner.trans_id === payment.transId;
  }
}
