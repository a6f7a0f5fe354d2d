/**
 * One example per operation for the API description: the operation's request fields (a wire
 * adds its own) and the answer's `data`. A test parses every request with the operation's own
 * schema and holds every answer against the described one, so an example cannot go stale.
 */
import type { OperationName } from '../../operations/index.ts';

const MERCHANT = '52831903747286';
const ORDER = 'GW33571852482895181746';
const TOKEN = 'TK41112681447155023838';

const balances = (authed: number, captured: number, refunded = 0) => ({
  authed_amount: authed,
  captured_amount: captured,
  able_to_capture_amount: 0,
  voided_amount: authed - captured,
  able_to_void_amount: 0,
  refunded_amount: refunded,
  able_to_refund_amount: captured - refunded,
  refunding_amount: 0,
});

const order = {
  error_code: '0000',
  error_description: 'request success',
  merchant_id: MERCHANT,
  trans_id: 'order-1001',
  order_id: ORDER,
  status: 'SUCCESS',
  payment_type: 'PURCHASE',
  authorisation_type: 'FINAL_AUTH',
  capture_method: 'AUTOMATIC',
  amount: 1000,
  currency: 'USD',
  expire_time: '2026-01-01T10:00:00+08:00',
  pay_finish_time: '2026-01-01T09:30:01+08:00',
  payment: { payment_method: 'BANKCARD' },
  card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
  balances: balances(1000, 1000),
};

const refund = {
  error_code: '0000',
  error_description: 'request success',
  merchant_id: MERCHANT,
  refund_trans_id: 'refund-1001-1',
  refund_order_id: 'RG02689461244481003065',
  ori_order_id: ORDER,
  status: 'SUCCESS',
  amount: 300,
  currency: 'USD',
};

const session = {
  merchant_id: MERCHANT,
  trans_id: 'order-1002',
  session_id: 'CS12345678901234567890',
  session_url: 'https://pay.example.com/checkout/CS12345678901234567890',
  session_mode: 'HOSTED',
  status: 'OPEN',
  payment_type: 'PURCHASE',
  authorisation_type: 'FINAL_AUTH',
  capture_method: 'AUTOMATIC',
  amount: 4250,
  currency: 'EUR',
  expire_time: '2026-01-01T10:00:00+08:00',
  return_url: 'https://shop.example/return',
  allowed_payment_methods: ['BANKCARD', 'IDEAL'],
};

const card = {
  payment_method: 'BANKCARD',
  card_no: '4242424242424242',
  exp_month: '12',
  exp_year: '2031',
  cvv: '123',
  holder_name: 'Ada Lovelace',
};

export interface OperationExample {
  request: Record<string, unknown>;
  /** The answer's data; none for an operation that answers nothing. */
  answer?: unknown;
}

export const EXAMPLES: Record<OperationName, OperationExample> = {
  pay: {
    request: {
      trans_id: 'order-1001',
      payment_type: 'PURCHASE',
      currency: 'USD',
      amount: 1000,
      return_url: 'https://shop.example/return',
      notify_url: 'https://shop.example/notify',
      payment: card,
    },
    answer: order,
  },
  queryPayment: { request: { order_id: ORDER }, answer: order },
  createSession: {
    request: {
      trans_id: 'order-1002',
      currency: 'EUR',
      amount: 4250,
      return_url: 'https://shop.example/return',
      goods: [{ name: 'Oolong tea', price: 2125, quantity: 2 }],
    },
    answer: session,
  },
  querySession: { request: { session_id: session.session_id }, answer: session },
  capture: {
    request: { order_id: ORDER, amount: 600, currency: 'USD' },
    answer: {
      ...order,
      capture_method: 'MANUAL',
      authorisation_type: 'PRE_AUTH',
      balances: balances(1000, 600),
    },
  },
  void: {
    request: { order_id: ORDER, reason: 'REQUESTED_BY_CUSTOMER' },
    answer: { ...order, status: 'CANCELED', capture_method: 'MANUAL', balances: balances(1000, 0) },
  },
  refund: {
    request: { refund_trans_id: 'refund-1001-1', ori_order_id: ORDER, refund_amount: 300, currency: 'USD' },
    answer: refund,
  },
  queryRefund: { request: { refund_trans_id: 'refund-1001-1' }, answer: refund },
  queryTokens: {
    request: { shopper_reference: 'shopper-42' },
    answer: [
      {
        token: TOKEN,
        token_usage: 'CARD_ON_FILE',
        payment_method: 'BANKCARD',
        status: 'ACTIVATE',
        shopper_reference: 'shopper-42',
        card_info: { bin: '424242', last4: '4242', card_brand: 'VISA', exp_month: '12', exp_year: '2031' },
      },
    ],
  },
  removeToken: { request: { token: TOKEN, shopper_reference: 'shopper-42' } },
  cancelRecurring: {
    request: { recurring_agreement_id: 'RA12345678901234567890', shopper_reference: 'shopper-42' },
  },
  appleSession: {
    request: { domain_name: 'shop.example.com', display_name: 'Lotus Tea House' },
    answer: '{"epochTimestamp":1767231000000,"expiresAt":1767234600000,"merchantSessionIdentifier":"…"}',
  },
};
