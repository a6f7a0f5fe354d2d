/**
 * The PayKKa v1.2 wire, registered on one Fastify instance: the signed envelope on every JSON
 * answer, the API paths (each also under /apis) behind request authentication, the browser
 * libraries' /cp endpoints, and the operators' admin API. Everything v1.2-specific about paths,
 * headers, signatures and refusals is in this folder; the services below know none of it.
 */
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReplayGuard } from '../../core/merchants/replay-guard.ts';
import type { MerchantRepo } from '../../core/merchants/repo.ts';
import type { MerchantService } from '../../core/merchants/service.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import type { GatewayKeys } from '../../modules/client-encryption/gateway-keys.ts';
import type { NotificationService } from '../../modules/notifications/service.ts';
import type { CheckoutService } from '../../modules/sessions/checkout.ts';
import type { SessionService } from '../../modules/sessions/service.ts';
import type { OperationName, Operations } from '../../operations/index.ts';
import { authenticate } from './auth.ts';
import { registerEnvelope } from './envelope.ts';
import { API_ROUTES, apiRoutes } from './routes/api.ts';
import { clientEncryptionRoutes } from './routes/client-encryption.ts';
import { embeddedCheckoutRoutes } from './routes/embedded-checkout.ts';
import { adminRoutes } from './routes/notifications-admin.ts';

/** Every API path; each is also served under /apis (docs/api.md#transport-rules). */
export const API_PATHS = Object.keys(API_ROUTES);

/** The prefixes every API path is served under: bare, and where PayKKa's own clients call. */
const API_PREFIXES = ['', '/apis'] as const;

/** Every path this wire serves an operation at, in full, and the operation (for the API description). */
export const API_OPERATIONS: Readonly<Record<string, OperationName>> = Object.fromEntries(
  API_PREFIXES.flatMap((prefix) => Object.entries(API_ROUTES).map(([path, name]) => [prefix + path, name])),
);

export interface ProtocolV1Deps {
  clock: Clock;
  platformKey: KeyObject;
  signatureWindowMs: number;
  timeZone: TimeZone;
  publicUrl: string | undefined;
  /** Unset: no admin API on this instance. */
  adminToken: string | undefined;
  /** Refuses a request over its merchant's rate, once authentication named the merchant. */
  merchantRateLimit: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  merchants: MerchantService;
  replay: ReplayGuard;
  merchantRepo: MerchantRepo;
  operations: Operations;
  sessions: SessionService;
  checkout: CheckoutService;
  gatewayKeys: GatewayKeys;
  notifications: NotificationService;
  /** Wakes the notification dispatcher (after an operator's redelivery). */
  pokeDispatcher: () => void;
}

export function registerProtocolV1(app: FastifyInstance, deps: ProtocolV1Deps): void {
  const { clock, timeZone, publicUrl } = deps;
  registerEnvelope(app, { clock, platformKey: deps.platformKey });
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0]!.replace(/^\/apis(?=\/)/, '');
    if (API_PATHS.includes(path)) {
      reply.header('allow', 'POST');
      throw new ApiError('METHOD_NOT_ALLOWED');
    }
    throw new ApiError('ROUTE_NOT_FOUND', request.url.split('?')[0]);
  });

  const auth = authenticate({
    merchants: deps.merchants,
    replay: deps.replay,
    clock,
    signatureWindowMs: deps.signatureWindowMs,
  });
  for (const prefix of API_PREFIXES) {
    app.register(
      async (api) => {
        api.addHook('preHandler', auth);
        api.addHook('preHandler', deps.merchantRateLimit);
        apiRoutes(api, { operations: deps.operations, clock, publicUrl });
      },
      { prefix },
    );
  }
  // The browser libraries' endpoints: a shopper's browser calls them, unsigned.
  app.register(async (cp) =>
    clientEncryptionRoutes(cp, { merchants: deps.merchants, keys: deps.gatewayKeys, clock }),
  );
  app.register(async (cp) =>
    embeddedCheckoutRoutes(cp, {
      sessions: deps.sessions,
      checkout: deps.checkout,
      merchants: deps.merchants,
      merchantRepo: deps.merchantRepo,
      clock,
      timeZone,
      publicUrl,
    }),
  );
  if (deps.adminToken) {
    const token = deps.adminToken;
    app.register(async (admin) =>
      adminRoutes(admin, {
        notifications: deps.notifications,
        clock,
        token,
        onRedeliver: deps.pokeDispatcher,
      }),
    );
  }
}
