/** /payments/recurring/cancel: the agreement becomes inactive; later MITs on it fail with 2016. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { identifier, text } from '../../../core/input/fields.ts';
import { parseBody } from '../../../core/input/validate.ts';
import type { Clock } from '../../../domain/clock.ts';
import { ApiError } from '../../../domain/errors.ts';
import type { AgreementRepo } from '../../../modules/tokens/agreement-repo.ts';
import { sendOk } from '../envelope.ts';

const cancelSchema = z.object({ recurring_agreement_id: text(64), shopper_reference: identifier(64) });

export function recurringRoutes(
  app: FastifyInstance,
  deps: { agreements: AgreementRepo; clock: Clock },
): void {
  app.post('/payments/recurring/cancel', async (request, reply) => {
    const auth = request.auth!;
    const input = parseBody(cancelSchema, auth.body);
    const cancelled = await deps.agreements.cancel(
      auth.merchant.merchant_id,
      input.shopper_reference,
      input.recurring_agreement_id,
      deps.clock.now(),
    );
    if (!cancelled) throw new ApiError('ACTIVE_AGREEMENT_NOT_FOUND');
    return sendOk(reply, deps.clock);
  });
}
