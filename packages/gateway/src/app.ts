/**
 * buildApp(deps): the Fastify application, from injected parts only (store, clock, keys,
 * acquirer), so tests build exactly what production runs.
 */
import type { KeyObject } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Acquirer } from './acquirer/types.ts';
import { parseBody } from './core/input/validate.ts';
import { ListeningAuthCache } from './core/merchants/auth-cache-pg.ts';
import { VersionedAuthCache } from './core/merchants/auth-cache-sqlite.ts';
import { ReplayGuard } from './core/merchants/replay-guard.ts';
import { MerchantRepo } from './core/merchants/repo.ts';
import { MerchantService } from './core/merchants/service.ts';
import { AuthorizationRecorder, type AuthorizationSettings } from './core/orders/authorization.ts';
import { OrderRepo } from './core/orders/repo.ts';
import { OrderWriter } from './core/orders/writer.ts';
import type { Clock } from './domain/clock.ts';
import type { TimeZone } from './domain/time-zone.ts';
import { registerDurableReads } from './http/durable-reads.ts';
import { Readiness, registerHealth } from './http/health.ts';
import { createInstance } from './http/instance.ts';
import { DEFAULT_TIMEOUTS, type LimitSettings, type Rate, RateLimits } from './http/limits/index.ts';
import { expireAuthorizations } from './jobs/expiry.ts';
import { reconcileUnknownOutcomes } from './jobs/reconciler.ts';
import { settleDueRefunds } from './jobs/refund-settler.ts';
import { JobRunner } from './jobs/runner.ts';
import { measuredAcquirer } from './metrics/acquirer.ts';
import { BACKLOG_COUNT_LIMIT, BACKLOG_TTL_MS, cachedRead } from './metrics/backlog.ts';
import { measureRequests } from './metrics/http.ts';
import { GatewayMetrics } from './metrics/registry.ts';
import { registerMetricsRoute } from './metrics/route.ts';
import { CaptureService } from './modules/captures/service.ts';
import { CardDecryption } from './modules/client-encryption/card-decryption.ts';
import { GatewayKeys } from './modules/client-encryption/gateway-keys.ts';
import { Dispatcher, type DispatcherSettings } from './modules/notifications/dispatcher.ts';
import { OutboundPolicy, type OutboundSettings } from './modules/notifications/outbound/policy.ts';
import { type HostLookup, HostResolver } from './modules/notifications/outbound/resolver.ts';
import { Outbox } from './modules/notifications/outbox.ts';
import { NotificationRepo } from './modules/notifications/repo.ts';
import { NotificationService } from './modules/notifications/service.ts';
import { checkPaymentRules, createPaymentSchema } from './modules/payments/schemas.ts';
import { PaymentService, type PaymentSettings } from './modules/payments/service.ts';
import { RedirectService } from './modules/redirects/service.ts';
import { RefundRepo } from './modules/refunds/repo.ts';
import { RefundService } from './modules/refunds/service.ts';
import { CheckoutService } from './modules/sessions/checkout.ts';
import { SessionRepo } from './modules/sessions/repo.ts';
import { SessionService } from './modules/sessions/service.ts';
import { ChallengeRepo } from './modules/three-ds/repo.ts';
import { ThreeDsService } from './modules/three-ds/service.ts';
import { AgreementRepo } from './modules/tokens/agreement-repo.ts';
import { TokenRepo } from './modules/tokens/repo.ts';
import { CardStore } from './modules/tokens/store-card.ts';
import { readRootKeysFile } from './modules/wallets/google-pay/root-keys.ts';
import { storedGooglePayKeys } from './modules/wallets/google-pay/stored-keys.ts';
import { GooglePayTokens } from './modules/wallets/google-pay/token-opener.ts';
import { UsedGooglePayMessages } from './modules/wallets/google-pay/used-messages.ts';
import { buildOperations } from './operations/index.ts';
import { registerDashboard } from './pages/dashboard/index.ts';
import { registerPages } from './pages/index.ts';
import { registerOpenApi } from './protocols/openapi/index.ts';
import { registerAdminApi } from './protocols/v1/admin.ts';
import { API_OPERATIONS, registerProtocolV1 } from './protocols/v1/index.ts';
import { registerProtocolV3, V3_OPERATIONS } from './protocols/v3/index.ts';
import type { Store } from './store/db.ts';
import { RateBucketTable } from './store/rate-buckets.ts';
import type { Vault } from './vault/vault.ts';

export { BODY_LIMIT } from './http/instance.ts';

export interface AppDeps {
  store: Store;
  vault: Vault;
  platformKey: KeyObject;
  acquirer: Acquirer;
  clock: Clock;
  logger: Logger;
  /** Draws order ids; newOrderId unless a test draws taken ones on purpose. */
  orderIds?: (now: number) => string;
  /** Resolves the hosts of notify_urls; the system's resolver unless a test answers for DNS. */
  lookup?: HostLookup;
  /** Set in a worker of a cluster: turns this process's registry into a scrape of every worker. */
  clusterMetrics?: ((registry: Registry) => () => Promise<string>) | undefined;
  settings: PaymentSettings &
    AuthorizationSettings &
    DispatcherSettings &
    OutboundSettings & {
      signatureWindowMs: number;
      adminToken?: string | undefined;
      /** Set: the admin API is served by `App.admin` alone (which the caller listens with), not by `app`. */
      adminListen?: { host: string; port: number } | undefined;
      /** True: `GET /metrics` and its collectors (metrics/); unset or false: none of it runs. */
      metrics?: boolean | undefined;
      /** Set: a scrape of /metrics must carry it as a bearer token. */
      metricsToken?: string | undefined;
      publicUrl?: string | undefined;
      /** Each unset: as DEFAULT_TIMEOUTS; the connection cap and the rate limits: none. */
      headersTimeoutMs?: number | undefined;
      requestTimeoutMs?: number | undefined;
      keepAliveTimeoutMs?: number | undefined;
      maxConnectionsPerIp?: number | undefined;
      rateLimitPerIp?: Rate | undefined;
      rateLimitPerMerchant?: Rate | undefined;
      /** `postgres`: the rate limits count in buckets every process on the (PostgreSQL) store shares. */
      rateLimitShared?: 'postgres' | undefined;
      trustedProxies?: string[] | undefined;
      /** SEPA settlement delay; 10 s unless set. */
      sepaSettlementDelayMs?: number | undefined;
      /** How long a checkout session stays open unless its request sets expire_time; 30 min unless set. */
      sessionExpiryMs?: number | undefined;
      /** Reads times sent without an offset; writes the times of answers and notifications. */
      timeZone: TimeZone;
      /** Google's root signing keys file (OPENKKA_GOOGLE_PAY_ROOT_KEYS); the sandbox root when unset. */
      googlePayRootKeysFile?: string | undefined;
    };
}

export interface App {
  app: FastifyInstance;
  /** The admin API's own instance when settings.adminListen is set; closed with `app`. */
  admin: FastifyInstance | undefined;
  merchants: MerchantService;
  /** The keys browsers encrypt cards to, as this process holds them. */
  gatewayKeys: GatewayKeys;
  payments: PaymentService;
  captures: CaptureService;
  refunds: RefundService;
  sessions: SessionService;
  notifications: NotificationService;
  dispatcher: Dispatcher;
  jobs: JobRunner;
  /** What /readyz answers; a shutdown marks it draining first (server.ts). */
  readiness: Readiness;
}

/** The shared buckets' table, which only a PostgreSQL store has a use for (config.ts refuses the rest). */
function sharedRateTable(store: Store): RateBucketTable {
  if (store.raw.kind !== 'postgres') {
    throw new Error('OPENKKA_RATE_LIMIT_SHARED=postgres needs a PostgreSQL store (DATABASE_URL)');
  }
  return new RateBucketTable(store.raw.url);
}

export function buildApp(deps: AppDeps): App {
  const { store, clock, settings } = deps;
  const metrics = settings.metrics ? new GatewayMetrics() : undefined;
  const acquirer = metrics ? measuredAcquirer(deps.acquirer, metrics) : deps.acquirer;
  if (metrics && store.commits)
    store.commits.observer = (seconds, size) => metrics.recordCommit(seconds, size);
  const merchantRepo = new MerchantRepo(store);
  const authCache =
    store.raw.kind === 'postgres'
      ? new ListeningAuthCache(store.raw.url)
      : new VersionedAuthCache(store.raw.writer);
  authCache.start();
  const merchants = new MerchantService(merchantRepo, clock, authCache);
  const orders = new OrderRepo(store);
  const refundRepo = new RefundRepo(store);
  const notificationRepo = new NotificationRepo(store);
  const outbound = new OutboundPolicy(settings, new HostResolver(clock, deps.lookup));
  const dispatcher = new Dispatcher({
    store,
    repo: notificationRepo,
    platformKey: deps.platformKey,
    clock,
    settings,
    outbound,
    log: deps.logger as FastifyBaseLogger,
    onAttempt: metrics && ((outcome) => metrics.recordDelivery(outcome)),
  });
  const writer = new OrderWriter(
    store,
    orders,
    clock,
    new Outbox(notificationRepo, settings.timeZone),
    () => dispatcher.poke(),
    metrics && ((order) => metrics.recordPayment(order.status, order.payment_method)),
  );
  const notifications = new NotificationService(notificationRepo, clock);
  const tokens = new TokenRepo(store);
  const agreements = new AgreementRepo(store);
  const recorder = new AuthorizationRecorder(
    writer,
    clock,
    settings,
    new CardStore(tokens, agreements, deps.vault),
  );
  const challenges: ThreeDsService = new ThreeDsService({
    repo: new ChallengeRepo(store),
    orders,
    writer,
    vault: deps.vault,
    clock,
    settings,
    authorize: (order, card) => payments.authorizeAfterChallenge(order, card),
  });
  const redirects = new RedirectService({
    store,
    orders,
    recorder,
    vault: deps.vault,
    clock,
    settings: { sepaSettlementDelayMs: settings.sepaSettlementDelayMs ?? 10_000 },
  });
  const gatewayKeys = new GatewayKeys(store, deps.vault, clock);
  const googlePayMessages = new UsedGooglePayMessages(store);
  const replay = new ReplayGuard(store);
  const sessionRepo = new SessionRepo(store);
  const sessions = new SessionService({
    repo: sessionRepo,
    orders,
    merchants,
    clock,
    settings: { sessionExpiryMs: settings.sessionExpiryMs ?? 30 * 60_000 },
  });
  const payments = new PaymentService({
    repo: orders,
    threeDs: challenges,
    storedCards: {
      token: (merchantId, token) => tokens.get(merchantId, token),
      agreement: (merchantId, agreementId) => agreements.get(merchantId, agreementId),
    },
    writer,
    recorder,
    acquirer,
    vault: deps.vault,
    clock,
    settings,
    redirects,
    cardDecryption: new CardDecryption(gatewayKeys, clock),
    googlePay: new GooglePayTokens(
      storedGooglePayKeys(
        store,
        deps.vault,
        settings.googlePayRootKeysFile ? readRootKeysFile(settings.googlePayRootKeysFile) : undefined,
      ),
      googlePayMessages,
      clock,
    ),
    sessionTransIds: sessionRepo,
    sessionDetails: sessionRepo,
    ...(deps.orderIds ? { orderIds: deps.orderIds } : {}),
  });
  const paymentSchema = createPaymentSchema(settings.timeZone);
  const checkout = new CheckoutService({
    sessions,
    payments: {
      pay: (merchant, request, sessionId, publicUrl) =>
        payments.create(
          merchant,
          { ...checkPaymentRules(parseBody(paymentSchema, request)), session_id: sessionId },
          publicUrl,
        ),
    },
    merchants: merchantRepo,
    clock,
  });
  const captures = new CaptureService(writer, clock);
  const refunds = new RefundService({ refunds: refundRepo, writer, acquirer, clock, settings });
  const jobs = new JobRunner(
    {
      expire: async () => {
        // Housekeeping, not an expiry of anything a merchant sees: not counted.
        await googlePayMessages.pruneExpired(clock.now());
        await replay.pruneExpired(clock.now());
        return (
          (await expireAuthorizations({ orders, writer, clock })) +
          (await challenges.expireDue()) +
          (await redirects.expireDue()) +
          (await sessions.expireDue())
        );
      },
      // SEPA settlement is an outcome learned later from the bank, counted with the reconciler's.
      reconcile: async () =>
        (await reconcileUnknownOutcomes({
          orders,
          writer,
          recorder,
          acquirer,
          vault: deps.vault,
          clock,
          settings,
        })) + (await redirects.settleSepa()),
      settleRefunds: () =>
        settleDueRefunds({ refunds: refundRepo, orders, refundService: refunds, clock, settings }),
    },
    deps.logger as FastifyBaseLogger,
  );

  const limits: LimitSettings = {
    headersTimeoutMs: settings.headersTimeoutMs ?? DEFAULT_TIMEOUTS.headersTimeoutMs,
    requestTimeoutMs: settings.requestTimeoutMs ?? DEFAULT_TIMEOUTS.requestTimeoutMs,
    keepAliveTimeoutMs: settings.keepAliveTimeoutMs ?? DEFAULT_TIMEOUTS.keepAliveTimeoutMs,
    maxConnectionsPerIp: settings.maxConnectionsPerIp ?? 0,
  };
  const rateTable = settings.rateLimitShared ? sharedRateTable(store) : undefined;
  const rateLimits = new RateLimits(
    {
      perIp: settings.rateLimitPerIp,
      perMerchant: settings.rateLimitPerMerchant,
      shared: rateTable && { table: rateTable, log: deps.logger as FastifyBaseLogger },
    },
    () => clock.now(),
  );
  const instance = () =>
    createInstance({
      logger: deps.logger as FastifyBaseLogger,
      limits,
      rateLimits,
      trustedProxies: settings.trustedProxies,
    });
  // A listener's real port (PORT=0, an admin port 0) is known only once it listens:
  // notify_urls must never point back at it.
  const knownToOutbound = (listener: FastifyInstance) =>
    listener.server.on('listening', () => {
      const address = listener.server.address();
      if (address && typeof address === 'object') outbound.addListener(address.address, address.port);
    });
  const app = instance();
  knownToOutbound(app);
  if (metrics) measureRequests(app, metrics);

  registerDurableReads(app, () => store.durable());
  const operations = buildOperations({
    clock,
    timeZone: settings.timeZone,
    platformKey: deps.platformKey,
    payments,
    sessions,
    captures,
    refunds,
    tokens,
    agreements,
    notifyUrls: outbound,
  });
  registerProtocolV1(app, {
    clock,
    platformKey: deps.platformKey,
    signatureWindowMs: settings.signatureWindowMs,
    timeZone: settings.timeZone,
    publicUrl: settings.publicUrl,
    adminToken: settings.adminListen ? undefined : settings.adminToken,
    merchantRateLimit: rateLimits.perMerchant,
    merchants,
    replay,
    merchantRepo,
    operations,
    sessions,
    checkout,
    gatewayKeys,
    notifications,
    pokeDispatcher: () => dispatcher.poke(),
  });
  registerProtocolV3(app, {
    clock,
    platformKey: deps.platformKey,
    signatureWindowMs: settings.signatureWindowMs,
    timeZone: settings.timeZone,
    publicUrl: settings.publicUrl,
    merchants,
    replay,
    operations,
    payments,
    sessions,
    merchantRateLimit: rateLimits.perMerchant,
  });
  const readiness = new Readiness();
  registerHealth(app, { store, readiness });
  registerOpenApi(app, { served: { v12: API_OPERATIONS, v3: V3_OPERATIONS }, timeZone: settings.timeZone });
  registerPages(app, {
    clock,
    timeZone: settings.timeZone,
    publicUrl: settings.publicUrl,
    merchants: merchantRepo,
    challenges,
    redirects,
    sessions,
    checkout,
  });
  let admin: FastifyInstance | undefined;
  if (settings.adminListen && settings.adminToken) {
    const own = instance();
    knownToOutbound(own);
    if (metrics) measureRequests(own, metrics);
    registerAdminApi(own, {
      notifications,
      clock,
      token: settings.adminToken,
      onRedeliver: () => dispatcher.poke(),
      platformKey: deps.platformKey,
    });
    app.addHook('onClose', () => own.close());
    admin = own;
  }
  // The dashboard lives where the admin API does, behind the same token.
  if (settings.adminToken) {
    registerDashboard(admin ?? app, {
      store,
      clock,
      timeZone: settings.timeZone,
      token: settings.adminToken,
      publicUrl: settings.publicUrl,
      merchants,
      notifications,
      onRedeliver: () => dispatcher.poke(),
    });
  }
  if (metrics) {
    const figure = (read: (now: number, limit: number) => Promise<number>) =>
      cachedRead(() => read(clock.now(), BACKLOG_COUNT_LIMIT), BACKLOG_TTL_MS);
    metrics.gauge(
      'openkka_notifications_backlog',
      `Pending notifications due now, counted up to ${BACKLOG_COUNT_LIMIT}; read at most every ${BACKLOG_TTL_MS / 1000} s`,
      figure((now, limit) => notificationRepo.countDue(now, limit)),
    );
    metrics.gauge(
      'openkka_reconciler_backlog',
      `Orders whose outcome is unknown, waiting for the reconciler, counted up to ${BACKLOG_COUNT_LIMIT}; read at most every ${BACKLOG_TTL_MS / 1000} s`,
      figure((now, limit) => orders.countAwaitingReconcile(now, limit)),
    );
    // Where the operators' routes are: the admin listener when there is one.
    registerMetricsRoute(admin ?? app, {
      token: settings.metricsToken,
      scrape: deps.clusterMetrics ? deps.clusterMetrics(metrics.registry) : () => metrics.registry.metrics(),
      contentType: metrics.registry.contentType,
    });
  }
  app.addHook('onClose', async () => {
    await jobs.stop();
    await dispatcher.stop();
    await authCache.stop();
    await rateTable?.close();
  });
  return {
    app,
    admin,
    merchants,
    gatewayKeys,
    payments,
    captures,
    refunds,
    sessions,
    notifications,
    dispatcher,
    jobs,
    readiness,
  };
}
