/** Creating a checkout session and reading one back: both answer the session object. */
import { parseBody } from '../core/input/validate.ts';
import type { Clock } from '../domain/clock.ts';
import type { TimeZone } from '../domain/time-zone.ts';
import type { NotifyUrlCheck } from '../modules/notifications/outbound/policy.ts';
import { checkSessionRules, createSessionSchema, querySessionSchema } from '../modules/sessions/schemas.ts';
import type { SessionService } from '../modules/sessions/service.ts';
import { sessionView } from '../modules/sessions/view.ts';
import { requestMerchant } from './merchant.ts';
import type { Operation } from './types.ts';

export function sessionOperations(deps: {
  sessions: SessionService;
  notifyUrls: NotifyUrlCheck;
  clock: Clock;
  timeZone: TimeZone;
}): {
  createSession: Operation;
  querySession: Operation;
} {
  const createSchema = createSessionSchema(deps.timeZone);
  return {
    createSession: {
      read: false,
      async run(call) {
        const input = checkSessionRules(parseBody(createSchema, call.body), deps.clock.now());
        if (input.notify_url) await deps.notifyUrls.assertAllowed(input.notify_url);
        const state = await deps.sessions.create(requestMerchant(call), input, call.publicUrl());
        return sessionView(state, deps.timeZone);
      },
    },
    querySession: {
      read: true,
      async run({ merchant, body }) {
        const query = parseBody(querySessionSchema, body);
        return sessionView(await deps.sessions.query(merchant.merchant_id, query), deps.timeZone);
      },
    },
  };
}
