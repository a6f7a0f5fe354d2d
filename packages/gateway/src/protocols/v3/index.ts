/**
 * The PayKKa v3 wire, beside v1.2 over the same operations and store (docs/api.md#v3): the
 * `/v3/payment/acq/…` paths behind `x-paykka-*` authentication, each answer signed the v3 way.
 * An order made over either wire is queried, refunded and notified over either.
 */
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReplayGuard } from '../../core/merchants/replay-guard.ts';
import type { MerchantService } from '../../core/merchants/service.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import type { PaymentService } from '../../modules/payments/service.ts';
import type { SessionService } from '../../modules/sessions/service.ts';
import type { OperationName, Operations } from '../../operations/index.ts';
import { authenticateV3 } from './auth.ts';
import { registerV3Envelope } from './envelope.ts';
import { apiRoutes, V3_ROUTES, v3Call } from './routes/api.ts';
import { queryRoute } from './routes/query.ts';
import { refundRoute } from './routes/refund.ts';

export const V3_PREFIX = '/v3/payment/acq';

/** Every v3 API path, in full, and the operation it serves (query.ts and refund.ts shape theirs). */
export const V3_OPERATIONS: Readonly<Record<string, OperationName>> = Object.fromEntries(
  Object.entries<OperationName>({ ...V3_ROUTES, '/query': 'queryPayment', '/refund': 'refund' }).map(
    ([path, name]) => [V3_PREFIX + path, name],
  ),
);

/** Every v3 API path. */
export const V3_PATHS = Object.keys(V3_OPERATIONS);

export interface ProtocolV3Deps {
  clock: Clock;
  platformKey: KeyObject;
  signatureWindowMs: number;
  timeZone: TimeZone;
  publicUrl: string | undefined;
  merchants: MerchantService;
  replay: ReplayGuard;
  operations: Operations;
  payments: PaymentService;
  sessions: SessionService;
  /** Refuses a request over its merchant's rate, once authentication named the merchant. */
  merchantRateLimit: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

export function registerProtocolV3(app: FastifyInstance, deps: ProtocolV3Deps): void {
  const { clock, timeZone, operations } = deps;
  const callOf = v3Call(deps.publicUrl);
  app.register(
    async (v3) => {
      registerV3Envelope(v3, { clock, platformKey: deps.platformKey });
      // Refused in v3's envelope, not v1.2's: a v3 client reads only its own.
      v3.setNotFoundHandler(async (request, reply) => {
        const path = request.url.split('?')[0]!;
        if (V3_PATHS.includes(path)) {
          reply.header('allow', 'POST');
          throw new ApiError('METHOD_NOT_ALLOWED');
        }
        throw new ApiError('ROUTE_NOT_FOUND', path);
      });
      // Its own scope, so that the refusals above are not asked for a signature first.
      v3.register(async (api) => {
        api.addHook(
          'preHandler',
          authenticateV3({
            merchants: deps.merchants,
            replay: deps.replay,
            clock,
            signatureWindowMs: deps.signatureWindowMs,
          }),
        );
        api.addHook('preHandler', deps.merchantRateLimit);
        apiRoutes(api, { operations, callOf });
        queryRoute(api, { payments: deps.payments, sessions: deps.sessions, timeZone });
        refundRoute(api, { operations, callOf });
      });
    },
    { prefix: V3_PREFIX },
  );
}
