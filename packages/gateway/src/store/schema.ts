/**
 * Table shapes as Kysely sees them. Money and times are integers (minor units, epoch ms);
 * PostgreSQL returns int8 as strings, which the repos normalise with `toNumber` (columns.ts).
 * The orders and their events are declared once as column specs (columns.ts), from which
 * their table types, rows and readers are derived; a test compares them with the migrations.
 */

import type { Generated } from 'kysely';
import type { AuthorisationType, CaptureMethod, OrderStatus } from '../domain/order.ts';
import type { PaymentMethod } from '../domain/payment-methods.ts';
import type { Wire } from '../domain/wire.ts';
import { bigint, type Columns, type Int, integer, nullable, type TableOf, text } from './columns.ts';

export interface SettingsTable {
  name: string;
  value: string;
}

export interface MerchantsTable {
  merchant_id: string;
  name: string;
  status: 'ACTIVE' | 'DISABLED';
  notify_url: string | null;
  /** 1 once the merchant created a checkout session (migration 008). */
  uses_checkout: Generated<number>;
  /** The public key browser libraries name the merchant by (migration 010). */
  client_key: string | null;
  /** The client key before the last rotation, accepted until previous_client_key_expires_at. */
  previous_client_key: string | null;
  previous_client_key_expires_at: Int | null;
  /** The PayKKa v3 app id when it is not the merchant id (migration 013). */
  app_id: string | null;
  /** The protocol all its notifications speak; null: each order's own wire (migration 014). */
  notify_protocol: Wire | null;
  created_at: Int;
  updated_at: Int;
}

export interface MerchantKeysTable {
  key_id: string;
  merchant_id: string;
  public_key_pem: string;
  created_at: Int;
}

/** Every column of an order: the one place an order column is declared (besides its migration). */
export const ORDER_COLUMNS = {
  order_id: text(),
  merchant_id: text(),
  trans_id: text(),
  status: text<OrderStatus>(),
  payment_type: text<'PURCHASE' | 'RECURRING'>(),
  authorisation_type: text<AuthorisationType>(),
  capture_method: text<CaptureMethod>(),
  payment_method: text<PaymentMethod>(),
  amount: bigint(),
  currency: text(),
  notify_url: nullable(text()),
  return_url: nullable(text()),
  expire_at: bigint(),
  mit: integer(),
  shopper_reference: nullable(text()),
  card_fingerprint: nullable(text()),
  card_ciphertext: nullable(text()),
  card_bin: nullable(text()),
  card_last4: nullable(text()),
  card_brand: nullable(text()),
  error_code: text(),
  error_description: text(),
  authed_amount: bigint(),
  captured_amount: bigint(),
  voided_amount: bigint(),
  refunded_amount: bigint(),
  refunding_amount: bigint(),
  /** While set and in the future, an acquirer call for this order is under way. */
  processing_until: nullable(bigint()),
  pay_finish_at: nullable(bigint()),
  auth_expires_at: nullable(bigint()),
  acquirer_ref: nullable(text()),
  created_at: bigint(),
  updated_at: bigint(),
  reconcile_attempts: integer(),
  /** When the reconciler next asks the acquirer about an unknown outcome (null: nothing to ask). */
  next_reconcile_at: nullable(bigint()),
  /** The seq of the order's last event. */
  event_seq: integer(),
  /** The stored card this order paid with, or stored (after approval). */
  token: nullable(text()),
  recurring_agreement_id: nullable(text()),
  store_payment_method: integer(),
  token_usage: nullable(text()),
  /** JSON: the 3-D Secure outcome (authentication_result of docs/api.md#initiate-transaction-payments). */
  authentication_result: nullable(text()),
  /** The checkout session this order was paid through (docs/api.md#initiate-transaction-payments, docs/notifications.md), else null. */
  session_id: nullable(text()),
  /** The wire the order was created over (its session's, when paid through one): its notifications speak it. */
  wire: text<Wire>(),
} satisfies Columns;

export type OrdersTable = TableOf<typeof ORDER_COLUMNS>;

export interface ChallengesTable {
  challenge_id: string;
  order_id: string;
  /**
   * The plain one-time code of a challenge made before migration 018, until it ends; null for
   * every newer one, whose code is derived and never stored (modules/three-ds/code.ts).
   */
  legacy_otp: string | null;
  status: 'PENDING' | 'PASSED' | 'FAILED' | 'EXPIRED';
  attempts: Int;
  cvv_ciphertext: string | null;
  expires_at: Int;
  created_at: Int;
  updated_at: Int;
}

export interface CheckoutSessionsTable {
  session_id: string;
  merchant_id: string;
  trans_id: string;
  status: 'OPEN' | 'EXPIRED' | 'CANCELED' | 'COMPLETED';
  session_mode: string;
  session_url: string;
  payment_type: string;
  authorisation_type: string;
  capture_method: string;
  amount: Int;
  currency: string;
  notify_url: string | null;
  return_url: string;
  cancel_url: string | null;
  display_locale: string | null;
  display_merchant_name: string | null;
  /** Goods, bill-to and ship-to as JSON (domain/order-details.ts), or null (migration 015). */
  order_details: string | null;
  allowed_payment_methods: string;
  store_payment_method: Int;
  token_usage: string | null;
  shopper_reference: string | null;
  challenge_indicator: string | null;
  order_id: string | null;
  expire_at: Int;
  /** The wire the session was created over; the order paid through it takes it (migration 014). */
  wire: Wire;
  created_at: Int;
  updated_at: Int;
}

export interface TokensTable {
  token: string;
  merchant_id: string;
  shopper_reference: string;
  card_fingerprint: string;
  card_ciphertext: string | null;
  card_bin: string;
  card_last4: string;
  card_brand: string;
  exp_month: Int;
  exp_year: Int;
  token_usage: string;
  payment_method: string;
  status: 'ACTIVE' | 'INACTIVE';
  created_at: Int;
  updated_at: Int;
}

export interface AgreementsTable {
  recurring_agreement_id: string;
  merchant_id: string;
  shopper_reference: string;
  token: string;
  first_order_id: string;
  status: 'ACTIVE' | 'INACTIVE';
  created_at: Int;
  updated_at: Int;
}

export interface RefundsTable {
  refund_order_id: string;
  merchant_id: string;
  refund_trans_id: string;
  order_id: string;
  amount: Int;
  currency: string;
  reason: string | null;
  notify_url: string | null;
  status: 'PROCESSING' | 'SUCCESS' | 'FAILURE' | 'REVIEWING';
  error_code: string;
  error_description: string;
  acquirer_ref: string | null;
  next_check_at: Int | null;
  finished_at: Int | null;
  created_at: Int;
  updated_at: Int;
}

/** One line of an order's history: what happened, how much moved, the status after it. */
export const ORDER_EVENT_COLUMNS = {
  order_id: text(),
  seq: integer(),
  type: text(),
  amount: bigint(),
  status: text(),
  refund_order_id: nullable(text()),
  created_at: bigint(),
} satisfies Columns;

export type OrderEventsTable = TableOf<typeof ORDER_EVENT_COLUMNS>;

export type NotificationStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface NotificationsTable {
  notify_id: string;
  merchant_id: string;
  order_id: string;
  event_seq: Int;
  notify_type: string;
  url: string;
  body: string;
  status: NotificationStatus;
  attempts: Int;
  next_attempt_at: Int | null;
  last_error: string | null;
  delivered_at: Int | null;
  created_at: Int;
  updated_at: Int;
  /** The API request whose event this notifies (migration 022); null for the jobs' events. */
  request_id: string | null;
}

export interface NotificationAttemptsTable {
  notify_id: string;
  attempt: Int;
  started_at: Int;
  latency_ms: Int;
  http_status: Int | null;
  error: string | null;
  delivered: Int;
  /** The first characters of the receiver's answer, as text (migration 020); null without one. */
  answer_excerpt: string | null;
  /** The request id this attempt sent as X-Request-ID (migration 022), else null. */
  request_id: string | null;
}

/** A Google Pay token's message, claimed by the payment it first arrived with (migration 011). */
export interface GooglePayMessagesTable {
  message_id: string;
  merchant_id: string;
  trans_id: string;
  expires_at: Int;
  created_at: Int;
}

/** A PayKKa v3 request's nonce, accepted once per app id until it expires (migration 012). */
export interface RequestNoncesTable {
  app_id: string;
  nonce: string;
  expires_at: Int;
}

/**
 * A PayKKa v1.2 request's signature, accepted once per merchant until it expires (migration
 * 016): `signature_hash` is the first 16 bytes of SHA-256 over the decoded signature, base64url.
 */
export interface UsedSignaturesTable {
  merchant_id: string;
  signature_hash: string;
  expires_at: Int;
}

export interface Database {
  settings: SettingsTable;
  merchants: MerchantsTable;
  merchant_keys: MerchantKeysTable;
  orders: OrdersTable;
  refunds: RefundsTable;
  order_events: OrderEventsTable;
  notifications: NotificationsTable;
  notification_attempts: NotificationAttemptsTable;
  tokens: TokensTable;
  agreements: AgreementsTable;
  challenges: ChallengesTable;
  checkout_sessions: CheckoutSessionsTable;
  google_pay_messages: GooglePayMessagesTable;
  request_nonces: RequestNoncesTable;
  used_signatures: UsedSignaturesTable;
}
