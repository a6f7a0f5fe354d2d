/** Apple Pay's merchant session, answered as a JSON string (docs/api.md#routes). */
import type { KeyObject } from 'node:crypto';
import { parseBody } from '../core/input/validate.ts';
import type { Clock } from '../domain/clock.ts';
import { appleSessionSchema, createAppleMerchantSession } from '../modules/wallets/apple-pay-session.ts';
import type { Operation } from './types.ts';

export function walletOperations(deps: { clock: Clock; platformKey: KeyObject }): {
  appleSession: Operation;
} {
  return {
    appleSession: {
      read: false,
      async run({ merchant, body }) {
        const session = createAppleMerchantSession({
          merchantId: merchant.merchant_id,
          merchantName: merchant.name,
          input: parseBody(appleSessionSchema, body),
          now: deps.clock.now(),
          platformKey: deps.platformKey,
        });
        return JSON.stringify(session);
      },
    },
  };
}
