/**
 * Shared pieces of the payment feature tests: an SDK client that never retries (a retry would
 * hide a 5xx), a hand-signed sender for bodies the SDK would never build, an order counter
 * that reads the store directly, and an acquirer wrapper that counts authorizations.
 */
import { randomInt } from 'node:crypto';
import { OpenKKA, OpenKKAApiError } from '@openkka/sdk';
import { expect } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import type {
  Acquirer,
  AuthorizeRequest,
  AuthorizeResult,
  RefundRequest,
  RefundResult,
} from '../../src/acquirer/types.ts';
import type { TestGateway, TestMerchant } from './gateway.ts';
import { type RawResponse, signedPost } from './raw.ts';

/** RFC 3339 with a numeric offset, as openkka emits times (docs/api.md#transport-rules). */
export const RFC3339_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;

export function strictClient(gw: TestGateway, merchant: TestMerchant): OpenKKA {
  return new OpenKKA({
    baseUrl: gw.baseUrl,
    merchantId: merchant.merchantId,
    privateKey: merchant.privateKeyPem,
    platformPublicKey: gw.platformPublicKeyPem,
    maxRetries: 0,
  });
}

/** Signs and posts `fields` as the merchant, adding merchant_id and a fresh timestamp. */
export function post(
  gw: TestGateway,
  merchant: TestMerchant,
  fields: Record<string, unknown>,
  path = '/apis/payments',
): Promise<RawResponse> {
  const body = { merchant_id: merchant.merchantId, ...fields, timestamp: Date.now() };
  return signedPost(gw.baseUrl, path, body, merchant);
}

export async function countOrders(gw: TestGateway, merchantId?: string): Promise<number> {
  let query = gw.runtime.store.writer.selectFrom('orders').select((eb) => eb.fn.countAll().as('n'));
  if (merchantId !== undefined) query = query.where('merchant_id', '=', merchantId);
  const { n } = await query.executeTakeFirstOrThrow();
  return Number(n);
}

/** Resolves with the SDK's refusal, failing the test if the call succeeded or failed otherwise. */
export async function refusal(call: Promise<unknown>): Promise<OpenKKAApiError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(OpenKKAApiError);
    return err as OpenKKAApiError;
  }
  throw new Error('expected the gateway to refuse the request');
}

/** Completes `body` with its Luhn check digit. */
export function withCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Counting from the right of the finished number, the body's last digit is the second: doubled.
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/** A Luhn-valid number of `length` digits: `prefix`, random digits, check digit. */
export function randomPan(prefix: string, length = 16): string {
  let body = prefix;
  while (body.length < length - 1) body += String(randomInt(10));
  return withCheckDigit(body);
}

/**
 * Identifiers made of random digits: the prefixed ids (`GW…`, `RG…`, `TK…`, `RA…`, `CS…`), the
 * acquirer's references, and epoch-millisecond times. Seven digits of a random PAN turn up in
 * them by chance (about once in twenty runs of a test that reads every row and log line), so
 * the leak check looks past them; a PAN leaked anywhere else is still found.
 */
const RANDOM_DIGIT_IDS = /\b(?:GW|RG|TK|RA|CS)\d{20}\b|\bSIM[0-9A-F]{16}|\b1\d{12}\b/g;

/**
 * Fails if `text` holds any 7 consecutive digits of `pan`: bin (6) and last4 are all a
 * response may show, so even one digit more is a leak.
 */
export function expectNoMoreOfPan(text: string, pan: string): void {
  const withoutIds = text.replace(RANDOM_DIGIT_IDS, '');
  for (let i = 0; i + 7 <= pan.length; i++) {
    expect(withoutIds, `response shows ${pan.slice(i, i + 7)} of the PAN`).not.toContain(pan.slice(i, i + 7));
  }
}

/** The simulator, with every authorization it was asked for recorded. */
export class CountingAcquirer implements Acquirer {
  readonly calls: AuthorizeRequest[] = [];
  constructor(private readonly inner: Acquirer = new SimulatedAcquirer()) {}

  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult> {
    this.calls.push(request);
    return this.inner.authorize(request, signal);
  }

  authorizationOutcome(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult | 'UNKNOWN'> {
    return this.inner.authorizationOutcome(request, signal);
  }

  challengeRequired(pan: string): boolean {
    return this.inner.challengeRequired(pan);
  }

  refund(request: RefundRequest, signal: AbortSignal): Promise<RefundResult> {
    return this.inner.refund(request, signal);
  }

  callsFor(orderId: string): number {
    return this.calls.filter((c) => c.orderId === orderId).length;
  }
}
