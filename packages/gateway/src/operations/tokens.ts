/**
 * A shopper's stored cards: the list of active tokens, and removing one (no data). Removing a
 * token deletes its card data; a removed token is no longer listed.
 */
import type { Token, TokenUsage } from '@openkka/sdk';
import { z } from 'zod';
import { identifier, text } from '../core/input/fields.ts';
import { parseBody } from '../core/input/validate.ts';
import type { TokenRow } from '../core/orders/stored-cards.ts';
import type { Clock } from '../domain/clock.ts';
import { ApiError } from '../domain/errors.ts';
import type { TokenRepo } from '../modules/tokens/repo.ts';
import type { Operation } from './types.ts';

export const tokenQuerySchema = z.object({ shopper_reference: identifier(64) });
export const tokenRemoveSchema = z.object({ token: text(64), shopper_reference: identifier(64) });

export function tokenOperations(deps: { tokens: TokenRepo; clock: Clock }): {
  queryTokens: Operation;
  removeToken: Operation;
} {
  return {
    queryTokens: {
      read: true,
      async run({ merchant, body }) {
        const { shopper_reference } = parseBody(tokenQuerySchema, body);
        const rows = await deps.tokens.listActive(merchant.merchant_id, shopper_reference);
        return rows.map(tokenView);
      },
    },
    removeToken: {
      read: false,
      async run({ merchant, body }) {
        const { token, shopper_reference } = parseBody(tokenRemoveSchema, body);
        const removed = await deps.tokens.remove(
          merchant.merchant_id,
          shopper_reference,
          token,
          deps.clock.now(),
        );
        if (!removed) throw new ApiError('TOKEN_NOT_FOUND');
        return undefined;
      },
    },
  };
}

/** As docs/api.md#stored-cards-and-recurring-payments says: `ACTIVATE` is PayKKa's word for an active token. */
function tokenView(row: TokenRow): Token {
  return {
    token: row.token,
    token_usage: row.token_usage as TokenUsage,
    payment_method: row.payment_method,
    status: 'ACTIVATE',
    shopper_reference: row.shopper_reference,
    card_info: {
      bin: row.card_bin,
      last4: row.card_last4,
      card_brand: row.card_brand,
      exp_month: String(row.exp_month).padStart(2, '0'),
      // The card checks read a two-digit year as 20xx; the token shows the year meant (a card
      // stored with exp_year "30" listed "30", not "2030").
      exp_year: String(row.exp_year < 100 ? 2000 + row.exp_year : row.exp_year),
    },
  };
}
