/**
 * Request schemas for /payments and /payments/query. Everything here is request-level: a
 * failure is a 010000 (or 2100xx) refusal and nothing is stored. Card validity (Luhn, expiry,
 * brand) is a business outcome and is decided later, in the service.
 */
import { z } from 'zod';
import {
  amount,
  currency,
  identifier,
  oneOf,
  optionalBoolean,
  optionalIdentifier,
  optionalIntLike,
  optionalObject,
  optionalOneOf,
  optionalText,
  optionalTime,
  optionalUrl,
  orAbsent,
  required,
} from '../../core/input/fields.ts';
import { rawGooglePayToken } from '../../core/input/google-pay-token.ts';
import { parseWalletTokenData } from '../../core/input/wallet-token-data.ts';
import type { PaymentSource } from '../../core/orders/payment-source.ts';
import { ApiError } from '../../domain/errors.ts';
import {
  CARD_METHODS,
  ENABLED_METHODS,
  methodCurrencies,
  normalisePaymentMethod,
  type PaymentMethod,
  WALLET_METHODS,
} from '../../domain/payment-methods.ts';
import type { TimeZone } from '../../domain/time-zone.ts';

const paymentMethod = required(
  z
    .unknown()
    .optional()
    .transform((value, ctx): PaymentMethod => {
      const method = typeof value === 'string' && value !== '' ? normalisePaymentMethod(value) : undefined;
      if (method) return method;
      ctx.issues.push({
        code: 'custom',
        message: value === undefined || value === '' ? 'is required' : `is not a known payment method`,
        input: value,
      });
      return z.NEVER;
    })
    .meta({ type: 'string', description: `one of ${[...ENABLED_METHODS].join(', ')}` }),
);

const payment = z.object(
  {
    payment_method: paymentMethod,
    store_payment_method: optionalBoolean,
    token_usage: optionalOneOf(['CARD_ON_FILE', 'SUBSCRIPTION', 'UNSCHEDULED_CARD_ON_FILE']),
    shopper_reference: optionalIdentifier(64),
    token: optionalText(64),
    card_no: optionalText(23).refine(
      (v) => v === undefined || /^[\d -]+$/.test(v),
      'must contain only digits',
    ),
    exp_year: optionalIntLike(0, 9999),
    exp_month: optionalIntLike(0, 99),
    cvv: optionalText(4).refine((v) => v === undefined || /^\d+$/.test(v), 'must contain only digits'),
    holder_name: optionalText(128),
    holder_email: optionalText(256),
    encrypted_card_no: optionalText(4096),
    encrypted_exp_year: optionalText(4096),
    encrypted_exp_month: optionalText(4096),
    encrypted_cvv: optionalText(4096),
    token_data: z.unknown().optional(),
  },
  { error: (i) => (i.input === undefined ? 'is required' : 'must be an object') },
);

/** The /payments body; `zone` reads an expire_time sent without an offset. */
export function createPaymentSchema(zone: TimeZone) {
  return z.object({
    trans_id: identifier(64),
    payment_type: oneOf(['PURCHASE', 'RECURRING']),
    authorisation_type: optionalOneOf(['FINAL_AUTH', 'PRE_AUTH']).transform((v) => v ?? 'FINAL_AUTH'),
    capture_method: optionalOneOf(['AUTOMATIC', 'MANUAL']).transform((v) => v ?? 'AUTOMATIC'),
    currency,
    amount,
    notify_url: optionalUrl(),
    return_url: optionalUrl(),
    expire_time: optionalTime(zone),
    mit: optionalBoolean,
    payment,
    authentication: orAbsent(
      z.object(
        { challenge_indicator: optionalText(32), authentication_only: optionalBoolean },
        { error: 'must be an object' },
      ),
    ),
    browser: optionalObject,
    bill: optionalObject,
    shipping: optionalObject,
    customer: optionalObject,
    goods: orAbsent(z.array(z.unknown(), { error: 'must be an array' })),
    recurring_agreement_id: optionalText(64),
  });
}

export type CreatePaymentInput = z.output<ReturnType<typeof createPaymentSchema>>;

/**
 * A subsequent recurring payment names an agreement or pays with a token (of a card method); a
 * first one brings a card. Read from the request alone, so the request-level rules (no
 * return_url for a subsequent payment) and the business rules below agree on what it is.
 */
export function isSubsequentRecurring(
  input: Pick<CreatePaymentInput, 'recurring_agreement_id' | 'payment'>,
): boolean {
  const { payment } = input;
  return (
    input.recurring_agreement_id !== undefined ||
    (payment.token !== undefined && CARD_METHODS.has(payment.payment_method))
  );
}

/** A payment after the request-level rules that the schema cannot express alone. */
export interface PaymentInput extends CreatePaymentInput {
  source: PaymentSource;
  /** Set only by the checkout page: the session this payment completes. */
  session_id?: string;
}

/** Cross-field rules of docs/api.md#the-envelope/docs/api.md#initiate-transaction-payments/docs/api.md#stored-cards-and-recurring-payments that are request-level refusals. */
export function checkPaymentRules(input: CreatePaymentInput): PaymentInput {
  const p = input.payment;
  // Storing a card with another method is a business refusal (2013), decided by the service.
  if (!ENABLED_METHODS.has(p.payment_method) && p.store_payment_method !== true) {
    throw new ApiError('PAYMENT_METHOD_NOT_SUPPORTED', `${p.payment_method} is not enabled on this gateway`);
  }
  // A subsequent recurring payment charges a stored card with no shopper to send back, whatever
  // mit says: a missing mit is then business rule 2010's to answer, not a missing return_url.
  const subsequent = input.payment_type === 'RECURRING' && isSubsequentRecurring(input);
  if (!subsequent && input.return_url === undefined) {
    throw new ApiError(
      'INVALID_REQUEST',
      'return_url is required (except for subsequent recurring payments, which name an agreement or a token)',
    );
  }
  if (p.store_payment_method === true || p.token !== undefined) {
    if (p.shopper_reference === undefined) throw new ApiError('SHOPPER_REFERENCE_REQUIRED');
  }
  if (p.store_payment_method === true && p.token_usage === undefined) {
    throw new ApiError(
      'INVALID_REQUEST',
      'payment.token_usage is required when store_payment_method is true',
    );
  }
  const sources = [p.card_no, p.token, p.encrypted_card_no].filter((v) => v !== undefined).length;
  if (!CARD_METHODS.has(p.payment_method) && ENABLED_METHODS.has(p.payment_method)) {
    // Storing with another method keeps its card fields' old path (a 2013 outcome follows).
    if (!(p.store_payment_method === true && sources > 0)) return nonCardSource(input, p.payment_method);
  } else {
    takesCurrency(input, p.payment_method);
  }
  checkEncryptedFields(p);
  if (sources !== 1) {
    throw new ApiError('INVALID_REQUEST', 'payment needs exactly one of card_no, token, encrypted_card_no');
  }
  if (p.token !== undefined) return { ...input, source: { kind: 'token', token: p.token, cvv: p.cvv } };
  if (p.encrypted_card_no !== undefined) {
    const fields = {
      card_no: p.encrypted_card_no,
      exp_month: p.encrypted_exp_month!,
      exp_year: p.encrypted_exp_year!,
      cvv: p.encrypted_cvv,
    };
    return { ...input, source: { kind: 'encrypted', fields } };
  }
  if (p.card_no === undefined) throw new ApiError('INVALID_REQUEST', 'payment.card_no is required');
  if (p.exp_month === undefined) throw new ApiError('INVALID_REQUEST', 'payment.exp_month is required');
  if (p.exp_year === undefined) throw new ApiError('INVALID_REQUEST', 'payment.exp_year is required');
  const pan = p.card_no.replace(/[ -]/g, '');
  return { ...input, source: { kind: 'card', pan, expMonth: p.exp_month, expYear: p.exp_year, cvv: p.cvv } };
}

const ENCRYPTED_FIELDS = [
  'encrypted_card_no',
  'encrypted_exp_month',
  'encrypted_exp_year',
  'encrypted_cvv',
] as const;
const PLAIN_FIELDS = ['card_no', 'exp_month', 'exp_year', 'cvv'] as const;

/**
 * A card comes either plain or encrypted, never half of each: an encrypted card with a plain
 * field (or the other way round) is refused, naming both, and so is an encrypted card without
 * its number or expiry. The CVV may be left out of either, as the plain cvv may.
 */
function checkEncryptedFields(p: CreatePaymentInput['payment']): void {
  const encrypted = ENCRYPTED_FIELDS.filter((f) => p[f] !== undefined);
  if (encrypted.length === 0) return;
  if (p.token !== undefined) {
    throw new ApiError('INVALID_REQUEST', `payment.${encrypted[0]} cannot be sent with token`);
  }
  const plain = PLAIN_FIELDS.find((f) => p[f] !== undefined);
  if (plain) {
    throw new ApiError(
      'INVALID_REQUEST',
      `payment mixes plain and encrypted card fields (${plain} and ${encrypted[0]}): send one card, one way`,
    );
  }
  for (const required of ['encrypted_card_no', 'encrypted_exp_month', 'encrypted_exp_year'] as const) {
    if (p[required] === undefined) {
      throw new ApiError('INVALID_REQUEST', `payment.${required} is required with ${encrypted[0]}`);
    }
  }
}

/** 300040 unless `method` takes the payment's currency (EFTPOS: AUD; iDEAL: EUR…). */
function takesCurrency(input: CreatePaymentInput, method: PaymentMethod): void {
  const currencies = methodCurrencies(method);
  if (currencies && !currencies.includes(input.currency)) {
    throw new ApiError(
      'CURRENCY_NOT_SUPPORTED_BY_METHOD',
      `${method} takes ${currencies.join(', ')}, not ${input.currency}`,
    );
  }
}

/** Redirect methods, SEPA and wallets: no card fields; their own currencies and wallet data. */
function nonCardSource(input: CreatePaymentInput, method: PaymentMethod): PaymentInput {
  takesCurrency(input, method);
  // Storing is refused as a business outcome (2013) before any wallet data is needed.
  if (!WALLET_METHODS.has(method) || input.payment.store_payment_method === true) {
    return { ...input, source: { kind: 'redirect' } };
  }
  // Google's raw token is opened by the service (it needs keys and the store); decrypted data is read here.
  const raw = method === 'GOOGLE_PAY' ? rawGooglePayToken(input.payment.token_data) : undefined;
  if (raw) return { ...input, source: { kind: 'googlePay', token: raw } };
  const wallet = parseWalletTokenData(input.payment.token_data);
  return { ...input, source: { kind: 'wallet', ...wallet, cvv: undefined } };
}

export const queryPaymentSchema = z
  .object({
    trans_id: optionalIdentifier(64),
    order_id: optionalText(64),
    session_id: optionalText(64),
  })
  .refine(
    (q) => q.trans_id || q.order_id || q.session_id,
    'one of trans_id, order_id, session_id is required',
  );
