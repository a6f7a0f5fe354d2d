/** /payments/session and /payments/session/query: parse, hand to the service, answer the session object. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseBody } from '../../../core/input/validate.ts';
import type { Clock } from '../../../domain/clock.ts';
import type { TimeZone } from '../../../domain/time-zone.ts';
import { ANSWERS_FROM_READS } from '../../../http/durable-reads.ts';
import { publicUrl } from '../../../http/public-url.ts';
import {
  checkSessionRules,
  createSessionSchema,
  querySessionSchema,
} from '../../../modules/sessions/schemas.ts';
import type { SessionService } from '../../../modules/sessions/service.ts';
import { sessionView } from '../../../modules/sessions/view.ts';
import { sendOk } from '../envelope.ts';

export function sessionRoutes(
  app: FastifyInstance,
  deps: { sessions: SessionService; clock: Clock; timeZone: TimeZone; publicUrl: string | undefined },
): void {
  const createSchema = createSessionSchema(deps.timeZone);
  const create = async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = request.auth!;
    const input = checkSessionRules(parseBody(createSchema, auth.body), deps.clock.now());
    const state = await deps.sessions.create(auth.merchant, input, publicUrl(request, deps.publicUrl));
    return sendOk(reply, deps.clock, sessionView(state, deps.timeZone));
  };
  app.post('/payments/session', create);
  // PayKKa's v1.2 WooCommerce plugin creates its sessions at /apis/session: the same operation.
  app.post('/session', create);

  app.post('/payments/session/query', ANSWERS_FROM_READS, async (request, reply) => {
    const auth = request.auth!;
    const query = parseBody(querySessionSchema, auth.body);
    return sendOk(
      reply,
      deps.clock,
      sessionView(await deps.sessions.query(auth.merchant.merchant_id, query), deps.timeZone),
    );
  });
}
