/**
 * buildApp(deps): the Fastify application, from injected parts only (store, clock, keys,
 * acquirer), so tests build exactly what production runs.
 */
import type { KeyObject } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Acquirer } from './acquirer/types.ts';
import type { Clock } from './domain/clock.ts';
import { ApiError } from './domain/errors.ts';
import { authenticate } from './http/auth.ts';
import { registerEnvelope } from './http/envelope.ts';
import { MerchantRepo } from './modules/merchants/repo.ts';
import { MerchantService } from './modules/merchants/service.ts';
import { OrderRepo } from './modules/payments/repo.ts';
import { paymentRoutes } from './modules/payments/routes.ts';
import { PaymentService, type PaymentSettings } from './modules/payments/service.ts';
import type { Store } from './store/db.ts';
import type { Vault } from './vault/vault.ts';

/** Spec §1: bodies over 64 KiB are refused unread. */
export const BODY_LIMIT = 64 * 1024;

export interface AppDeps {
  store: Store;
  vault: Vault;
  platformKey: KeyObject;
  acquirer: Acquirer;
  clock: Clock;
  logger: Logger;
  settings: PaymentSettings & { signatureWindowMs: number };
}

export interface App {
  app: FastifyInstance;
  merchants: MerchantService;
  payments: PaymentService;
}

/** Every API path; each is also served under /apis (spec §1). */
const API_PATHS = ['/payments', '/payments/query'];

export function buildApp(deps: AppDeps): App {
  const merchants = new MerchantService(new MerchantRepo(deps.store), deps.clock);
  const payments = new PaymentService({
    store: deps.store,
    repo: new OrderRepo(deps.store),
    acquirer: deps.acquirer,
    vault: deps.vault,
    clock: deps.clock,
    settings: deps.settings,
  });

  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Per-request log lines would cost more than the payment at load; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // The signature covers the raw bytes, so the body stays a Buffer until auth has verified it;
  // any content type is read that way (PayKKa clients are not all careful about the header).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  registerEnvelope(app, { clock: deps.clock, platformKey: deps.platformKey });
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0]!.replace(/^\/apis(?=\/)/, '');
    if (API_PATHS.includes(path)) {
      reply.header('allow', 'POST');
      throw new ApiError('METHOD_NOT_ALLOWED');
    }
    throw new ApiError('ROUTE_NOT_FOUND', request.url.split('?')[0]);
  });

  const auth = authenticate({
    merchants,
    clock: deps.clock,
    signatureWindowMs: deps.settings.signatureWindowMs,
  });
  for (const prefix of ['', '/apis']) {
    app.register(
      async (api) => {
        api.addHook('preHandler', auth);
        paymentRoutes(api, { payments, clock: deps.clock });
      },
      { prefix },
    );
  }
  return { app, merchants, payments };
}
