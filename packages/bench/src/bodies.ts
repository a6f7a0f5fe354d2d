/**
 * The request bodies the load sends (docs/api.md#routes, docs/api.md#initiate-transaction-payments), and what counts as a good answer to each.
 * Every payment gets its own trans_id, `bench-<run id>-<n>`, so the orders one run created can
 * be counted in the store afterwards. A v1.2 body carries its `timestamp`; a v3 body does not
 * (its headers do, docs/api.md#paykka-v3): otherwise the two wires send the same bodies.
 */
import { encryptCard, type GatewayPublicKey } from '@openkka/sdk/card-encryption';
import type { Mix } from './options.ts';
import type { Protocol } from './wire.ts';

/** Who a body is from, and the wire it goes over. */
export interface Sender {
  protocol: Protocol;
  merchantId: string;
}

/** v1.2's `timestamp` field; nothing on v3. */
const stamp = (sender: Sender, timestamp: number) => (sender.protocol === 'v1.2' ? { timestamp } : {});

export const AMOUNT = 1000;
export const CURRENCY = 'USD';
const CARD = '4242424242424242';

export function transIdPrefix(runId: string): string {
  return `bench-${runId}-`;
}

/** What the encrypted mix encrypts its cards to: the gateway key and the merchant's client key. */
export interface CardEncryptionTarget {
  key: GatewayPublicKey;
  clientKey: string;
}

/**
 * The card of a payment: plain, or, in the encrypted mix, the same card as the browser library
 * sends it (every body gets its own ephemeral key, as every shopper's card would).
 */
function card(mix: Mix, timestamp: number, encryptTo: CardEncryptionTarget | undefined) {
  const plain = {
    card_no: CARD,
    exp_month: '12',
    exp_year: String(new Date(timestamp).getUTCFullYear() + 3),
    cvv: '123',
  };
  if (!mix.startsWith('encrypted')) return { payment_method: 'BANKCARD', ...plain };
  if (!encryptTo) throw new Error('the encrypted mix needs the gateway key and the client key');
  const encrypted = encryptCard({
    key: encryptTo.key,
    clientKey: encryptTo.clientKey,
    card: { number: plain.card_no, expiryMonth: plain.exp_month, expiryYear: plain.exp_year, cvv: plain.cvv },
    now: timestamp,
  });
  return { payment_method: 'BANKCARD', ...encrypted };
}

/** The first request of an iteration: a purchase, or a manual-capture authorization. */
export function paymentBody(
  mix: Mix,
  sender: Sender,
  runId: string,
  n: number,
  timestamp: number,
  encryptTo?: CardEncryptionTarget,
): string {
  return JSON.stringify({
    merchant_id: sender.merchantId,
    trans_id: `${transIdPrefix(runId)}${n}`,
    ...stamp(sender, timestamp),
    payment_type: 'PURCHASE',
    capture_method: mix === 'lifecycle' ? 'MANUAL' : 'AUTOMATIC',
    currency: CURRENCY,
    amount: AMOUNT,
    return_url: 'https://bench.openkka.invalid/return',
    payment: card(mix, timestamp, encryptTo),
  });
}

export function captureBody(sender: Sender, orderId: string, timestamp: number): string {
  return JSON.stringify({
    merchant_id: sender.merchantId,
    ...stamp(sender, timestamp),
    order_id: orderId,
    amount: AMOUNT,
    currency: CURRENCY,
    capture_final: true,
  });
}

export function refundBody(sender: Sender, transId: string, orderId: string, timestamp: number): string {
  return JSON.stringify({
    merchant_id: sender.merchantId,
    ...stamp(sender, timestamp),
    refund_trans_id: `${transId}-r`,
    ori_order_id: orderId,
    refund_amount: AMOUNT,
    currency: CURRENCY,
  });
}

export function queryBody(sender: Sender, orderId: string, timestamp: number): string {
  return JSON.stringify({ merchant_id: sender.merchantId, ...stamp(sender, timestamp), order_id: orderId });
}

export type Step = 'purchase' | 'authorize' | 'capture' | 'refund' | 'query';

/** The steps of one iteration of a mix, in order. */
export const STEPS: Record<Mix, readonly Step[]> = {
  purchase: ['purchase'],
  encrypted: ['purchase'],
  'encrypted-p256': ['purchase'],
  lifecycle: ['authorize', 'capture', 'refund', 'query'],
};

const EXPECTED_STATUS: Record<Step, readonly string[] | null> = {
  purchase: ['SUCCESS'],
  authorize: ['AUTHORIZED'],
  capture: ['SUCCESS'],
  // A refund object: the acquirer may still be working on it.
  refund: ['SUCCESS', 'PROCESSING'],
  query: null,
};

export type Verdict = { ok: true; orderId: string | undefined } | { ok: false; kind: string };

/**
 * Judges one answer: HTTP 200, ret_code 000000 and, where the step has one, the expected
 * `data.status`. A failure is named by what went wrong, for the error breakdown.
 */
export function judge(step: Step, httpStatus: number, body: string): Verdict {
  let answer: { ret_code?: unknown; data?: { status?: unknown; order_id?: unknown } };
  try {
    answer = JSON.parse(body) as typeof answer;
  } catch {
    return { ok: false, kind: `${step}: HTTP ${httpStatus}, not JSON` };
  }
  if (httpStatus !== 200 || answer.ret_code !== '000000') {
    return { ok: false, kind: `${step}: HTTP ${httpStatus} ret_code ${String(answer.ret_code)}` };
  }
  const expected = EXPECTED_STATUS[step];
  const status = answer.data?.status;
  if (expected && !expected.includes(String(status))) {
    return { ok: false, kind: `${step}: status ${String(status)}` };
  }
  const orderId = answer.data?.order_id;
  return { ok: true, orderId: typeof orderId === 'string' ? orderId : undefined };
}
