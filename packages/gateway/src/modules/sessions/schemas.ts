/**
 * Request schemas for /payments/session and /payments/session/query. Like /payments, every
 * problem here is a request-level refusal (010000, 2100xx, 3000xx) and nothing is stored. A
 * session carries no card data: the shopper types the card on the checkout page, or in the
 * browser library's card frame on the merchant's page.
 */
import { z } from 'zod';
import {
  amount,
  currency,
  identifier,
  optionalBoolean,
  optionalIdentifier,
  optionalObject,
  optionalOneOf,
  optionalText,
  optionalTime,
  optionalUrl,
  orAbsent,
} from '../../core/input/fields.ts';
import { orderDetailsFields, orderDetailsOf } from '../../core/input/order-details.ts';
import { ApiError } from '../../domain/errors.ts';
import type { OrderDetails } from '../../domain/order-details.ts';
import {
  ENABLED_METHODS,
  isRedirectMethod,
  methodCurrencies,
  normalisePaymentMethod,
  type PaymentMethod,
} from '../../domain/payment-methods.ts';
import type { TimeZone } from '../../domain/time-zone.ts';

/** Methods a shopper can pay with on the checkout page: a typed card, or a bank/wallet page. */
export function payableOnPage(method: PaymentMethod): boolean {
  return method === 'BANKCARD' || isRedirectMethod(method);
}

/** Every enabled method a page can take, offered when the session names none. */
const CHECKOUT_METHODS: readonly PaymentMethod[] = [...ENABLED_METHODS].filter(payableOnPage);

/** Card fields a merchant must not send: the page collects them from the shopper. */
const CARD_FIELDS = [
  'card_no',
  'cvv',
  'exp_month',
  'exp_year',
  'encrypted_card_no',
  'encrypted_cvv',
  'encrypted_exp_month',
  'encrypted_exp_year',
  'token',
  'token_data',
] as const;

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** The session create body; `zone` reads an expire_time sent without an offset. */
export function createSessionSchema(zone: TimeZone) {
  return z.object({
    trans_id: identifier(64),
    session_mode: optionalText(32),
    payment_type: optionalOneOf(['PURCHASE', 'RECURRING']).transform((v) => v ?? 'PURCHASE'),
    authorisation_type: optionalOneOf(['FINAL_AUTH', 'PRE_AUTH']).transform((v) => v ?? 'FINAL_AUTH'),
    capture_method: optionalOneOf(['AUTOMATIC', 'MANUAL']).transform((v) => v ?? 'AUTOMATIC'),
    currency,
    amount,
    notify_url: optionalUrl(),
    return_url: optionalUrl(),
    cancel_url: optionalUrl(),
    expire_time: optionalTime(zone),
    mit: optionalBoolean,
    display_locale: optionalText(35),
    display_merchant_name: optionalText(75),
    theme_id: optionalText(64),
    allowed_payment_methods: orAbsent(
      z
        .array(z.string({ error: 'must list payment method names' }), {
          error: 'must be an array of payment method names',
        })
        .max(20, 'must list at most 20 methods'),
    ),
    payment: orAbsent(
      z.object(
        {
          payment_method: z.unknown().optional(),
          store_payment_method: optionalBoolean,
          token_usage: optionalOneOf(['CARD_ON_FILE', 'SUBSCRIPTION', 'UNSCHEDULED_CARD_ON_FILE']),
          shopper_reference: optionalIdentifier(64),
          ...Object.fromEntries(CARD_FIELDS.map((f) => [f, z.unknown().optional()])),
        },
        { error: 'must be an object' },
      ),
    ),
    authentication: orAbsent(
      z.object({ challenge_indicator: optionalText(32) }, { error: 'must be an object' }),
    ),
    browser: optionalObject,
    customer: optionalObject,
    ...orderDetailsFields,
  });
}

type CreateSessionBody = z.output<ReturnType<typeof createSessionSchema>>;

/** A session request after the cross-field rules: what the service stores. */
export interface SessionInput {
  trans_id: string;
  /** Where the shopper pays: openkka's page, or the merchant's page through the browser library. */
  session_mode: SessionMode;
  payment_type: 'PURCHASE' | 'RECURRING';
  authorisation_type: 'FINAL_AUTH' | 'PRE_AUTH';
  capture_method: 'AUTOMATIC' | 'MANUAL';
  currency: string;
  amount: number;
  notify_url: string | undefined;
  return_url: string;
  cancel_url: string | undefined;
  /** Epoch ms, when the request set it. */
  expire_time: number | undefined;
  display_locale: string | undefined;
  display_merchant_name: string | undefined;
  allowed_payment_methods: PaymentMethod[];
  store_payment_method: boolean;
  token_usage: string | undefined;
  shopper_reference: string | undefined;
  challenge_indicator: string | undefined;
  /** What was bought and for whom (goods, bill, shipping); null when the request said nothing. */
  order_details: OrderDetails | null;
}

/** Longest a session may stay open (Stripe's checkout sessions allow the same). */
export const MAX_SESSION_LIFETIME_MS = 24 * 3_600_000;

/** Cross-field rules of a session request; `now` judges expire_time. */
export function checkSessionRules(body: CreateSessionBody, now: number): SessionInput {
  const sessionMode = checkMode(body.session_mode);
  const p: NonNullable<CreateSessionBody['payment']> = body.payment ?? { store_payment_method: undefined };
  const sent = CARD_FIELDS.find((f) => present((p as Record<string, unknown>)[f]));
  if (sent) {
    throw new ApiError(
      'INVALID_REQUEST',
      `payment.${sent} is not accepted: the shopper enters the card on the checkout page`,
    );
  }
  if (body.return_url === undefined) throw new ApiError('INVALID_REQUEST', 'return_url is required');
  if (body.mit === true) {
    throw new ApiError('INVALID_REQUEST', 'mit must not be true: a checkout session has the shopper present');
  }
  if (body.expire_time !== undefined) {
    if (body.expire_time <= now) throw new ApiError('INVALID_REQUEST', 'expire_time must be in the future');
    if (body.expire_time > now + MAX_SESSION_LIFETIME_MS) {
      throw new ApiError('INVALID_REQUEST', 'expire_time must be at most 24 hours ahead');
    }
  }
  const store = p.store_payment_method === true;
  if (store && p.shopper_reference === undefined) throw new ApiError('SHOPPER_REFERENCE_REQUIRED');
  if (store && p.token_usage === undefined) {
    throw new ApiError(
      'INVALID_REQUEST',
      'payment.token_usage is required when store_payment_method is true',
    );
  }
  if (body.payment_type === 'RECURRING' && !store) {
    throw new ApiError(
      'INVALID_REQUEST',
      'a RECURRING session must set payment.store_payment_method=true (the first payment stores the card)',
    );
  }
  return {
    trans_id: body.trans_id,
    session_mode: sessionMode,
    payment_type: body.payment_type,
    authorisation_type: body.authorisation_type,
    capture_method: body.capture_method,
    currency: body.currency,
    amount: body.amount,
    notify_url: body.notify_url,
    return_url: body.return_url,
    cancel_url: body.cancel_url,
    expire_time: body.expire_time,
    display_locale: body.display_locale,
    display_merchant_name: body.display_merchant_name,
    allowed_payment_methods: allowedMethods(body),
    store_payment_method: store,
    token_usage: p.token_usage,
    shopper_reference: p.shopper_reference,
    challenge_indicator: body.authentication?.challenge_indicator,
    order_details: orderDetailsOf(body),
  };
}

export type SessionMode = 'HOSTED' | 'DROP_IN' | 'COMPONENT';

/**
 * HOSTED: openkka's checkout page. DROP_IN and COMPONENT: the merchant's page, through the
 * browser library (/cp/card-checkout-ui.js). HOST is PayKKa v1.0's name for the hosted page,
 * EMBEDDED another name for the component.
 */
function checkMode(mode: string | undefined): SessionMode {
  const m = (mode ?? 'HOSTED').toUpperCase().replace(/-/g, '_');
  if (m === 'HOSTED' || m === 'HOST') return 'HOSTED';
  if (m === 'DROP_IN') return 'DROP_IN';
  if (m === 'COMPONENT' || m === 'EMBEDDED') return 'COMPONENT';
  throw new ApiError('INVALID_REQUEST', 'session_mode must be HOSTED, DROP_IN, COMPONENT or EMBEDDED');
}

/**
 * The methods the page offers. Asked for: each must be known and payable on a page, in the
 * session's currency. Not asked for: every page method that takes the currency. A recurring
 * session stores a card, so it offers the card alone.
 */
function allowedMethods(body: CreateSessionBody): PaymentMethod[] {
  const recurring = body.payment_type === 'RECURRING';
  const asked = body.allowed_payment_methods ?? [];
  if (asked.length === 0) {
    if (recurring) return ['BANKCARD'];
    return CHECKOUT_METHODS.filter((m) => methodCurrencies(m)?.includes(body.currency) ?? true);
  }
  const methods: PaymentMethod[] = [];
  for (const name of asked) {
    const method = normalisePaymentMethod(name);
    if (!method) throw new ApiError('PAYMENT_METHOD_NOT_SUPPORTED', `${name} is not a known payment method`);
    if (!payableOnPage(method)) {
      throw new ApiError(
        'PAYMENT_METHOD_NOT_SUPPORTED',
        `${method} cannot be paid on a hosted checkout page`,
      );
    }
    if (recurring && method !== 'BANKCARD') {
      throw new ApiError('PAYMENT_METHOD_NOT_SUPPORTED', 'a RECURRING session takes BANKCARD only');
    }
    const currencies = methodCurrencies(method);
    if (currencies && !currencies.includes(body.currency)) {
      throw new ApiError(
        'CURRENCY_NOT_SUPPORTED_BY_METHOD',
        `${method} takes ${currencies.join(', ')}, not ${body.currency}`,
      );
    }
    if (!methods.includes(method)) methods.push(method);
  }
  return methods;
}

export const querySessionSchema = z
  .object({ session_id: optionalText(64), trans_id: optionalIdentifier(64) })
  .refine((q) => q.session_id || q.trans_id, 'one of session_id, trans_id is required');
