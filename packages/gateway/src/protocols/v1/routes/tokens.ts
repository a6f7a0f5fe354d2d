/**
 * /payments/token/query (an array of the shopper's active tokens) and /payments/token/remove
 * (no data). Removing a token deletes its card data; a removed token is no longer listed.
 */
import type { Token, TokenUsage } from '@openkka/sdk';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { identifier, text } from '../../../core/input/fields.ts';
import { parseBody } from '../../../core/input/validate.ts';
import type { TokenRow } from '../../../core/orders/stored-cards.ts';
import type { Clock } from '../../../domain/clock.ts';
import { ApiError } from '../../../domain/errors.ts';
import { ANSWERS_FROM_READS } from '../../../http/durable-reads.ts';
import type { TokenRepo } from '../../../modules/tokens/repo.ts';
import { sendOk } from '../envelope.ts';

const querySchema = z.object({ shopper_reference: identifier(64) });
const removeSchema = z.object({ token: text(64), shopper_reference: identifier(64) });

export function tokenRoutes(app: FastifyInstance, deps: { tokens: TokenRepo; clock: Clock }): void {
  app.post('/payments/token/query', ANSWERS_FROM_READS, async (request, reply) => {
    const auth = request.auth!;
    const { shopper_reference } = parseBody(querySchema, auth.body);
    const rows = await deps.tokens.listActive(auth.merchant.merchant_id, shopper_reference);
    return sendOk(reply, deps.clock, rows.map(tokenView));
  });

  app.post('/payments/token/remove', async (request, reply) => {
    const auth = request.auth!;
    const { token, shopper_reference } = parseBody(removeSchema, auth.body);
    const removed = await deps.tokens.remove(
      auth.merchant.merchant_id,
      shopper_reference,
      token,
      deps.clock.now(),
    );
    if (!removed) throw new ApiError('TOKEN_NOT_FOUND');
    return sendOk(reply, deps.clock);
  });
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
