/**
 * What a seeded store holds, as data: the payment methods and how often each is used, how the
 * orders of each family end, and the events each ending is made of, in the order the gateway
 * writes them. The SQL that fills the store (plan-sql.ts, row-sql.ts) is generated from these
 * tables, so changing the mix is changing a number here. Weights are out of 10,000.
 */
import type { EventType } from '../core/orders/order-row.ts';
import type { OrderStatus } from '../domain/order.ts';
import type { PaymentMethod } from '../domain/payment-methods.ts';
import type { NotifyType } from '../modules/notifications/payload.ts';

export const WEIGHT_TOTAL = 10_000;

export type Family = 'card' | 'redirect' | 'sepa';

interface MethodShare {
  method: PaymentMethod;
  family: Family;
  weight: number;
  /** The currency its orders are in; card orders draw from CARD_CURRENCIES instead. */
  currency?: string;
}

/** Cards and wallets nine in ten, bank and wallet pages most of the rest, a little SEPA. */
export const METHODS: readonly MethodShare[] = [
  { method: 'BANKCARD', family: 'card', weight: 8200 },
  { method: 'APPLE_PAY', family: 'card', weight: 500 },
  { method: 'GOOGLE_PAY', family: 'card', weight: 300 },
  { method: 'IDEAL', family: 'redirect', weight: 250, currency: 'EUR' },
  { method: 'SOFORT', family: 'redirect', weight: 100, currency: 'EUR' },
  { method: 'EPS', family: 'redirect', weight: 50, currency: 'EUR' },
  { method: 'P24', family: 'redirect', weight: 80, currency: 'PLN' },
  { method: 'BANCONTACT', family: 'redirect', weight: 70, currency: 'EUR' },
  { method: 'ALIPAY_PLUS', family: 'redirect', weight: 150, currency: 'HKD' },
  { method: 'WECHAT_PAY_GLOBAL', family: 'redirect', weight: 100, currency: 'CNY' },
  { method: 'SEPA', family: 'sepa', weight: 200, currency: 'EUR' },
];

export const CARD_CURRENCIES = ['USD', 'EUR', 'GBP', 'HKD', 'SGD', 'AUD'] as const;

/** Shares of card orders (out of 10,000) with a trait. */
export const CARD_TRAITS = {
  /** Authorized now, captured later by the merchant. */
  manualCapture: 2500,
  /** Of manual captures: a pre-authorization (30-day validity) rather than a final one. */
  preAuth: 2000,
  /** Of BANKCARD orders: a 3-D Secure challenge before the authorization. */
  threeDs: 1200,
  /** Of approved BANKCARD purchases without a challenge: the card is stored as a token. */
  storesCard: 800,
  /** Of stored cards: the first payment of a subscription, with its recurring agreement. */
  subscription: 4000,
} as const;

/** Orders (out of 10,000) made over PayKKa v3 rather than v1.2; with a notify_url; with a shopper. */
export const ORDER_TRAITS = { v3: 1000, notifyUrl: 9000, shopperReference: 3000 } as const;

/**
 * When the steps of an order happened: P the payment's outcome, L the merchant's capture or
 * void, X the authorization's lapse, R the refund's request, S the refund's settlement.
 */
export type At = 'P' | 'L' | 'X' | 'R' | 'S';

/** An amount of an order: A its amount, R the refund, C the part captured, V the rest released, 0. */
export type Amount = 'A' | 'R' | 'C' | 'V' | '0';

export interface Step {
  type: EventType;
  /** The order's status after the step. */
  status: OrderStatus;
  /** The money the step moved: the event's amount. */
  moved: Amount;
  /** The balances after the step: authed, captured, voided, refunded, refunding. */
  balances: readonly [Amount, Amount, Amount, Amount, Amount];
  at: At;
  /**
   * The step exists only once this time has passed (the seed's "now"): a refund's request and
   * settlement appear together, so no seeded refund is left PROCESSING.
   */
  after: At;
  notify: NotifyType | null;
}

const step = (
  type: EventType,
  status: OrderStatus,
  moved: Amount,
  balances: Step['balances'],
  at: At,
  notify: NotifyType | null,
  after: At = at,
): Step => ({ type, status, moved, balances, at, after, notify });

/** The acquirer's approval: captured at once, or held for the merchant to capture. */
const authorized = (manual: boolean) =>
  step(
    'AUTHORIZATION',
    manual ? 'AUTHORIZED' : 'SUCCESS',
    'A',
    ['A', manual ? '0' : 'A', '0', '0', '0'],
    'P',
    manual ? 'PAYMENT.AUTHORIZATION' : 'PAYMENT.SUCCESS',
  );
const AUTHORIZED_AUTOMATIC = authorized(false);
const AUTHORIZED_MANUAL = authorized(true);
const CAPTURED = step('CAPTURE', 'SUCCESS', 'A', ['A', 'A', '0', '0', '0'], 'L', 'PAYMENT.SUCCESS');

/** A refund of `moved`, requested at R and settled at S, both written once S has passed. */
function refunded(moved: 'A' | 'R', outcome: 'SUCCESS' | 'FAILURE'): Step[] {
  const succeeded = outcome === 'SUCCESS';
  return [
    step('REFUND_REQUEST', 'SUCCESS', moved, ['A', 'A', '0', '0', moved], 'R', null, 'S'),
    step(
      succeeded ? 'REFUND_SUCCESS' : 'REFUND_FAILURE',
      succeeded ? (moved === 'A' ? 'REFUNDED' : 'PARTIALLY_REFUNDED') : 'SUCCESS',
      moved,
      ['A', 'A', '0', succeeded ? moved : '0', '0'],
      'S',
      succeeded ? 'REFUND.SUCCESS' : 'REFUND.FAILURE',
    ),
  ];
}

/**
 * How an order ends, as the events that got it there. The number is the category's id in the
 * SQL; an order whose first step has not happened yet (a challenge or bank page still open) is
 * PROCESSING with no event.
 */
export const CATEGORIES = {
  paid: { id: 1, steps: [AUTHORIZED_AUTOMATIC] },
  declined: {
    id: 2,
    steps: [step('DECLINE', 'FAILURE', '0', ['0', '0', '0', '0', '0'], 'P', 'PAYMENT.FAILURE')],
  },
  refunded: { id: 3, steps: [AUTHORIZED_AUTOMATIC, ...refunded('A', 'SUCCESS')] },
  partlyRefunded: { id: 4, steps: [AUTHORIZED_AUTOMATIC, ...refunded('R', 'SUCCESS')] },
  refundDeclined: { id: 5, steps: [AUTHORIZED_AUTOMATIC, ...refunded('R', 'FAILURE')] },
  captured: { id: 6, steps: [AUTHORIZED_MANUAL, CAPTURED] },
  partlyCaptured: {
    id: 7,
    steps: [
      AUTHORIZED_MANUAL,
      step('CAPTURE', 'PARTIALLY_REVERSED', 'C', ['A', 'C', 'V', '0', '0'], 'L', 'PAYMENT.SUCCESS'),
    ],
  },
  voided: {
    id: 8,
    steps: [
      AUTHORIZED_MANUAL,
      step('VOID', 'CANCELED', 'A', ['A', '0', 'A', '0', '0'], 'L', 'PAYMENT.CANCELED'),
    ],
  },
  lapsed: {
    id: 9,
    steps: [
      AUTHORIZED_MANUAL,
      step('EXPIRY', 'CANCELED', 'A', ['A', '0', 'A', '0', '0'], 'X', 'PAYMENT.CANCELED'),
    ],
  },
  capturedRefunded: { id: 10, steps: [AUTHORIZED_MANUAL, CAPTURED, ...refunded('A', 'SUCCESS')] },
} as const satisfies Record<string, { id: number; steps: readonly Step[] }>;

export type Category = keyof typeof CATEGORIES;

/** How often each family's orders end each way, out of 10,000. */
export const OUTCOMES: Readonly<
  Record<'automatic' | 'manual' | 'redirect' | 'sepa', Partial<Record<Category, number>>>
> = {
  automatic: { paid: 8350, declined: 900, refunded: 300, partlyRefunded: 350, refundDeclined: 100 },
  manual: {
    captured: 7300,
    partlyCaptured: 400,
    voided: 500,
    lapsed: 400,
    capturedRefunded: 500,
    declined: 900,
  },
  redirect: { paid: 8200, declined: 1400, refunded: 250, partlyRefunded: 150 },
  sepa: { paid: 9700, refunded: 300 },
};

/** Why a declined order failed, by how it was paid, out of 10,000 (card declines: by test card). */
export const DECLINE_REASONS = {
  threeDs: [
    { code: 'AUTHENTICATION_FAILED', weight: 7000 },
    { code: 'PAYMENT_EXPIRED', weight: 3000 },
  ],
  redirect: [
    { code: 'PAYMENT_EXPIRED', weight: 6000 },
    { code: 'SHOPPER_CANCELED', weight: 2500 },
    { code: 'DECLINED', weight: 1500 },
  ],
} as const;

/** Notifications (out of 10,000) delivered at the second attempt, and never delivered. */
export const NOTIFICATION_FATES = { retried: 200, failed: 50 } as const;
