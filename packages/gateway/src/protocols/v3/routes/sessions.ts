/**
 * /v3/payment/acq/session: a checkout session, created as v1.2's /payments/session creates it
 * (HOSTED, COMPONENT, DROP_IN), answering `session_id` and `session_url` among the session's
 * fields. The body PayKKa's WooCommerce plugin sends is accepted as it is: pretty-printed,
 * `+0800` times, `goods`, `bill`, `shipping`, `customer` and a `payment` object of nulls.
 */
import type { FastifyInstance } from 'fastify';
import { parseBody } from '../../../core/input/validate.ts';
import type { Clock } from '../../../domain/clock.ts';
import type { TimeZone } from '../../../domain/time-zone.ts';
import { publicUrl } from '../../../http/public-url.ts';
import { checkSessionRules, createSessionSchema } from '../../../modules/sessions/schemas.ts';
import type { SessionService } from '../../../modules/sessions/service.ts';
import { sessionView } from '../../../modules/sessions/view.ts';
import { sendOk } from '../envelope.ts';

export function sessionRoutes(
  app: FastifyInstance,
  deps: { sessions: SessionService; clock: Clock; timeZone: TimeZone; publicUrl: string | undefined },
): void {
  const createSchema = createSessionSchema(deps.timeZone);
  app.post('/v3/payment/acq/session', async (request, reply) => {
    const auth = request.auth!;
    const input = checkSessionRules(parseBody(createSchema, auth.body), deps.clock.now());
    const state = await deps.sessions.create(auth.merchant, input, publicUrl(request, deps.publicUrl));
    return sendOk(reply, sessionView(state, deps.timeZone));
  });
}
