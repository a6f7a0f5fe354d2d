/**
 * Shared pieces of the redirect-method tests: request bodies without card fields, the
 * shopper's browser played by plain fetch (GET the bank page, POST one of its buttons, never
 * follow the redirect), and a signed sender that uses the gateway's clock (a ManualClock in the
 * expiry and SEPA tests).
 */
import type { Order } from '@openkka/sdk';
import { expect } from 'vitest';
import type { TestGateway, TestMerchant } from './gateway.ts';
import { type RawResponse, signedPost } from './raw.ts';
import type { ThreeDs } from './three-ds.ts';

/** Every redirect method, as a client may spell it, with a currency it takes. */
export const REDIRECT_METHODS = [
  ['iDEAL', 'IDEAL', 'EUR'],
  ['Sofort', 'SOFORT', 'EUR'],
  ['EPS', 'EPS', 'EUR'],
  ['P24', 'P24', 'PLN'],
  ['Bancontact', 'BANCONTACT', 'EUR'],
  ['AlipayPlus', 'ALIPAY_PLUS', 'CNY'],
  ['WechatPayGlobal', 'WECHAT_PAY_GLOBAL', 'HKD'],
] as const;

/** A payment by `method` (no card fields at all); `overrides` replace top-level fields. */
export function redirectBody(method: string, overrides: Record<string, unknown> = {}) {
  return {
    trans_id: `r-${Math.random().toString(36).slice(2)}`,
    payment_type: 'PURCHASE' as const,
    currency: 'EUR',
    amount: 2500,
    return_url: 'https://shop.example/return?cart=7',
    ...overrides,
    payment: { payment_method: method },
  };
}

/** Creates a redirect payment that must answer PROCESSING with a redirect_url; returns both. */
export async function redirected(
  t: ThreeDs,
  body: ReturnType<typeof redirectBody>,
): Promise<{ order: Order; url: string }> {
  const order = await t.client.payments.create(body);
  expect(order.status).toBe('PROCESSING');
  expect(order.redirect_url).toMatch(/\/redirect\/GW\d+\.[\w-]+$/);
  return { order, url: order.redirect_url! };
}

export interface Pressed {
  status: number;
  location: string | null;
}

/** Presses one of the page's buttons as a browser would, without following the redirect. */
export async function press(url: string, action: 'approve' | 'decline' | 'cancel'): Promise<Pressed> {
  const res = await fetch(url, {
    method: 'POST',
    body: new URLSearchParams({ action }),
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get('location') };
}

/** Signs and posts `fields` as the merchant, with the gateway clock's time. */
export function postAt(
  gw: TestGateway,
  merchant: TestMerchant,
  fields: Record<string, unknown>,
  now: number,
  path = '/apis/payments',
): Promise<RawResponse> {
  return signedPost(
    gw.baseUrl,
    path,
    { merchant_id: merchant.merchantId, ...fields, timestamp: now },
    merchant,
  );
}
