/** /payments/apple-pay/create-session: answers the merchant session as a JSON string (docs/api.md#routes). */
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { parseBody } from '../../../core/input/validate.ts';
import type { Clock } from '../../../domain/clock.ts';
import {
  appleSessionSchema,
  createAppleMerchantSession,
} from '../../../modules/wallets/apple-pay-session.ts';
import { sendOk } from '../envelope.ts';

export function walletRoutes(app: FastifyInstance, deps: { clock: Clock; platformKey: KeyObject }): void {
  app.post('/payments/apple-pay/create-session', async (request, reply) => {
    const auth = request.auth!;
    const input = parseBody(appleSessionSchema, auth.body);
    const session = createAppleMerchantSession({
      merchantId: auth.merchant.merchant_id,
      merchantName: auth.merchant.name,
      input,
      now: deps.clock.now(),
      platformKey: deps.platformKey,
    });
    return sendOk(reply, deps.clock, JSON.stringify(session));
  });
}
