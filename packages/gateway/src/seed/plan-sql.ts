/**
 * The plan of a chunk of seeded orders: one row per order in the temporary table `seed_plan`,
 * drawn in the database from a range of numbers. Everything random about an order is drawn here
 * once (its method, how it ends, its times, its ids); the statements that write the real tables
 * (row-sql.ts) only read the plan, so an order's event, notification and refund agree.
 *
 * Times: the orders are spread evenly over the span, one slot of whole 10 ms ticks each, so their
 * ids (`GW` + the tick + 8 random digits, as newOrderId makes them) can never repeat. A step of
 * an order (a capture, a refund) exists only if its time is before the seed's "now": an old
 * order has its whole story, a recent one is still authorized, or waits on its challenge.
 */

import { BUSINESS_CODES } from '../domain/errors.ts';
import type { SeedDialect } from './dialect.ts';
import {
  type At,
  CARD_CURRENCIES,
  CARD_TRAITS,
  CATEGORIES,
  type Category,
  DECLINE_REASONS,
  type Family,
  METHODS,
  ORDER_TRAITS,
  OUTCOMES,
  WEIGHT_TOTAL,
} from './mix.ts';
import { lit, lookup, weighted } from './sql-text.ts';

export interface PlanSettings {
  /** The seed's "now", epoch ms: nothing seeded happens after it. */
  now: number;
  /** The first order's slot starts at this 10 ms tick; each slot is `slotTicks` long. */
  firstTick: number;
  slotTicks: number;
  /** How many merchants the orders are spread over (rows 0 … merchants − 1 of seed_merchants). */
  merchants: number;
  /** Hex digits that make this seed's trans_ids its own. */
  runId: string;
  /** Where shoppers reach the gateway: its 3-D Secure and bank pages. */
  publicUrl: string;
  paymentExpiryMs: number;
  finalAuthValidityMs: number;
  preAuthValidityMs: number;
  sepaSettlementDelayMs: number;
  /** The decline code of each declining test card, by its index in seed_cards. */
  declineCards: readonly { index: number; code: string }[];
  /** How many approved test cards seed_cards starts with (indexes 0 …). */
  approvedCards: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * A refund comes an hour to two months after the money was taken, most in the first days: the
 * delay past the hour is the square of a draw below √(60 days in ms) = 72,000.
 */
const REFUND_DELAY = { min: HOUR, root: 72_000 };
/** A challenge or bank page takes the shopper 20 s to 10 min. */
const SHOPPER_DELAY = { min: 20_000, span: 580_000 };

/** The columns of seed_plan, with their types. */
export const PLAN_COLUMNS = {
  i: 'bigint',
  order_id: 'text',
  /** Tick and 7 random digits: other ids of the order are a prefix, this, and a digit. */
  id_head: 'text',
  merchant_id: 'text',
  m: 'integer',
  trans_id: 'text',
  created_at: 'bigint',
  method: 'text',
  family: 'text',
  currency: 'text',
  amount: 'bigint',
  capture_method: 'text',
  authorisation_type: 'text',
  payment_type: 'text',
  cat: 'integer',
  /** How many of its category's steps the order has been through: 0 is still PROCESSING. */
  k: 'integer',
  card: 'integer',
  three_ds: 'integer',
  stores: 'integer',
  recurring: 'integer',
  refund_amount: 'bigint',
  capture_amount: 'bigint',
  decline_code: 'text',
  decline_desc: 'text',
  notify_url: 'text',
  return_url: 'text',
  shopper_reference: 'text',
  token_usage: 'text',
  wire: 'text',
  acquirer_ref: 'text',
  pay_at: 'bigint',
  later_at: 'bigint',
  refund_at: 'bigint',
  expiry_at: 'bigint',
  expire_at: 'bigint',
  hex: 'text',
  r_notify: 'integer',
  /** A 3-D Secure order's authentication_result. */
  auth_json: 'text',
  /** A bank or wallet page's URL. */
  redirect_url: 'text',
} as const;

export type PlanColumn = keyof typeof PLAN_COLUMNS;

const CARD_METHODS = METHODS.filter((m) => m.family === 'card').map((m) => lit(m.method));

/** The time a step's `at` letter names, for a plan row `p`. */
export function timeOf(at: At | string, p = 'p'): string {
  switch (at) {
    case 'P':
      return `${p}.pay_at`;
    case 'L':
      return `${p}.later_at`;
    case 'X':
      return `${p}.expiry_at`;
    case 'R':
      return `${p}.refund_at`;
    default:
      return `(${p}.refund_at + 1000)`;
  }
}

const codeOf = (name: keyof typeof BUSINESS_CODES) => lit(BUSINESS_CODES[name].code);

function outcomes(family: keyof typeof OUTCOMES): string {
  const shares = Object.entries(OUTCOMES[family]) as [Category, number][];
  return weighted(
    'r_outcome',
    shares.map(([category, weight]) => ({ value: String(CATEGORIES[category].id), weight })),
  );
}

/** How many steps of its category an order has been through by `now`: those whose time has come. */
function stepsDone(now: number): string {
  const arms = Object.values(CATEGORIES).map(({ id, steps }) => {
    const done = steps.map((s) => `(case when ${timeOf(s.after, 'e')} <= ${now} then 1 else 0 end)`);
    return [String(id), done.join(' + ')] as const;
  });
  return lookup('e.cat', arms, '0');
}

/** The SQL that fills seed_plan with orders `first` … `last` (0-based, inclusive). */
export function planInsert(d: SeedDialect, s: PlanSettings, first: number, last: number): string {
  const W = WEIGHT_TOTAL;
  const laterSpan = Math.max(60_000, Math.min(4 * DAY, s.finalAuthValidityMs - 15 * 60_000));
  const families = [...new Set(METHODS.map((m) => m.family))];
  const familyOf = `(case ${families
    .map((family: Family) => {
      const methods = METHODS.filter((m) => m.family === family).map((m) => lit(m.method));
      return `when method in (${methods.join(', ')}) then ${lit(family)}`;
    })
    .join(' ')} end)`;
  const currency = lookup(
    'method',
    METHODS.filter((m) => m.currency).map((m) => [lit(m.method), lit(m.currency!)] as const),
    lookup(
      'r_currency',
      CARD_CURRENCIES.map((c, i) => [String(i), lit(c)] as const),
    ),
  );
  const declineCode = `(case when family = 'redirect' then ${weighted(
    'r_decline',
    DECLINE_REASONS.redirect.map((r) => ({ value: codeOf(r.code), weight: r.weight })),
  )} when three_ds = 1 then ${weighted(
    'r_decline',
    DECLINE_REASONS.threeDs.map((r) => ({ value: codeOf(r.code), weight: r.weight })),
  )} else ${lookup(
    'card',
    s.declineCards.map((c) => [String(c.index), lit(c.code)] as const),
  )} end)`;
  const declineCodes = new Set([
    ...s.declineCards.map((c) => c.code),
    ...[...DECLINE_REASONS.redirect, ...DECLINE_REASONS.threeDs].map((r) => BUSINESS_CODES[r.code].code),
  ]);
  const declineDesc = lookup(
    'decline_code',
    Object.values(BUSINESS_CODES)
      .filter((c) => declineCodes.has(c.code))
      .map((c) => [lit(c.code), lit(c.description)] as const),
  );
  const shop = `'https://shop-' || m || '.openkka.invalid'`;
  const orderId = `'GW' || ${d.pad('tick', 12)} || ${d.pad('r_tail', 8)}`;
  const challengeUrl = `${lit(`${s.publicUrl}/3ds/`)} || hex`;
  const pending = `'{"authentication_url":"' || ${challengeUrl} || '","enroll_status":"Y","version":"2.2.0","mode":"CHALLENGE"'`;
  const finished = `${pending} || (case when cat = ${CATEGORIES.declined.id} then ',"authentication_status":"N","eci":"07"' else ',"authentication_status":"Y","eci":"05","cryptogram":"' || substr(hex || hex, 3, 27) || '="' end) || ',"xid":"' || hex || '","upgraded":false,"downgraded":false,"exemption_applied":false'`;

  // r is materialized so that each random is drawn once per order. c and e are too: the levels
  // after them name their columns many times, and an inlined level is computed again at every
  // mention (the plan took half as long again without them, on both stores).
  return `with recursive ${d.numbers(first, last)},
r as materialized (
  select i,
    ${s.firstTick} + i * ${s.slotTicks} + ${d.random(s.slotTicks)} as tick,
    ${d.random(10)} as r_ms,
    ${d.random(W)} as r_method, ${d.random(W)} as r_outcome, ${d.random(W)} as r_manual,
    ${d.random(W)} as r_preauth, ${d.random(W)} as r_3ds, ${d.random(W)} as r_store, ${d.random(W)} as r_sub,
    ${d.random(W)} as r_notify_url, ${d.random(W)} as r_wire, ${d.random(W)} as r_shopper,
    ${d.random(W)} as r_decline, ${d.random(W)} as r_notify,
    ${d.random(100_000_000)} as r_tail, ${d.random(CARD_CURRENCIES.length)} as r_currency,
    ${d.random(s.approvedCards)} as r_card, ${d.random(99_500)} as r_amount, ${d.random(3)} as r_part,
    ${d.random(SHOPPER_DELAY.span)} as r_pay, ${d.random(laterSpan)} as r_later,
    ${d.random(REFUND_DELAY.root)} as r_refund,
    ${d.random(s.merchants)} as m, ${d.hex32()} as hex
  from n
),
a as (
  select r.*, tick * 10 + r_ms as created_at,
    ${weighted(
      'r_method',
      METHODS.map((m) => ({ value: lit(m.method), weight: m.weight })),
    )} as method
  from r
),
b as (
  select a.*, ${familyOf} as family,
    (case when method in (${CARD_METHODS.join(', ')}) and r_manual < ${CARD_TRAITS.manualCapture} then 'MANUAL' else 'AUTOMATIC' end) as capture_method,
    (case when method = 'BANKCARD' and r_3ds < ${CARD_TRAITS.threeDs} then 1 else 0 end) as three_ds,
    ${currency} as currency,
    500 + r_amount as amount
  from a
),
c as materialized (
  select b.*,
    (case when family = 'card' and capture_method = 'AUTOMATIC' then ${outcomes('automatic')}
      when family = 'card' then ${outcomes('manual')}
      when family = 'redirect' then ${outcomes('redirect')}
      else ${outcomes('sepa')} end) as cat,
    (case when capture_method = 'MANUAL' and r_preauth < ${CARD_TRAITS.preAuth} then 'PRE_AUTH' else 'FINAL_AUTH' end) as authorisation_type
  from b
),
d as (
  select c.*,
    (case when family = 'card' then (case when cat = ${CATEGORIES.declined.id} and three_ds = 0
      then ${s.approvedCards} + r_card % ${s.declineCards.length} else r_card end) end) as card,
    (case when method = 'BANKCARD' and capture_method = 'AUTOMATIC' and three_ds = 0 and cat = ${CATEGORIES.paid.id}
      and r_store < ${CARD_TRAITS.storesCard} then 1 else 0 end) as stores,
    created_at + (case when three_ds = 1 or family = 'redirect' then ${SHOPPER_DELAY.min} + r_pay
      when family = 'sepa' then ${s.sepaSettlementDelayMs} + r_pay % 5000
      else 200 + r_pay % 2800 end) as pay_at
  from c
),
e as materialized (
  select d.*,
    pay_at + r_later as later_at,
    created_at + (case when authorisation_type = 'PRE_AUTH' then ${s.preAuthValidityMs} else ${s.finalAuthValidityMs} end) as expiry_at,
    (case when capture_method = 'MANUAL' then pay_at + r_later else pay_at end) + ${REFUND_DELAY.min} + r_refund * r_refund as refund_at
  from d
),
f as (
  select e.*, ${stepsDone(s.now)} as k,
    (case when cat = ${CATEGORIES.declined.id} then ${declineCode} end) as decline_code,
    (case when stores = 1 and r_sub < ${CARD_TRAITS.subscription} then 1 else 0 end) as recurring
  from e
)
insert into seed_plan (${Object.keys(PLAN_COLUMNS).join(', ')})
select i, ${orderId}, ${d.pad('tick', 12)} || ${d.pad('r_tail / 10', 7)}, sm.merchant_id, f.m,
  ${lit(`seed-${s.runId}-`)} || ${d.pad('i', 9)},
  created_at, method, family, currency, amount, capture_method, authorisation_type,
  (case when recurring = 1 then 'RECURRING' else 'PURCHASE' end),
  cat, k, card, three_ds, stores, recurring,
  (amount * (1 + r_part)) / 4, (amount * (1 + r_part)) / 4,
  decline_code, ${declineDesc},
  (case when k > 0 and r_notify_url < ${ORDER_TRAITS.notifyUrl} then ${shop} || '/notify' end),
  ${shop} || '/return',
  (case when stores = 1 then 'shopper-' || i when r_shopper < ${ORDER_TRAITS.shopperReference} then 'shopper-' || (r_tail % 500000) end),
  (case when stores = 1 then (case when recurring = 1 then 'SUBSCRIPTION' else 'CARD_ON_FILE' end) end),
  (case when r_wire < ${ORDER_TRAITS.v3} then 'v3' else 'v1.2' end),
  (case when family = 'card' then 'SIM' else 'OFF' end) || upper(substr(hex, 1, 16)),
  pay_at, later_at, refund_at, expiry_at, created_at + ${s.paymentExpiryMs}, hex, r_notify,
  (case when three_ds = 0 then null when k = 0 then ${pending} || '}' else ${finished} || '}' end),
  (case when family = 'redirect' then ${lit(`${s.publicUrl}/redirect/`)} || ${orderId} || '.' || substr(hex, 1, 22) end)
from f join seed_merchants sm on sm.m_index = f.m`;
}
