/**
 * Shared pieces of the stored-card and recurring tests: a hand-signing client for one merchant
 * (every request over real HTTP, every answer checked for a 5xx), request bodies for storing,
 * paying by token and the two kinds of recurring payment, and readers of the tokens and
 * agreements tables straight from the store.
 */
import { expect } from 'vitest';
import { cardPayment } from './cards.ts';
import type { TestGateway, TestMerchant } from './gateway.ts';
import { type RawResponse, signedPost } from './raw.ts';

export const CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  declined: '4000000000000002',
} as const;

export const TOKEN_ID = /^TK\d{20}$/;
export const AGREEMENT_ID = /^RA\d{20}$/;

export type TokenUsage = 'CARD_ON_FILE' | 'SUBSCRIPTION' | 'UNSCHEDULED_CARD_ON_FILE';

export interface Order {
  order_id: string;
  trans_id: string;
  status: string;
  payment_type: string;
  error_code: string;
  error_description: string;
  amount: number;
  shopper_reference?: string;
  token?: string;
  recurring_agreement_id?: string;
  payment: { payment_method: string };
  card_info?: { bin: string; last4: string; card_brand: string };
  balances: Record<string, number>;
}

export interface TokenView {
  token: string;
  token_usage: string;
  payment_method: string;
  status: string;
  shopper_reference?: string;
  card_info: { bin: string; last4: string; card_brand: string; exp_month: string; exp_year: string };
}

let sequence = 0;
/** A trans_id no other test uses. */
export function transId(label = 't'): string {
  sequence += 1;
  return `${label}-${sequence}-${Math.random().toString(36).slice(2, 10)}`;
}

/** A card payment that stores the card for `shopper` (store_payment_method with token_usage). */
export function storingPayment(
  shopper: string | undefined,
  options: { usage?: TokenUsage; overrides?: Record<string, unknown>; card?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return cardPayment(
    { trans_id: transId('store'), ...options.overrides },
    {
      store_payment_method: true,
      token_usage: options.usage ?? 'CARD_ON_FILE',
      ...(shopper === undefined ? {} : { shopper_reference: shopper }),
      ...options.card,
    },
  );
}

/** A payment by stored card: `payment` holds only the token and the shopper (plus `extra`). */
export function tokenPayment(
  token: string,
  shopper: string | undefined,
  overrides: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    trans_id: transId('by-token'),
    payment_type: 'PURCHASE',
    currency: 'USD',
    amount: 700,
    return_url: 'https://shop.example/return',
    ...overrides,
    payment: {
      payment_method: 'BANKCARD',
      token,
      ...(shopper === undefined ? {} : { shopper_reference: shopper }),
      ...extra,
    },
  };
}

/** The first payment of a subscription (CIT), as docs/api.md#stored-cards-and-recurring-payments describes it. */
export function firstRecurring(
  shopper: string,
  overrides: Record<string, unknown> = {},
  card: Record<string, unknown> = {},
): Record<string, unknown> {
  return cardPayment(
    { trans_id: transId('first'), payment_type: 'RECURRING', mit: false, amount: 999, ...overrides },
    { store_payment_method: true, token_usage: 'SUBSCRIPTION', shopper_reference: shopper, ...card },
  );
}

/** A renewal (MIT) on an agreement, by its token; no return_url. */
export function renewal(
  agreement: string | undefined,
  token: string,
  shopper: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    trans_id: transId('renewal'),
    payment_type: 'RECURRING',
    mit: true,
    currency: 'USD',
    amount: 999,
    ...(agreement === undefined ? {} : { recurring_agreement_id: agreement }),
    ...overrides,
    payment: { payment_method: 'BANKCARD', token, shopper_reference: shopper },
  };
}

/** One merchant talking to the gateway over HTTP, every request signed by hand (docs/signing.md). */
export class TokenApi {
  constructor(
    readonly gw: TestGateway,
    readonly merchant: TestMerchant,
  ) {}

  get merchantId(): string {
    return this.merchant.merchantId;
  }

  /** Signs and posts `fields` to `/apis<path>` with merchant_id and a fresh timestamp. */
  async post(path: string, fields: Record<string, unknown>): Promise<RawResponse> {
    const body = { merchant_id: this.merchant.merchantId, ...fields, timestamp: Date.now() };
    const res = await signedPost(this.gw.baseUrl, `/apis${path}`, body, this.merchant);
    expect(res.status, `no 5xx: ${res.text}`).toBeLessThan(500);
    return res;
  }

  /** Asserts HTTP 200 / 000000 and returns `data`. */
  async ok<T>(path: string, fields: Record<string, unknown>): Promise<T> {
    const res = await this.post(path, fields);
    expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
      status: 200,
      ret_code: '000000',
    });
    return res.json.data as T;
  }

  /** Posts a payment body that must be accepted (HTTP 200, 000000) and returns the order. */
  pay(body: Record<string, unknown>): Promise<Order> {
    return this.ok<Order>('/payments', body);
  }

  /** Stores `card` for `shopper` with an approved payment and returns the order (with its token). */
  async store(
    shopper: string,
    options: { usage?: TokenUsage; overrides?: Record<string, unknown>; card?: Record<string, unknown> } = {},
  ): Promise<Order & { token: string }> {
    const order = await this.pay(storingPayment(shopper, options));
    expect(order.status, JSON.stringify(order)).toBe('SUCCESS');
    expect(order.token).toMatch(TOKEN_ID);
    return order as Order & { token: string };
  }

  /** A first recurring payment that must succeed: the order with its token and agreement. */
  async subscribe(
    shopper: string,
    card: Record<string, unknown> = {},
  ): Promise<Order & { token: string; recurring_agreement_id: string }> {
    const order = await this.pay(firstRecurring(shopper, {}, card));
    expect(order.status, JSON.stringify(order)).toBe('SUCCESS');
    expect(order.token).toMatch(TOKEN_ID);
    expect(order.recurring_agreement_id).toMatch(AGREEMENT_ID);
    return order as Order & { token: string; recurring_agreement_id: string };
  }

  query(by: { trans_id?: string; order_id?: string }): Promise<Order> {
    return this.ok<Order>('/payments/query', by);
  }

  tokens(shopper: string): Promise<TokenView[]> {
    return this.ok<TokenView[]>('/payments/token/query', { shopper_reference: shopper });
  }

  removeToken(token: string, shopper: string): Promise<RawResponse> {
    return this.post('/payments/token/remove', { token, shopper_reference: shopper });
  }

  cancel(agreement: string, shopper: string): Promise<RawResponse> {
    return this.post('/payments/recurring/cancel', {
      recurring_agreement_id: agreement,
      shopper_reference: shopper,
    });
  }
}

/** A business refusal: HTTP 200, ret_code 000000, an order in FAILURE with `code` and no money moved. */
export function expectFailure(order: Order, code: string): void {
  expect({ status: order.status, error_code: order.error_code }, JSON.stringify(order)).toEqual({
    status: 'FAILURE',
    error_code: code,
  });
  expect(order.order_id).toMatch(/^GW\d{20}$/);
  expect(order.error_description).not.toBe('');
  for (const [key, value] of Object.entries(order.balances)) expect(value, key).toBe(0);
}

/** A request-level refusal: the HTTP status and ret_code, and no `data`. */
export function expectRefused(res: RawResponse, http: number, retCode: string): void {
  expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
    status: http,
    ret_code: retCode,
  });
  expect(res.json.data, res.text).toBeUndefined();
}

/** Success with no `data`: what token remove and recurring cancel answer. */
export function expectDone(res: RawResponse): void {
  expect({ status: res.status, ret_code: res.json.ret_code }, res.text).toEqual({
    status: 200,
    ret_code: '000000',
  });
  expect(res.json).not.toHaveProperty('data');
}

export async function tokenRow(gw: TestGateway, token: string) {
  return gw.runtime.store.writer
    .selectFrom('tokens')
    .selectAll()
    .where('token', '=', token)
    .executeTakeFirst();
}

export async function tokenRows(gw: TestGateway, merchantId: string, shopper?: string) {
  let query = gw.runtime.store.writer.selectFrom('tokens').selectAll().where('merchant_id', '=', merchantId);
  if (shopper !== undefined) query = query.where('shopper_reference', '=', shopper);
  return query.execute();
}

export async function agreementRow(gw: TestGateway, agreement: string) {
  return gw.runtime.store.writer
    .selectFrom('agreements')
    .selectAll()
    .where('recurring_agreement_id', '=', agreement)
    .executeTakeFirst();
}

export async function countAgreements(gw: TestGateway, merchantId: string): Promise<number> {
  const { n } = await gw.runtime.store.writer
    .selectFrom('agreements')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('merchant_id', '=', merchantId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** A shopper_reference no other test uses. */
export function shopper(label = 'shopper'): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}`;
}
