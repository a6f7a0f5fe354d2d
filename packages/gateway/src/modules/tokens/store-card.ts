/**
 * Storing an approved card (docs/api.md#stored-cards-and-recurring-payments): inside the transaction that records the approval, the
 * card becomes the shopper's token — the existing one when the same card is already stored —
 * and a first recurring payment opens its agreement on that token.
 */

import type { OrderRow } from '../../core/orders/order-row.ts';
import { newId } from '../../domain/ids.ts';
import type { Tx } from '../../store/tx.ts';
import type { Vault } from '../../vault/vault.ts';
import type { AgreementRepo } from './agreement-repo.ts';
import type { TokenRepo } from './repo.ts';

export class CardStore {
  constructor(
    private readonly tokens: TokenRepo,
    private readonly agreements: AgreementRepo,
    private readonly vault: Vault,
  ) {}

  /** The order columns to set: its token, and its agreement for a first recurring payment. */
  async onApproval(tx: Tx, order: OrderRow, now: number): Promise<Partial<OrderRow>> {
    if (
      !order.store_payment_method ||
      !order.shopper_reference ||
      !order.card_ciphertext ||
      !order.card_fingerprint
    ) {
      return {};
    }
    const token = await this.tokenFor(tx, order, now);
    if (order.payment_type !== 'RECURRING' || order.recurring_agreement_id) return { token };
    const agreementId = newId('RA');
    await this.agreements.insert(tx, {
      recurring_agreement_id: agreementId,
      merchant_id: order.merchant_id,
      shopper_reference: order.shopper_reference,
      token,
      first_order_id: order.order_id,
      status: 'ACTIVE',
      created_at: now,
      updated_at: now,
    });
    return { token, recurring_agreement_id: agreementId };
  }

  private async tokenFor(tx: Tx, order: OrderRow, now: number): Promise<string> {
    const shopper = order.shopper_reference!;
    const fingerprint = order.card_fingerprint!;
    const existing = await this.tokens.activeFor(tx, order.merchant_id, shopper, fingerprint);
    if (existing) return existing.token;
    const card = this.vault.decryptCard(order.card_ciphertext!);
    const row = {
      token: newId('TK'),
      merchant_id: order.merchant_id,
      shopper_reference: shopper,
      card_fingerprint: fingerprint,
      card_ciphertext: order.card_ciphertext,
      card_bin: order.card_bin ?? card.pan.slice(0, 6),
      card_last4: order.card_last4 ?? card.pan.slice(-4),
      card_brand: order.card_brand ?? '',
      exp_month: card.exp_month,
      exp_year: card.exp_year,
      token_usage: order.token_usage ?? 'CARD_ON_FILE',
      payment_method: order.payment_method,
      status: 'ACTIVE' as const,
      created_at: now,
      updated_at: now,
    };
    if (await this.tokens.insertIfNew(tx, row)) return row.token;
    // Another approval stored the same card a moment ago: use that token.
    return (await this.tokens.activeFor(tx, order.merchant_id, shopper, fingerprint))!.token;
  }
}
