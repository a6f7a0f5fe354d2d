/**
 * Shared pieces of the 3-D Secure feature tests: a gateway with one merchant whose
 * notifications go to a real receiver, the shopper's browser played by plain fetch (GET the
 * challenge page, POST its form, never follow the redirect), and readers of the challenge and
 * notification rows straight from the store.
 */
import type { Order } from '@openkka/sdk';
import { expect } from 'vitest';
import type { ChallengeRow } from '../../src/modules/three-ds/repo.ts';
import type { Receiver } from '../notifications/receiver.ts';
import { cardPayment } from './cards.ts';
import type { TestGateway } from './gateway.ts';
import { type ShopperGateway, startShopperGateway } from './shopper-gateway.ts';

export const CHALLENGE_CARDS = {
  /** Challenged, then approved once the shopper passes. */
  approve: '4000002760003184',
  /** Challenged, then declined for insufficient funds (5002) once the shopper passes. */
  decline: '4000008260003178',
  /** Approved without a challenge unless the request asks for one. */
  plain: '4242424242424242',
} as const;

export { MERCHANT_NAME } from './shopper-gateway.ts';

export type ThreeDs = ShopperGateway;

export const setup = startShopperGateway;

/** A card payment body for `pan`; `overrides` as in cardPayment. */
export function challengeBody(
  pan: string,
  overrides: Record<string, unknown> = {},
  card: Record<string, unknown> = {},
) {
  return cardPayment({ amount: 1999, ...overrides }, { card_no: pan, cvv: '737', ...card });
}

/** Creates a payment that must answer PROCESSING with an authentication_url; returns both. */
export async function challenged(
  t: ThreeDs,
  body: ReturnType<typeof challengeBody>,
): Promise<{ order: Order; url: string }> {
  const order = await t.client.payments.create(body);
  expect(order.status).toBe('PROCESSING');
  const url = order.authentication_result?.authentication_url;
  expect(typeof url).toBe('string');
  return { order, url: url as string };
}

export interface Page {
  status: number;
  html: string;
  headers: Headers;
}

export async function getPage(url: string, headers: Record<string, string> = {}): Promise<Page> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** The one-time code the sandbox issuer shows on the page. */
export function otpOf(html: string): string {
  const match = /<strong id="otp">(\d{6})<\/strong>/.exec(html);
  if (!match) throw new Error(`no one-time code on the page:\n${html}`);
  return match[1]!;
}

export interface Submitted {
  status: number;
  /** The Location header of a redirect. */
  location: string | null;
  html: string;
}

/** POSTs the challenge form as the browser would, without following a redirect. */
export async function submit(
  url: string,
  form: { code?: string; action?: 'complete' | 'fail'; lang?: string },
): Promise<Submitted> {
  const fields: Record<string, string> = { lang: form.lang ?? 'en', action: form.action ?? 'complete' };
  if (form.code !== undefined) fields.code = form.code;
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

/** Reads the code off the page and submits it. */
export async function pass(url: string): Promise<Submitted> {
  const code = otpOf((await getPage(url)).html);
  return submit(url, { code });
}

export async function challengeRow(gw: TestGateway, orderId: string): Promise<ChallengeRow> {
  const row = await gw.runtime.store.writer
    .selectFrom('challenges')
    .selectAll()
    .where('order_id', '=', orderId)
    .executeTakeFirstOrThrow();
  // PostgreSQL answers bigint columns as strings.
  return {
    ...row,
    attempts: Number(row.attempts),
    expires_at: Number(row.expires_at),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}

/** notify_types queued in the store for an order, in event order. */
export async function queuedNotifications(gw: TestGateway, orderId: string): Promise<string[]> {
  const rows = await gw.runtime.store.writer
    .selectFrom('notifications')
    .select(['notify_type', 'event_seq'])
    .where('order_id', '=', orderId)
    .execute();
  return rows.sort((a, b) => Number(a.event_seq) - Number(b.event_seq)).map((r) => r.notify_type);
}

/** Waits for the receiver to get `type` for the order; returns its body. */
export async function notified(
  inbox: Receiver,
  orderId: string,
  type: string,
  // biome-ignore lint/suspicious/noExplicitAny: tests read notification fields directly
): Promise<any> {
  const received = await inbox.waitFor((all) =>
    all.some((r) => r.body?.order_id === orderId && r.body?.notify_type === type),
  );
  return received.find((r) => r.body?.order_id === orderId && r.body?.notify_type === type)!.body;
}

/** Everything the receiver got for one order. */
export function receivedFor(inbox: Receiver, orderId: string): string[] {
  return inbox.received.filter((r) => r.body?.order_id === orderId).map((r) => r.body.notify_type as string);
}

/** The query parameters of a redirect's Location. */
export function paramsOf(location: string | null): URLSearchParams {
  expect(location).not.toBeNull();
  return new URL(location!).searchParams;
}
