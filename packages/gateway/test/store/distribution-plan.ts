/**
 * The plan for the day one PostgreSQL primary is not enough: the same schema on Citus,
 * distributed by merchant_id (docs/scaling.md#past-one-primary-distributed-postgresql-citus).
 * It says where every table goes, and lists every unique key and every query on a distributed
 * table that does not name its distribution column yet, each with how it will be routed and
 * why. Two tests hold it to the code: merchant-scoping.test.ts to the migrated schema (both
 * stores), unit/store/merchant-scoped-queries.test.ts to the source's queries and to the doc.
 * Nothing here runs on Citus: it is a plan, checked against today's schema and code.
 */

/**
 * - `distributed`: hashed by merchant_id, co-located with orders.
 * - `backfill`: the same once a migration adds merchant_id (it has none today).
 * - `reference`: one copy on every node; small, shared, joined by everything.
 * - `own-key`: hashed by its own key, in a co-location group of its own: it joins nothing.
 * - `local`: kept on the coordinator only; nothing distributed joins it or points at it.
 */
export type Placement = 'distributed' | 'backfill' | 'reference' | 'own-key' | 'local';

export interface TablePlan {
  placement: Placement;
  /** The distribution column; null for a reference or local table. */
  column: string | null;
}

const byMerchant = { placement: 'distributed', column: 'merchant_id' } as const;
const backfill = { placement: 'backfill', column: 'merchant_id' } as const;
const reference = { placement: 'reference', column: null } as const;

export const TABLES: Record<string, TablePlan> = {
  settings: reference,
  merchants: reference,
  merchant_keys: reference,
  orders: byMerchant,
  order_events: backfill,
  refunds: byMerchant,
  notifications: byMerchant,
  notification_attempts: backfill,
  tokens: byMerchant,
  agreements: byMerchant,
  challenges: backfill,
  checkout_sessions: byMerchant,
  used_signatures: byMerchant,
  request_nonces: { placement: 'own-key', column: 'app_id' },
  google_pay_messages: { placement: 'own-key', column: 'message_id' },
  rate_buckets: { placement: 'local', column: null },
};

/**
 * How something that does not name merchant_id today will reach its shard. docs/scaling.md
 * has one row per route, under "Lookups without merchant_id" or "Unique keys without merchant_id".
 */
export const ROUTES = {
  'merchant-in-url': 'pages and the card frame: the URL (or the client key) names the merchant',
  'carry-merchant': 'the caller holds the row already: add merchant_id = ? to the statement',
  'job-scan': 'a background pass across merchants: multi-shard read, then single-shard writes',
  'operator-scan': 'an operator command: multi-shard, rare',
  'prune-scan': 'deleting expired replay rows: a multi-shard DELETE by expires_at',
  'colocated-join': 'a join or correlated subquery on order_id alone: add merchant_id to it',
  'per-merchant-key': 'a key on a generated id alone becomes (merchant_id, id)',
  backfill: 'the table gains merchant_id, filled from its parent row, then names it',
} as const;

export type Route = keyof typeof ROUTES;

export interface Allowed {
  route: Route;
  reason: string;
}

/** Unique keys (primary keys, unique constraints and indexes) of distributed tables without merchant_id: `table(columns)`. */
export const UNIQUE_KEYS_WITHOUT_MERCHANT: Record<string, Allowed> = {
  'orders(order_id)': {
    route: 'per-merchant-key',
    reason:
      'every order lookup can name the merchant (see the queries); 8 random digits per 10 ms tick keep ids apart',
  },
  'refunds(refund_order_id)': {
    route: 'per-merchant-key',
    reason: 'refunds are found by merchant and id, or by the settler that read the row',
  },
  'notifications(notify_id)': {
    route: 'per-merchant-key',
    reason: 'delivery holds the claimed row and its merchant; operators look up by id across shards',
  },
  'tokens(token)': {
    route: 'per-merchant-key',
    reason: 'every token lookup already names the merchant',
  },
  'agreements(recurring_agreement_id)': {
    route: 'per-merchant-key',
    reason: 'every agreement lookup already names the merchant',
  },
  'checkout_sessions(session_id)': {
    route: 'per-merchant-key',
    reason: 'the API names the merchant; the page and the frame will (merchant-in-url)',
  },
  'order_events(order_id, seq)': { route: 'backfill', reason: 'becomes (merchant_id, order_id, seq)' },
  'notification_attempts(notify_id, attempt)': {
    route: 'backfill',
    reason: 'becomes (merchant_id, notify_id, attempt)',
  },
  'challenges(challenge_id)': { route: 'backfill', reason: 'becomes (merchant_id, challenge_id)' },
  'challenges(order_id)': {
    route: 'backfill',
    reason: 'one challenge per order: (merchant_id, order_id) says the same, since an order has one merchant',
  },
};

/**
 * Queries on distributed tables that do not name the distribution column, by
 * `file#function table` (file under packages/gateway/src; `*` for a table chosen at run time).
 */
export const QUERIES_WITHOUT_MERCHANT: Record<string, Allowed> = {
  // orders
  'core/orders/repo.ts#OrderRepo.byOrderIdAny orders': {
    route: 'merchant-in-url',
    reason: 'the 3-D Secure and bank pages read their order by order id alone',
  },
  'core/orders/repo.ts#OrderRepo.lock orders': {
    route: 'carry-merchant',
    reason:
      'jobs, pages and the authorization recorder lock by order id (mutate(null, …)); FOR UPDATE must be single-shard',
  },
  'core/orders/repo.ts#OrderRepo.update orders': {
    route: 'carry-merchant',
    reason: 'writes the order the same transaction locked, whose row names the merchant',
  },
  'core/orders/repo.ts#OrderRepo.dueForReconcile orders': {
    route: 'job-scan',
    reason: 'the reconciler looks for unknown outcomes of every merchant',
  },
  'core/orders/repo.ts#OrderRepo.dueForExpiry orders': {
    route: 'job-scan',
    reason: 'the expiry pass looks for lapsed authorizations of every merchant',
  },
  'core/orders/repo.ts#OrderRepo.countAwaitingReconcile orders': {
    route: 'operator-scan',
    reason: 'the metrics count the reconciler backlog of every merchant, at most every 5 s',
  },
  'modules/notifications/repo.ts#NotificationRepo.countDue notifications': {
    route: 'operator-scan',
    reason: 'the metrics count the notification backlog of every merchant, at most every 5 s',
  },
  'modules/redirects/service.ts#RedirectService.due orders': {
    route: 'job-scan',
    reason: 'redirect expiry and SEPA settlement look across merchants',
  },
  'modules/notifications/repo.ts#NotificationRepo.lockDue orders': {
    route: 'colocated-join',
    reason: 'the claim left-joins orders on order_id alone',
  },
  'vault/card-records.ts#rewrapCards *': {
    route: 'job-scan',
    reason: 'key rotation re-encrypts the card records of every merchant, each row updated by its key alone',
  },
  'vault/card-records.ts#countCardRecords *': {
    route: 'operator-scan',
    reason: '`openkka keys status` counts card records per data key over all merchants',
  },
  // order_events
  'core/orders/repo.ts#OrderRepo.events order_events': {
    route: 'backfill',
    reason: 'the history of an order by order id; the caller holds the order and its merchant',
  },
  // checkout_sessions
  'modules/sessions/repo.ts#SessionRepo.byId checkout_sessions': {
    route: 'merchant-in-url',
    reason:
      'the hosted page reads its session by id alone, and so does the frame before it compares merchants',
  },
  'modules/sessions/repo.ts#SessionRepo.markCompleted checkout_sessions': {
    route: 'carry-merchant',
    reason: 'the payment that completes the session knows its merchant',
  },
  'modules/sessions/repo.ts#SessionRepo.closeIfUnpaid checkout_sessions': {
    route: 'carry-merchant',
    reason: 'cancel and expiry read the session first, merchant included',
  },
  'modules/sessions/repo.ts#SessionRepo.dueForExpiry checkout_sessions': {
    route: 'job-scan',
    reason: 'the expiry pass looks for open sessions of every merchant',
  },
  // notifications
  'modules/notifications/repo.ts#NotificationRepo.dueMerchants notifications': {
    route: 'job-scan',
    reason:
      'which merchants have due notifications: a recursive CTE today, which Citus runs on one shard only',
  },
  'modules/notifications/repo.ts#NotificationRepo.lockDue notifications': {
    route: 'colocated-join',
    reason: 'the earlier-event check is correlated on order_id alone',
  },
  'modules/notifications/repo.ts#NotificationRepo.lease notifications': {
    route: 'carry-merchant',
    reason: 'leases rows the claim just locked for one merchant',
  },
  'modules/notifications/repo.ts#NotificationRepo.lockState notifications': {
    route: 'carry-merchant',
    reason: 'the dispatcher holds the claimed row and its merchant',
  },
  'modules/notifications/repo.ts#NotificationRepo.recordAttempt notifications': {
    route: 'carry-merchant',
    reason: 'the dispatcher holds the claimed row and its merchant',
  },
  'modules/notifications/repo.ts#NotificationRepo.get notifications': {
    route: 'operator-scan',
    reason: 'the admin API and `openkka notifications` show one by notify id',
  },
  'modules/notifications/repo.ts#NotificationRepo.list notifications': {
    route: 'operator-scan',
    reason: 'the admin API and `openkka notifications` list across merchants',
  },
  'modules/notifications/repo.ts#NotificationRepo.requeue notifications': {
    route: 'operator-scan',
    reason: 'an operator retries one by notify id',
  },
  // notification_attempts
  'modules/notifications/repo.ts#NotificationRepo.attempts notification_attempts': {
    route: 'backfill',
    reason: 'the operator view of the attempts of one notification, by notify id',
  },
  // refunds
  'modules/refunds/repo.ts#RefundRepo.byId refunds': {
    route: 'carry-merchant',
    reason: 'settling a refund re-reads the row it holds, under the lock of its order',
  },
  'modules/refunds/repo.ts#RefundRepo.update refunds': {
    route: 'carry-merchant',
    reason: 'settling writes the refund it holds',
  },
  'modules/refunds/repo.ts#RefundRepo.claim refunds': {
    route: 'carry-merchant',
    reason: 'the settler claims a refund row it has read',
  },
  'modules/refunds/repo.ts#RefundRepo.due refunds': {
    route: 'job-scan',
    reason: 'the refund settler looks for PROCESSING refunds of every merchant',
  },
  // challenges
  'modules/three-ds/repo.ts#ChallengeRepo.get challenges': {
    route: 'backfill',
    reason:
      'the 3-D Secure page reads its challenge by id alone; after the backfill its URL names the merchant',
  },
  'modules/three-ds/repo.ts#ChallengeRepo.byOrder challenges': {
    route: 'backfill',
    reason: 'by order id, inside the locked transaction of the order',
  },
  'modules/three-ds/repo.ts#ChallengeRepo.update challenges': {
    route: 'backfill',
    reason: 'writes the challenge the page or the expiry pass holds',
  },
  'modules/three-ds/repo.ts#ChallengeRepo.dueForExpiry challenges': {
    route: 'backfill',
    reason: 'the expiry pass looks across merchants (then a job-scan)',
  },
  // the operators' dashboard, and seeding
  'modules/dashboard/overview.ts#DashboardOverview.read orders': {
    route: 'operator-scan',
    reason: 'the overview sums the payments of every merchant over a time window',
  },
  'modules/dashboard/overview.ts#DashboardOverview.read refunds': {
    route: 'operator-scan',
    reason: 'the overview sums the refunds of every merchant over a time window',
  },
  'modules/dashboard/overview.ts#DashboardOverview.read notifications': {
    route: 'operator-scan',
    reason: 'the overview counts the notifications of every merchant over a time window',
  },
  'modules/dashboard/overview.ts#DashboardOverview.read notification_attempts': {
    route: 'backfill',
    reason: 'the overview counts delivery attempts over a time window (then an operator-scan)',
  },
  'modules/dashboard/payments.ts#DashboardPayments.searched orders': {
    route: 'operator-scan',
    reason: 'the dashboard search looks an order id up across merchants',
  },
  'modules/dashboard/payments.ts#DashboardPayments.searched checkout_sessions': {
    route: 'operator-scan',
    reason: 'the dashboard search looks a session id up across merchants',
  },
  'seed/seeder.ts#refuseOrders orders': {
    route: 'operator-scan',
    reason: '`openkka seed` checks that the store holds no order at all before it fills it',
  },
  'modules/dashboard/payments.ts#DashboardPayments.list orders': {
    route: 'operator-scan',
    reason: 'the dashboard lists payments of every merchant, or of one when the filter names it',
  },
  'modules/dashboard/payments.ts#DashboardPayments.refunds refunds': {
    route: 'carry-merchant',
    reason: 'the refunds of the payment the dashboard page shows, whose order names the merchant',
  },
  'modules/dashboard/payments.ts#DashboardPayments.challenge challenges': {
    route: 'backfill',
    reason: 'the challenge of the payment the dashboard page shows, by order id',
  },
  // replay rows
  'core/merchants/replay-guard.ts#ReplayGuard.pruneExpired *': {
    route: 'prune-scan',
    reason: 'deletes expired used_signatures and request_nonces rows of every merchant',
  },
  'modules/wallets/google-pay/used-messages.ts#UsedGooglePayMessages.pruneExpired google_pay_messages': {
    route: 'prune-scan',
    reason: 'deletes the messages of expired Google Pay tokens',
  },
};
