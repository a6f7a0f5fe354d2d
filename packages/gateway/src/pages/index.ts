/**
 * The shopper's pages, whatever protocol the merchant speaks: 3-D Secure, the bank or wallet
 * page of a redirect method, and hosted checkout. A browser sends them: no request signature,
 * no response signature.
 */
import type { FastifyInstance } from 'fastify';
import type { MerchantRepo } from '../core/merchants/repo.ts';
import type { Clock } from '../domain/clock.ts';
import type { TimeZone } from '../domain/time-zone.ts';
import type { RedirectService } from '../modules/redirects/service.ts';
import type { CheckoutService } from '../modules/sessions/checkout.ts';
import type { SessionService } from '../modules/sessions/service.ts';
import type { ThreeDsService } from '../modules/three-ds/service.ts';
import { checkoutRoutes } from './checkout/routes.ts';
import { redirectRoutes } from './redirects/routes.ts';
import { threeDsRoutes } from './three-ds/routes.ts';

export interface PagesDeps {
  clock: Clock;
  timeZone: TimeZone;
  publicUrl: string | undefined;
  merchants: MerchantRepo;
  challenges: ThreeDsService;
  redirects: RedirectService;
  sessions: SessionService;
  checkout: CheckoutService;
}

export function registerPages(app: FastifyInstance, deps: PagesDeps): void {
  const { merchants } = deps;
  app.register(async (pages) => threeDsRoutes(pages, { challenges: deps.challenges, merchants }));
  app.register(async (pages) => redirectRoutes(pages, { redirects: deps.redirects, merchants }));
  app.register(async (pages) =>
    checkoutRoutes(pages, {
      sessions: deps.sessions,
      checkout: deps.checkout,
      merchants,
      clock: deps.clock,
      timeZone: deps.timeZone,
      publicUrl: deps.publicUrl,
    }),
  );
}
