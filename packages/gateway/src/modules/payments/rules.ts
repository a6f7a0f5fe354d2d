/**
 * The business rules of stored cards and recurring payments (docs/api.md#stored-cards-and-recurring-payments). A broken rule is not a
 * refusal of the request: the order is created FAILURE with the rule's code (docs/api.md#the-envelope), so the
 * trans_id is used up and the merchant sees the outcome like any decline.
 */

import type { AgreementRow, TokenRow } from '../../core/orders/stored-cards.ts';
import type { BusinessCodeName } from '../../domain/errors.ts';
import { CARD_METHODS } from '../../domain/payment-methods.ts';
import { isSubsequentRecurring, type PaymentInput } from './schemas.ts';

export interface StoredCardContext {
  /** The token named by the request, if it exists for this merchant. */
  token: TokenRow | undefined;
  /** The agreement named by the request, if it exists for this merchant. */
  agreement: AgreementRow | undefined;
}

export function storedCardRefusal(input: PaymentInput, ctx: StoredCardContext): BusinessCodeName | null {
  const p = input.payment;
  if (p.store_payment_method === true && !CARD_METHODS.has(p.payment_method)) return 'STORING_NEEDS_CARD';
  if (input.payment_type === 'RECURRING') {
    if (input.mit === undefined) return 'MIT_REQUIRED';
    if (isSubsequentRecurring(input)) {
      if (input.mit !== true) return 'SUBSEQUENT_NEEDS_MIT';
      const agreement = ctx.agreement;
      if (!agreement || agreement.shopper_reference !== p.shopper_reference) return 'AGREEMENT_NOT_FOUND';
      if (agreement.status !== 'ACTIVE') return 'AGREEMENT_INACTIVE';
      if (input.source.kind !== 'token' || agreement.token !== input.source.token) return 'TOKEN_INVALID';
    } else {
      if (input.mit !== false) return 'FIRST_NEEDS_CIT';
      if (p.store_payment_method !== true) return 'FIRST_NEEDS_STORING';
    }
  }
  if (input.source.kind === 'token') {
    const token = ctx.token;
    // Removed, unknown, or another shopper's token all look the same to the merchant.
    if (token?.status !== 'ACTIVE' || token.shopper_reference !== p.shopper_reference) return 'TOKEN_INVALID';
  }
  return null;
}
