/**
 * The statements that write a chunk's rows into the gateway's tables, each one INSERT … SELECT
 * over the plan (plan-sql.ts) and the small tables the seeder fills first: the steps of each
 * category (`seed_script`), the test cards (`seed_cards`), the merchants and a few numbers.
 * Each statement names every column of its table, typed against the table's declaration, so a
 * column added to the store does not compile here until it is given a value.
 *
 * Ids the gateway draws at random throughout (notification, refund, token and agreement ids)
 * are here the order's tick and random digits behind their own prefix, with one digit more: the
 * load then appends to those indexes instead of writing a random page per row, which keeps
 * seeding millions of orders fast. They keep the gateway's formats (prefix and 20 digits).
 */
import type {
  AgreementsTable,
  ChallengesTable,
  NotificationAttemptsTable,
  NotificationsTable,
  OrderEventsTable,
  OrdersTable,
  RefundsTable,
  TokensTable,
} from '../store/schema.ts';
import type { SeedDialect } from './dialect.ts';
import { CATEGORIES, NOTIFICATION_FATES, WEIGHT_TOTAL } from './mix.ts';
import { PLAN_COLUMNS, timeOf } from './plan-sql.ts';
import { insertSelect, jsonObject, raw, text } from './sql-text.ts';

export interface RowSettings {
  /** The seed's "now", epoch ms. */
  now: number;
  /** OPENKKA_NOTIFY_BACKOFF: the waits between delivery attempts. */
  notifyBackoffMs: readonly number[];
}

/** The temporary tables a seed works with, on the connection that seeds. */
export function setupStatements(): string[] {
  const plan = Object.entries(PLAN_COLUMNS).map(([name, type]) => `${name} ${type}`);
  return [
    `create temp table seed_plan (${plan.join(', ')})`,
    `create temp table seed_script (cat integer, seq integer, type text, status text, moved text,
      authed text, captured text, voided text, refunded text, refunding text, at text, notify_type text)`,
    `create temp table seed_cards (card integer primary key, bin text, last4 text, brand text,
      fingerprint text, ciphertext text, exp_month integer, exp_year integer)`,
    'create temp table seed_merchants (m_index integer primary key, merchant_id text)',
    'create temp table seed_nums (n integer primary key)',
  ];
}

/** The rows of seed_script: every step of every category. */
export function scriptRows(): unknown[][] {
  return Object.values(CATEGORIES).flatMap(({ id, steps }) =>
    steps.map((s, i) => [id, i + 1, s.type, s.status, s.moved, ...s.balances, s.at, s.notify]),
  );
}

/** The money an amount letter of the script names, for plan row `p`. */
const amount = (letter: string) =>
  `(case ${letter} when 'A' then p.amount when 'R' then p.refund_amount when 'C' then p.capture_amount when 'V' then (p.amount - p.capture_amount) else 0 end)`;

/** The time of a step, from its `at` letter (a column of seed_script). */
const stepTime = (letter: string) =>
  `(case ${letter} ${(['P', 'L', 'X', 'R'] as const).map((at) => `when '${at}' then ${timeOf(at)}`).join(' ')} else ${timeOf('S')} end)`;

const REFUND_SETTLED = `('REFUND_SUCCESS', 'REFUND_FAILURE')`;

/**
 * Every step an order of the chunk has been through, one row each, with what the step's rows
 * need: its amounts, its time, the order's card, and what becomes of its notification.
 */
function steps(where = ''): string {
  return `e as (
  select p.*, s.seq, s.type, s.status, s.notify_type,
    ${amount('s.moved')} as moved_amount,
    ${amount('s.authed')} as b_authed, ${amount('s.captured')} as b_captured, ${amount('s.voided')} as b_voided,
    ${amount('s.refunded')} as b_refunded, ${amount('s.refunding')} as b_refunding,
    ${stepTime('s.at')} as at,
    c.bin, c.last4, c.brand,
    (p.r_notify + s.seq * 2311) % ${WEIGHT_TOTAL} as fate
  from seed_plan p
  join seed_script s on s.cat = p.cat and s.seq <= p.k
  left join seed_cards c on c.card = p.card
  ${where}
)`;
}

/** The order's other ids, from plan columns prefixed by `q` (`p.`, or nothing inside a CTE). */
const refundId = (q = 'p.') => `'RG' || ${q}id_head || '1'`;
const tokenId = (q = 'p.') => `(case when ${q}stores = 1 and ${q}k > 0 then 'TK' || ${q}id_head || '1' end)`;
const agreementId = (q = 'p.') =>
  `(case when ${q}recurring = 1 and ${q}k > 0 then 'RA' || ${q}id_head || '1' end)`;

export function ordersInsert(): string {
  const columns: Record<keyof OrdersTable, string> = {
    order_id: 'p.order_id',
    merchant_id: 'p.merchant_id',
    trans_id: 'p.trans_id',
    status: `coalesce(s.status, 'PROCESSING')`,
    payment_type: 'p.payment_type',
    authorisation_type: 'p.authorisation_type',
    capture_method: 'p.capture_method',
    payment_method: 'p.method',
    amount: 'p.amount',
    currency: 'p.currency',
    notify_url: 'p.notify_url',
    return_url: 'p.return_url',
    expire_at: 'p.expire_at',
    mit: '0',
    shopper_reference: 'p.shopper_reference',
    card_fingerprint: 'c.fingerprint',
    // Kept only while an outcome is awaited: here, a challenge still open.
    card_ciphertext: `(case when p.k = 0 then c.ciphertext end)`,
    card_bin: 'c.bin',
    card_last4: 'c.last4',
    card_brand: 'c.brand',
    error_code: `(case when p.k = 0 then '' when s.type = 'DECLINE' then p.decline_code else '0000' end)`,
    error_description: `(case when p.k = 0 then '' when s.type = 'DECLINE' then p.decline_desc else 'request success' end)`,
    authed_amount: amount('s.authed'),
    captured_amount: amount('s.captured'),
    voided_amount: amount('s.voided'),
    refunded_amount: amount('s.refunded'),
    refunding_amount: amount('s.refunding'),
    processing_until: 'null',
    pay_finish_at: '(case when p.k > 0 then p.pay_at end)',
    auth_expires_at: `(case when s.status = 'AUTHORIZED' then p.expiry_at end)`,
    acquirer_ref: '(case when p.k > 0 then p.acquirer_ref end)',
    created_at: 'p.created_at',
    updated_at: `(case when p.k = 0 then p.created_at else ${stepTime('s.at')} end)`,
    reconcile_attempts: '0',
    next_reconcile_at: 'null',
    event_seq: 'p.k',
    token: tokenId(),
    recurring_agreement_id: agreementId(),
    store_payment_method: 'p.stores',
    token_usage: 'p.token_usage',
    authentication_result: `coalesce(p.auth_json, '{"redirect_url":"' || p.redirect_url || '"}')`,
    session_id: 'null',
    wire: 'p.wire',
  };
  return insertSelect(
    'orders',
    columns,
    `from seed_plan p
  left join seed_script s on s.cat = p.cat and s.seq = p.k
  left join seed_cards c on c.card = p.card
  order by p.i`,
  );
}

export function tokensInsert(): string {
  const columns: Record<keyof TokensTable, string> = {
    token: tokenId(),
    merchant_id: 'p.merchant_id',
    shopper_reference: 'p.shopper_reference',
    card_fingerprint: 'c.fingerprint',
    card_ciphertext: 'c.ciphertext',
    card_bin: 'c.bin',
    card_last4: 'c.last4',
    card_brand: 'c.brand',
    exp_month: 'c.exp_month',
    exp_year: 'c.exp_year',
    token_usage: 'p.token_usage',
    payment_method: 'p.method',
    status: `'ACTIVE'`,
    created_at: 'p.pay_at',
    updated_at: 'p.pay_at',
  };
  return insertSelect(
    'tokens',
    columns,
    'from seed_plan p join seed_cards c on c.card = p.card where p.stores = 1 and p.k > 0 order by p.i',
  );
}

export function agreementsInsert(): string {
  const columns: Record<keyof AgreementsTable, string> = {
    recurring_agreement_id: agreementId(),
    merchant_id: 'p.merchant_id',
    shopper_reference: 'p.shopper_reference',
    token: tokenId(),
    first_order_id: 'p.order_id',
    status: `'ACTIVE'`,
    created_at: 'p.pay_at',
    updated_at: 'p.pay_at',
  };
  return insertSelect(
    'agreements',
    columns,
    'from seed_plan p where p.recurring = 1 and p.k > 0 order by p.i',
  );
}

export function challengesInsert(): string {
  const declined = `p.cat = ${CATEGORIES.declined.id}`;
  const status = `(case when p.k = 0 then 'PENDING' when ${declined} and p.decline_code = '5006' then 'FAILED'
    when ${declined} then 'EXPIRED' else 'PASSED' end)`;
  const columns: Record<keyof ChallengesTable, string> = {
    challenge_id: 'p.hex',
    order_id: 'p.order_id',
    legacy_otp: 'null',
    status,
    attempts: `(case when p.k = 0 then 0 when ${declined} and p.decline_code = '5006' then 1 + p.r_notify % 3
      when ${declined} then 0 else 1 end)`,
    cvv_ciphertext: 'null',
    expires_at: 'p.expire_at',
    created_at: 'p.created_at',
    updated_at: '(case when p.k = 0 then p.created_at else p.pay_at end)',
  };
  return insertSelect('challenges', columns, 'from seed_plan p where p.three_ds = 1 order by p.i');
}

export function refundsInsert(): string {
  const succeeded = `s.type = 'REFUND_SUCCESS'`;
  const columns: Record<keyof RefundsTable, string> = {
    refund_order_id: refundId(),
    merchant_id: 'p.merchant_id',
    refund_trans_id: `p.trans_id || '-r1'`,
    order_id: 'p.order_id',
    amount: amount('s.moved'),
    currency: 'p.currency',
    reason: 'null',
    notify_url: 'null',
    status: `(case when ${succeeded} then 'SUCCESS' else 'FAILURE' end)`,
    error_code: `(case when ${succeeded} then '0000' else '5101' end)`,
    error_description: `(case when ${succeeded} then 'request success' else 'Refund declined by the acquirer' end)`,
    acquirer_ref: `p.acquirer_ref || '-R'`,
    next_check_at: 'null',
    finished_at: timeOf('S'),
    created_at: timeOf('R'),
    updated_at: timeOf('S'),
  };
  return insertSelect(
    'refunds',
    columns,
    `from seed_plan p join seed_script s on s.cat = p.cat and s.seq <= p.k and s.type in ${REFUND_SETTLED} order by p.i`,
  );
}

export function eventsInsert(): string {
  const columns: Record<keyof OrderEventsTable, string> = {
    order_id: 'order_id',
    seq: 'seq',
    type: 'type',
    amount: 'moved_amount',
    status: 'status',
    refund_order_id: `(case when type like 'REFUND%' then ${refundId('')} end)`,
    created_at: 'at',
  };
  return `with ${steps()}\n${insertSelect('order_events', columns, 'from e order by i, seq')}`;
}

/** What became of each notification: delivered at once, at the second attempt, or never. */
function fates(s: RowSettings): string {
  const backoff = s.notifyBackoffMs;
  const settled = s.now - backoff.reduce((sum, ms) => sum + ms, 0) - 60_000;
  const failed = `at < ${settled} and fate < ${NOTIFICATION_FATES.failed}`;
  const retried = `at < ${settled} and fate < ${NOTIFICATION_FATES.failed + NOTIFICATION_FATES.retried}`;
  return `f as (
  select e.*,
    (case when ${failed} then ${backoff.length + 1} when ${retried} then 2 else 1 end) as attempts,
    (case when ${failed} then 0 else 1 end) as delivered,
    20 + fate % 300 as latency
  from e
)`;
}

/** When attempt `n` began: the step's time and the waits before it. */
function attemptStart(n: string, backoff: readonly number[]): string {
  let waited = 0;
  const arms = backoff.map((ms, i) => {
    waited += ms;
    return `when ${i + 2} then ${waited}`;
  });
  return `(at + (case ${n} when 1 then 0 ${arms.join(' ')} else 0 end))`;
}

function notificationBody(d: SeedDialect): string {
  const balances = jsonObject([
    raw('authed_amount', 'b_authed'),
    raw('captured_amount', 'b_captured'),
    raw('able_to_capture_amount', '(b_authed - b_captured - b_voided)'),
    raw('voided_amount', 'b_voided'),
    raw('able_to_void_amount', '(b_authed - b_captured - b_voided)'),
    raw('refunded_amount', 'b_refunded'),
    raw('able_to_refund_amount', '(b_captured - b_refunded - b_refunding)'),
    raw('refunding_amount', 'b_refunding'),
  ]);
  const payment = `'{"payment_method":"' || method || '"}'`;
  const cardInfo = `(case when bin is not null then ${jsonObject([text('bin', 'bin'), text('last4', 'last4'), text('card_brand', 'brand')])} end)`;
  const notifyId = `'NT' || id_head || seq`;
  const refundSucceeded = `type = 'REFUND_SUCCESS'`;
  const refundBody = jsonObject([
    text('notify_id', notifyId),
    text('notify_type', 'notify_type'),
    text('merchant_id', 'merchant_id'),
    text('trans_id', 'trans_id'),
    text('order_id', 'order_id'),
    text('refund_trans_id', `trans_id || '-r1'`),
    text('refund_order_id', refundId('')),
    text('status', `(case when ${refundSucceeded} then 'SUCCESS' else 'FAILURE' end)`),
    raw('amount', 'moved_amount'),
    text('currency', 'currency'),
    text('error_code', `(case when ${refundSucceeded} then '0000' else '5101' end)`),
    text(
      'error_description',
      `(case when ${refundSucceeded} then 'request success' else 'Refund declined by the acquirer' end)`,
    ),
    text('pay_finish_time', d.utcTime('pay_at')),
    raw('payment', payment),
    raw('card_info', cardInfo, true),
    raw('balances', balances),
  ]);
  const paymentBody = jsonObject([
    text('notify_id', notifyId),
    text('notify_type', 'notify_type'),
    text('error_code', `(case when type = 'DECLINE' then decline_code else '0000' end)`),
    text('error_description', `(case when type = 'DECLINE' then decline_desc else 'request success' end)`),
    text('merchant_id', 'merchant_id'),
    text('trans_id', 'trans_id'),
    text('order_id', 'order_id'),
    text('status', 'status'),
    text('authorisation_type', 'authorisation_type'),
    text('capture_method', 'capture_method'),
    raw('amount', 'amount'),
    text('currency', 'currency'),
    text('expire_time', d.utcTime('expire_at')),
    raw('payment', payment),
    raw('balances', balances),
    text('pay_finish_time', d.utcTime('pay_at')),
    text('shopper_reference', 'shopper_reference', true),
    text('token', tokenId(''), true),
    text('redirect_url', 'redirect_url', true),
    raw('authentication_result', 'auth_json', true),
    text('recurring_agreement_id', agreementId(''), true),
    raw('card_info', cardInfo, true),
  ]);
  return `(case when type in ${REFUND_SETTLED} then ${refundBody} else ${paymentBody} end)`;
}

export function notificationsInsert(d: SeedDialect, s: RowSettings): string {
  const last = attemptStart('attempts', s.notifyBackoffMs);
  const columns: Record<keyof NotificationsTable, string> = {
    notify_id: `'NT' || id_head || seq`,
    merchant_id: 'merchant_id',
    order_id: 'order_id',
    event_seq: 'seq',
    notify_type: 'notify_type',
    url: 'notify_url',
    body: notificationBody(d),
    status: `(case when delivered = 1 then 'DELIVERED' else 'FAILED' end)`,
    attempts: 'attempts',
    next_attempt_at: 'null',
    last_error: `(case when delivered = 0 then 'HTTP 503' end)`,
    delivered_at: `(case when delivered = 1 then ${last} + latency end)`,
    created_at: 'at',
    updated_at: `${last} + latency`,
    // Seeded orders were made by no request.
    request_id: 'null',
  };
  const where = 'where p.notify_url is not null and s.notify_type is not null';
  return `with ${steps(where)},\n${fates(s)}\n${insertSelect('notifications', columns, 'from f order by i, seq')}`;
}

export function attemptsInsert(s: RowSettings): string {
  const acknowledged = 'f.delivered = 1 and k.n = f.attempts';
  const columns: Record<keyof NotificationAttemptsTable, string> = {
    notify_id: `'NT' || f.id_head || f.seq`,
    attempt: 'k.n',
    started_at: attemptStart('k.n', s.notifyBackoffMs),
    latency_ms: 'f.latency',
    http_status: `(case when ${acknowledged} then 200 else 503 end)`,
    error: `(case when ${acknowledged} then null else 'HTTP 503' end)`,
    delivered: `(case when ${acknowledged} then 1 else 0 end)`,
    answer_excerpt: `(case when ${acknowledged} then '{"ret_code":"000000","ret_msg":"Success"}' end)`,
    request_id: 'null',
  };
  const where = 'where p.notify_url is not null and s.notify_type is not null';
  return `with ${steps(where)},\n${fates(s)}\n${insertSelect(
    'notification_attempts',
    columns,
    'from f join seed_nums k on k.n <= f.attempts order by f.i, f.seq, k.n',
  )}`;
}
