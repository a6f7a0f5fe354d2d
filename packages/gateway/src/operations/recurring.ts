/** Cancelling a recurring agreement: it becomes inactive; later MITs on it fail with 2016. No data. */
import { z } from 'zod';
import { identifier, text } from '../core/input/fields.ts';
import { parseBody } from '../core/input/validate.ts';
import type { Clock } from '../domain/clock.ts';
import { ApiError } from '../domain/errors.ts';
import type { AgreementRepo } from '../modules/tokens/agreement-repo.ts';
import type { Operation } from './types.ts';

export const recurringCancelSchema = z.object({
  recurring_agreement_id: text(64),
  shopper_reference: identifier(64),
});

export function recurringOperations(deps: { agreements: AgreementRepo; clock: Clock }): {
  cancelRecurring: Operation;
} {
  return {
    cancelRecurring: {
      read: false,
      async run({ merchant, body }) {
        const input = parseBody(recurringCancelSchema, body);
        const cancelled = await deps.agreements.cancel(
          merchant.merchant_id,
          input.shopper_reference,
          input.recurring_agreement_id,
          deps.clock.now(),
        );
        if (!cancelled) throw new ApiError('ACTIVE_AGREEMENT_NOT_FOUND');
        return undefined;
      },
    },
  };
}
