/**
 * The shapes of the answers' `data`, as zod schemas, for the API description
 * (protocols/openapi) and for the tests that hold real answers against them. They are never run
 * on a live answer: the views (core/orders/view.ts, modules/*\/view.ts) are typed by the SDK's
 * types, and a test checks that what they send fits these. Objects are strict, so a field a
 * view adds without a line here fails that test.
 */
import { z } from 'zod';
import { BUSINESS_CODES } from '../domain/errors.ts';
import { ORDER_STATUSES } from '../domain/order.ts';

const int = z.number().int();
const amount = int.min(0).meta({ description: 'minor units, always a JSON number in answers' });
const time = z.string().meta({ description: "a time with its offset, in the gateway's time zone" });

const businessCodes = Object.values(BUSINESS_CODES);

/** `data.error_code`: a business code of the catalogue, or empty while the outcome is not known. */
export const businessCode = z.enum(['', ...businessCodes.map((c) => c.code)] as [string, ...string[]]).meta({
  description: [
    'The business outcome (empty while PROCESSING):',
    ...businessCodes.map((c) => `- \`${c.code}\`: ${c.description}`),
  ].join('\n'),
});

const orderStatus = z.enum(ORDER_STATUSES);
const paymentType = z.enum(['PURCHASE', 'RECURRING']);
const authorisationType = z.enum(['FINAL_AUTH', 'PRE_AUTH']);
const captureMethod = z.enum(['AUTOMATIC', 'MANUAL']);
const tokenUsage = z.enum(['CARD_ON_FILE', 'SUBSCRIPTION', 'UNSCHEDULED_CARD_ON_FILE']);

const address = {
  first_name: z.string().optional(),
  middle_name: z.string().optional(),
  last_name: z.string().optional(),
  address_line1: z.string().optional(),
  address_line2: z.string().optional(),
  country: z.string().optional(),
  state: z.string().optional(),
  city: z.string().optional(),
  postal_code: z.string().optional(),
  email: z.string().optional(),
  area_code: z.string().optional(),
  phone_number: z.string().optional(),
};

/** Goods, bill-to and ship-to as a checkout session kept them (docs/api.md#goods-bill-to-and-ship-to). */
const orderDetails = {
  goods: z
    .array(
      z.strictObject({
        id: z.string().optional(),
        name: z.string(),
        description: z.string().optional(),
        category: z.string().optional(),
        brand: z.string().optional(),
        link: z.string().optional(),
        price: amount,
        quantity: int.min(1),
        delivery_date: z.string().optional(),
        picture_url: z.string().optional(),
      }),
    )
    .optional(),
  bill: z
    .strictObject({
      ...address,
      billing_address_collection: z.string().optional(),
      descriptor: z.string().optional(),
    })
    .optional(),
  shipping: z.strictObject(address).optional(),
};

/** What an order and a checkout session both state of the payment asked for. */
const terms = {
  payment_type: paymentType,
  authorisation_type: authorisationType,
  capture_method: captureMethod,
  amount,
  currency: z.string(),
  expire_time: time,
};

const balances = z.strictObject({
  authed_amount: amount,
  captured_amount: amount,
  able_to_capture_amount: amount,
  voided_amount: amount,
  able_to_void_amount: amount,
  refunded_amount: amount,
  able_to_refund_amount: amount,
  refunding_amount: amount,
});

/** The order object (docs/api.md#response-data-the-order-object). */
export const orderAnswer = z
  .strictObject({
    error_code: businessCode,
    error_description: z.string(),
    merchant_id: z.string(),
    trans_id: z.string(),
    order_id: z.string().meta({ description: '`GW` followed by 20 digits' }),
    status: orderStatus,
    ...terms,
    pay_finish_time: time.optional(),
    shopper_reference: z.string().optional(),
    token: z.string().optional(),
    recurring_agreement_id: z.string().optional(),
    session_id: z.string().optional(),
    // The challenge's URL, then its outcome (docs/three-ds.md#authentication_result).
    authentication_result: z.looseObject({ authentication_url: z.string().optional() }).optional(),
    redirect_url: z.string().optional(),
    payment: z.strictObject({ payment_method: z.string() }),
    card_info: z.strictObject({ bin: z.string(), last4: z.string(), card_brand: z.string() }).optional(),
    balances,
    ...orderDetails,
  })
  .meta({ description: 'The order object' });

/** The refund object (docs/api.md#response-data-the-refund-object). */
export const refundAnswer = z
  .strictObject({
    error_code: businessCode,
    error_description: z.string(),
    merchant_id: z.string(),
    refund_trans_id: z.string(),
    refund_order_id: z.string().meta({ description: '`RG` followed by 20 digits' }),
    ori_order_id: z.string(),
    status: z.enum(['PROCESSING', 'SUCCESS', 'FAILURE', 'REVIEWING']),
    amount,
    currency: z.string(),
  })
  .meta({ description: 'The refund object' });

/** The checkout session object (docs/api.md#checkout-sessions). */
export const sessionAnswer = z
  .strictObject({
    merchant_id: z.string(),
    trans_id: z.string(),
    session_id: z.string().meta({ description: '`CS` followed by 20 digits' }),
    session_url: z.string(),
    session_mode: z.enum(['HOSTED', 'DROP_IN', 'COMPONENT']),
    status: z.enum(['OPEN', 'COMPLETED', 'EXPIRED', 'CANCELED']),
    ...terms,
    return_url: z.string(),
    cancel_url: z.string().optional(),
    display_locale: z.string().optional(),
    display_merchant_name: z.string().optional(),
    allowed_payment_methods: z.array(z.string()),
    shopper_reference: z.string().optional(),
    payment: z.strictObject({ store_payment_method: z.boolean(), token_usage: tokenUsage }).optional(),
    order_id: z.string().optional(),
    order_status: orderStatus.optional(),
    payment_method: z.string().optional(),
    ...orderDetails,
  })
  .meta({ description: 'The checkout session object' });

/** One stored card of a shopper (docs/api.md#token-query-paymentstokenquery). */
export const tokenAnswer = z
  .strictObject({
    token: z.string().meta({ description: '`TK` followed by 20 digits' }),
    token_usage: tokenUsage,
    payment_method: z.string(),
    status: z.literal('ACTIVATE'),
    shopper_reference: z.string().optional(),
    card_info: z.strictObject({
      bin: z.string(),
      last4: z.string(),
      card_brand: z.string(),
      exp_month: z.string(),
      exp_year: z.string(),
    }),
  })
  .meta({ description: 'A stored card' });

/** The `error_code` and text of a v3 payment query about a checkout session not paid yet. */
export const NOT_PAID_YET = {
  error_code: '4032',
  error_description: 'The session has no payment yet',
} as const;

/** What a v3 payment query answers for a checkout session not paid yet (docs/api.md#paykka-v3). */
export const unpaidSessionAnswer = z
  .strictObject({
    merchant_id: z.string(),
    trans_id: z.string(),
    session_id: z.string(),
    status: z.enum(['PROCESSING', 'EXPIRED', 'CANCELED']),
    error_code: z.literal(NOT_PAID_YET.error_code),
    error_description: z.literal(NOT_PAID_YET.error_description),
  })
  .meta({ description: 'A checkout session with no payment yet (v3 only)' });

/** Apple Pay's merchant session, sent as a string of JSON (docs/redirects-and-wallets.md). */
export const appleSessionAnswer = z.string().meta({
  description: "the merchant session's JSON, as a string, for the browser's completeMerchantValidation",
});
