/**
 * The operator's dashboard under /dashboard: server-rendered pages behind the admin token
 * (login form, then a session cookie), on the listener the admin API is served on. Its answers
 * are HTML pages in the operator's language, errors included, never the API's envelope.
 */
import type { FastifyInstance } from 'fastify';
import type { MerchantService } from '../../core/merchants/service.ts';
import { OrderRepo } from '../../core/orders/repo.ts';
import type { Clock } from '../../domain/clock.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import { DashboardOverview } from '../../modules/dashboard/overview.ts';
import { DashboardPayments } from '../../modules/dashboard/payments.ts';
import { DashboardSessions } from '../../modules/dashboard/sessions.ts';
import type { NotificationService } from '../../modules/notifications/service.ts';
import { SessionRepo } from '../../modules/sessions/repo.ts';
import type { Store } from '../../store/db.ts';
import { pickLocale } from '../layout.ts';
import { assetRoutes } from './assets.ts';
import { errorPage } from './error-page.ts';
import { loginRoutes } from './login.ts';
import { merchantRoutes } from './merchants.ts';
import { notificationRoutes } from './notifications.ts';
import { overviewRoutes } from './overview.ts';
import { paymentRoutes } from './payments.ts';
import { BASE, sendDashboard } from './shell.ts';

export interface DashboardDeps {
  store: Store;
  clock: Clock;
  timeZone: TimeZone;
  /** OPENKKA_ADMIN_TOKEN: what the login form asks for. */
  token: string;
  publicUrl: string | undefined;
  merchants: MerchantService;
  notifications: NotificationService;
  /** Wakes the notification dispatcher after a redelivery. */
  onRedeliver: () => void;
}

export function registerDashboard(app: FastifyInstance, deps: DashboardDeps): void {
  app.register(async (scope) => {
    const sessions = new DashboardSessions(deps.store, deps.clock);
    const guard = { sessions, zone: deps.timeZone };
    scope.setErrorHandler(async (error, request, reply) => {
      const status = (error as { statusCode?: number }).statusCode;
      const locale = pickLocale(request.headers['accept-language']);
      if (status !== undefined && status >= 400 && status < 500) {
        return sendDashboard(reply, status, errorPage(locale, 'error.missing'));
      }
      request.log.error({ err: error }, 'dashboard page failed');
      return sendDashboard(reply, 500, errorPage(locale, 'error.title'));
    });
    loginRoutes(scope, { ...guard, token: deps.token, publicUrl: deps.publicUrl });
    assetRoutes(scope, { sessions });
    paymentRoutes(scope, {
      ...guard,
      payments: new DashboardPayments(deps.store),
      orders: new OrderRepo(deps.store),
      notifications: deps.notifications,
      checkoutSessions: new SessionRepo(deps.store),
    });
    notificationRoutes(scope, { ...guard, notifications: deps.notifications, onRedeliver: deps.onRedeliver });
    merchantRoutes(scope, { ...guard, merchants: deps.merchants });
    overviewRoutes(scope, { ...guard, overview: new DashboardOverview(deps.store), clock: deps.clock });
  });
  app.register(
    async (scope) => {
      scope.setNotFoundHandler(async (request, reply) =>
        sendDashboard(reply, 404, errorPage(pickLocale(request.headers['accept-language']), 'error.missing')),
      );
    },
    { prefix: BASE },
  );
}
