/**
 * The PayKKa v3 wire, beside v1.2 over the same services and store (docs/api.md#v3): the
 * `/v3/payment/acq/…` paths behind `x-paykka-*` authentication, each answer signed the v3 way.
 * An order made over either wire is queried and refunded over either.
 */
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { RequestNonces } from '../../core/merchants/nonces.ts';
import type { MerchantService } from '../../core/merchants/service.ts';
import type { Clock } from '../../domain/clock.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import type { PaymentService } from '../../modules/payments/service.ts';
import type { RefundService } from '../../modules/refunds/service.ts';
import type { SessionService } from '../../modules/sessions/service.ts';
import { authenticateV3 } from './auth.ts';
import { registerV3Envelope } from './envelope.ts';
import { paymentRoutes } from './routes/payments.ts';
import { refundRoutes } from './routes/refunds.ts';
import { sessionRoutes } from './routes/sessions.ts';

export interface ProtocolV3Deps {
  clock: Clock;
  platformKey: KeyObject;
  signatureWindowMs: number;
  timeZone: TimeZone;
  publicUrl: string | undefined;
  merchants: MerchantService;
  nonces: RequestNonces;
  payments: PaymentService;
  sessions: SessionService;
  refunds: RefundService;
}

export function registerProtocolV3(app: FastifyInstance, deps: ProtocolV3Deps): void {
  const { clock, timeZone, publicUrl } = deps;
  app.register(async (v3) => {
    registerV3Envelope(v3, { clock, platformKey: deps.platformKey });
    v3.addHook(
      'preHandler',
      authenticateV3({
        merchants: deps.merchants,
        nonces: deps.nonces,
        clock,
        signatureWindowMs: deps.signatureWindowMs,
      }),
    );
    paymentRoutes(v3, { payments: deps.payments, sessions: deps.sessions, timeZone });
    sessionRoutes(v3, { sessions: deps.sessions, clock, timeZone, publicUrl });
    refundRoutes(v3, { refunds: deps.refunds });
  });
}
