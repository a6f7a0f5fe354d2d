/**
 * Shared pieces of the checkout session tests: a gateway with one merchant whose notifications
 * go to a real receiver, session request bodies, and the shopper's browser played by plain
 * fetch (GET the checkout page, POST its form, never follow the redirect).
 */
import type { CheckoutSession, SessionCreateParams } from '@openkka/sdk';
import { expect } from 'vitest';
import { FUTURE_YEAR } from './cards.ts';
import type { TestGateway } from './gateway.ts';
import { type ShopperGateway, startShopperGateway } from './shopper-gateway.ts';

export { MERCHANT_NAME } from './shopper-gateway.ts';

export type Checkout = ShopperGateway;

export const setup = startShopperGateway;

export function sessionBody(overrides: Partial<SessionCreateParams> = {}): SessionCreateParams {
  return {
    trans_id: `s-${Math.random().toString(36).slice(2)}`,
    currency: 'EUR',
    amount: 4250,
    return_url: 'https://shop.example/return?cart=7',
    cancel_url: 'https://shop.example/cart',
    ...overrides,
  };
}

export async function createSession(
  t: Checkout,
  overrides: Partial<SessionCreateParams> = {},
): Promise<CheckoutSession> {
  const session = await t.client.sessions.create(sessionBody(overrides));
  expect(session.status).toBe('OPEN');
  return session;
}

export interface Answer {
  status: number;
  location: string | null;
  html: string;
  headers: Headers;
}

export async function getPage(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  return {
    status: res.status,
    location: res.headers.get('location'),
    html: await res.text(),
    headers: res.headers,
  };
}

/** POSTs the checkout form as the browser would, without following the redirect. */
export async function postForm(url: string, fields: Record<string, string>): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  return {
    status: res.status,
    location: res.headers.get('location'),
    html: await res.text(),
    headers: res.headers,
  };
}

/** The card form as a shopper fills it. */
export function cardForm(card_no = '4242 4242 4242 4242', extra: Record<string, string> = {}) {
  return {
    method: 'BANKCARD',
    card_no,
    exp: `12 / ${FUTURE_YEAR.slice(2)}`,
    cvv: '123',
    holder_name: 'Mei Lin',
    ...extra,
  };
}

export function paramsOf(location: string | null): Record<string, string> {
  expect(location).not.toBeNull();
  return Object.fromEntries(new URL(location!).searchParams);
}

export async function countSessions(gw: TestGateway): Promise<number> {
  const { n } = await gw.runtime.store.writer
    .selectFrom('checkout_sessions')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}
