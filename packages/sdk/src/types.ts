/**
 * Wire types of the PayKKa Payments API (v1.2, and v3 where it differs), named exactly as the
 * JSON fields are. Requests omit `merchant_id` and `timestamp`: the client adds `merchant_id`,
 * and over v1.2 a `timestamp` fresh per attempt, when it signs (over v3 the time is a header).
 */

/** The wire a client speaks: PayKKa's v1.2 API (`/apis/payments…`) or its v3 API (`/v3/payment/acq/…`). */
export type Protocol = 'v1.2' | 'v3';

export type OrderStatus =
  | 'PROCESSING'
  | 'AUTHORIZED'
  | 'SUCCESS'
  | 'FAILURE'
  | 'CANCELED'
  | 'PARTIALLY_REVERSED'
  | 'PARTIALLY_REFUNDED'
  | 'REFUNDED';

export type PaymentType = 'PURCHASE' | 'RECURRING';
export type AuthorisationType = 'FINAL_AUTH' | 'PRE_AUTH';
export type CaptureMethod = 'AUTOMATIC' | 'MANUAL';
export type TokenUsage = 'CARD_ON_FILE' | 'SUBSCRIPTION' | 'UNSCHEDULED_CARD_ON_FILE';

/** Numbers the gateway also accepts as numeric strings, as PayKKa's own examples send them. */
export type NumberLike = number | string;

export interface PaymentMethodDetails {
  /** `BANKCARD`, `APPLE_PAY`, `GOOGLE_PAY`, `iDEAL`…; matched case-insensitively by the gateway. */
  payment_method: string;
  store_payment_method?: boolean;
  token_usage?: TokenUsage;
  shopper_reference?: string;
  token?: string;
  card_no?: string;
  exp_year?: NumberLike;
  exp_month?: NumberLike;
  cvv?: string;
  holder_name?: string;
  holder_email?: string;
  encrypted_card_no?: string;
  encrypted_exp_year?: string;
  encrypted_exp_month?: string;
  encrypted_cvv?: string;
  /** Wallet payload (Apple Pay / Google Pay): the token JSON as a string, or the decrypted object. */
  token_data?: string | Record<string, unknown>;
}

export interface AuthenticationOptions {
  challenge_indicator?: string;
  authentication_only?: boolean;
}

export interface BrowserInfo {
  user_agent?: string;
  color_depth?: NumberLike;
  language?: string;
  java_enabled?: boolean;
  device_type?: string;
  terminal_type?: string;
  device_os?: string;
  timezone_offset?: string;
  screen_height?: NumberLike;
  screen_width?: NumberLike;
  cookies?: string;
  device_finger_print_id?: string;
  fraud_detection_id?: string;
}

export interface Address {
  first_name?: string;
  middle_name?: string;
  last_name?: string;
  address_line1?: string;
  address_line2?: string;
  /** ISO 3166 alpha-2. */
  country?: string;
  state?: string;
  city?: string;
  postal_code?: string;
  email?: string;
  area_code?: string;
  phone_number?: string;
}

export interface BillingDetails extends Address {
  billing_address_collection?: string;
  descriptor?: string;
}

export interface CustomerInfo {
  id?: string;
  registration_time?: string;
  past_transactions?: NumberLike;
  area_code?: string;
  phone_number?: string;
  date_of_birth?: string;
  gender?: string;
  first_shopping_time?: string;
  last_shopping_time?: string;
  level?: string;
  email?: string;
  order_ip?: string;
  pay_ip?: string;
}

export interface GoodsItem {
  id?: string;
  name?: string;
  description?: string;
  category?: string;
  brand?: string;
  link?: string;
  /** Minor units. */
  price?: NumberLike;
  quantity?: NumberLike;
  delivery_date?: string;
  picture_url?: string;
}

/**
 * A line of `goods` as the gateway answers it: checked and normalised, empty members left out,
 * `id` as text, the description cut to its first 300 characters.
 */
export interface GoodsLine {
  id?: string;
  name: string;
  description?: string;
  category?: string;
  brand?: string;
  link?: string;
  /** Minor units of the session's currency. */
  price: number;
  quantity: number;
  delivery_date?: string;
  picture_url?: string;
}

/** What a checkout session was told was bought and for whom, as sessions and their orders answer it. */
export interface OrderDetails {
  goods?: GoodsLine[];
  bill?: BillingDetails;
  shipping?: Address;
}

export interface PaymentCreateParams {
  /** The merchant's own id for this payment; also the idempotency key (≤64 chars). */
  trans_id: string;
  payment_type: PaymentType;
  authorisation_type?: AuthorisationType;
  capture_method?: CaptureMethod;
  /** ISO 4217. */
  currency: string;
  /** Integer in the currency's minor unit. */
  amount: NumberLike;
  notify_url?: string;
  return_url?: string;
  expire_time?: string;
  mit?: boolean;
  payment: PaymentMethodDetails;
  authentication?: AuthenticationOptions;
  browser?: BrowserInfo;
  bill?: BillingDetails;
  shipping?: Address;
  customer?: CustomerInfo;
  goods?: GoodsItem[];
  recurring_agreement_id?: string;
}

/** Exactly one identifier is expected; the gateway treats an empty string as absent. */
export interface PaymentQueryParams {
  trans_id?: string;
  order_id?: string;
  session_id?: string;
}

export interface Balances {
  authed_amount: number;
  captured_amount: number;
  able_to_capture_amount: number;
  voided_amount: number;
  able_to_void_amount: number;
  refunded_amount: number;
  able_to_refund_amount: number;
  refunding_amount: number;
}

export interface CardInfo {
  bin: string;
  last4: string;
  card_brand: string;
}

export interface AuthenticationResult {
  /** Where to send the shopper's browser to complete 3-D Secure. */
  authentication_url?: string;
  [key: string]: unknown;
}

/** The order object returned by create, query, capture and void. */
export interface Order {
  /** When the answer was made (ms); v1.2 only: a v3 answer carries its time in a header. */
  timestamp?: number;
  /** Business result: `0000` on success, a decline code when `status` is FAILURE. */
  error_code: string;
  error_description: string;
  merchant_id: string;
  trans_id: string;
  order_id: string;
  status: OrderStatus;
  payment_type: PaymentType;
  authorisation_type: AuthorisationType;
  capture_method: CaptureMethod;
  amount: number;
  currency: string;
  pay_finish_time?: string;
  expire_time?: string;
  shopper_reference?: string;
  token?: string;
  recurring_agreement_id?: string;
  session_id?: string;
  authentication_result?: AuthenticationResult;
  /** Redirect payment methods: the bank or wallet page the shopper must visit. */
  redirect_url?: string;
  payment: { payment_method: string };
  card_info?: CardInfo;
  balances: Balances;
  /** A query's answer for an order paid through a checkout session: what the session was sent. */
  goods?: GoodsLine[];
  bill?: BillingDetails;
  shipping?: Address;
}

/** The `error_code` of a v3 payment query that found a checkout session with no payment yet. */
export type UnpaidSessionCode = '4032';

/**
 * What `payments.query` resolves with over v3, in place of an order, when it names a checkout
 * session (by `session_id`, or by the `trans_id` it was created with) that has no payment yet:
 * not a refusal but a success answer with `error_code` `4032` (docs/api.md#paykka-v3). Over
 * v1.2 the same query is refused with `206024` instead. Tell it from an order with
 * `isUnpaidSession`: it has no `order_id`.
 */
export interface UnpaidSession {
  merchant_id: string;
  trans_id: string;
  session_id: string;
  /** `PROCESSING` while the shopper can still pay; `EXPIRED` or `CANCELED` once the session cannot be paid. */
  status: 'PROCESSING' | 'EXPIRED' | 'CANCELED';
  error_code: UnpaidSessionCode;
  error_description: string;
}

/** What `payments.query` resolves with: an order, or over v3 possibly an `UnpaidSession`. */
export type PaymentQueryResult<P extends Protocol = Protocol> = P extends 'v3'
  ? Order | UnpaidSession
  : Order;

/** Why a payment or refund is reversed; optional wherever it is accepted. */
export type ReversalReason = 'DUPLICATE' | 'FRAUDULENT' | 'REQUESTED_BY_CUSTOMER' | 'OTHER';

export interface CaptureParams {
  /** openkka's id of the authorized order (`GW…`). */
  order_id: string;
  /** Minor units; at most `balances.able_to_capture_amount`. */
  amount: NumberLike;
  /** Must be the order's currency. */
  currency: string;
  /**
   * The gateway's default is `true`: whatever this capture leaves capturable is released.
   * Send `false` to keep the rest capturable for a later capture.
   */
  capture_final?: boolean;
}

export interface VoidParams {
  order_id: string;
  reason?: ReversalReason;
}

export interface RefundCreateParams {
  /** The merchant's own id for this refund; also the refund's idempotency key (≤64 chars). */
  refund_trans_id: string;
  /** The order being refunded (`GW…`). */
  ori_order_id: string;
  /** Minor units; at most `balances.able_to_refund_amount`. */
  refund_amount: NumberLike;
  /** Must be the order's currency. */
  currency: string;
  reason?: ReversalReason;
  notify_url?: string;
}

/** One identifier is expected; the gateway treats an empty string as absent. */
export interface RefundQueryParams {
  refund_trans_id?: string;
  refund_order_id?: string;
}

/** `REVIEWING` is part of the API but never answered by openkka today. */
export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'FAILURE' | 'REVIEWING';

/** The refund object returned by refund create and refund query. */
export interface Refund {
  /** When the answer was made (ms); v1.2 only: a v3 answer carries its time in a header. */
  timestamp?: number;
  /** `0000` once the refund succeeded, a refund decline code on FAILURE, empty while PROCESSING. */
  error_code: string;
  error_description: string;
  merchant_id: string;
  refund_trans_id: string;
  /** openkka's id of the refund (`RG…`). */
  refund_order_id: string;
  ori_order_id: string;
  status: RefundStatus;
  amount: number;
  currency: string;
}

/** A stored card's details: what an order shows, plus the expiry. Never more of the number. */
export interface TokenCardInfo extends CardInfo {
  /** Two digits, `"01"`–`"12"`. */
  exp_month: string;
  /** Four digits. */
  exp_year: string;
}

/** One stored card of a shopper, as token query lists it. */
export interface Token {
  /** `TK` followed by 20 digits. */
  token: string;
  token_usage: TokenUsage;
  payment_method: string;
  /** PayKKa's word for an active token; removed tokens are not listed at all. */
  status: 'ACTIVATE';
  /** openkka adds the shopper the token belongs to. */
  shopper_reference?: string;
  card_info: TokenCardInfo;
}

export interface TokenQueryParams {
  shopper_reference: string;
}

export interface TokenRemoveParams {
  token: string;
  /** The shopper the token belongs to; another shopper's token does not exist. */
  shopper_reference: string;
}

export interface RecurringCancelParams {
  /** `RA…`, from the first recurring payment. */
  recurring_agreement_id: string;
  /** The shopper the agreement belongs to; another shopper's agreement does not exist. */
  shopper_reference: string;
}

/** The card of a first recurring payment and the shopper it is stored for. */
export interface FirstRecurringCard {
  card_no: string;
  exp_month: NumberLike;
  exp_year: NumberLike;
  cvv?: string;
  holder_name?: string;
  holder_email?: string;
  /** Your id of the shopper (≤64 chars); the token and the agreement belong to it. */
  shopper_reference: string;
}

/**
 * The first payment of a subscription, made while the shopper is present (CIT). The helper
 * sets `payment_type: RECURRING`, `mit: false`, `payment_method: BANKCARD`,
 * `store_payment_method: true` and `token_usage: SUBSCRIPTION`.
 */
export interface FirstRecurringParams
  extends Omit<
    PaymentCreateParams,
    'payment_type' | 'mit' | 'payment' | 'return_url' | 'recurring_agreement_id'
  > {
  /** Where the shopper's browser returns; required, the shopper is present. */
  return_url: string;
  payment: FirstRecurringCard;
}

/**
 * A renewal charged without the shopper (MIT). The helper sets `payment_type: RECURRING`,
 * `mit: true` and `payment_method: BANKCARD`; no `return_url` is needed.
 */
export interface SubsequentRecurringParams {
  /** A new trans_id for every renewal: it is the renewal's idempotency key. */
  trans_id: string;
  amount: NumberLike;
  currency: string;
  /** `RA…`, from the first payment. */
  recurring_agreement_id: string;
  /** `TK…`, from the first payment: the agreement's token. */
  token: string;
  shopper_reference: string;
  notify_url?: string;
}

/** Where the shopper pays: openkka's page, or yours through the browser library (`EMBEDDED` is read as `COMPONENT`). */
export type SessionMode = 'HOSTED' | 'DROP_IN' | 'COMPONENT';

/** The session's state: OPEN until its one payment exists (COMPLETED), unless it expires or is canceled first. */
export type SessionStatus = 'OPEN' | 'COMPLETED' | 'EXPIRED' | 'CANCELED';

/** A hosted checkout session: the shopper enters the card on openkka's page, not in your request. */
export interface SessionCreateParams {
  /** The merchant's id of the payment; also the idempotency key of the session (≤64 chars). */
  trans_id: string;
  /**
   * `HOSTED` (the default): the shopper pays on openkka's page at `session_url`. `DROP_IN` and
   * `COMPONENT` (alias `EMBEDDED`): on your own page, through openkka's browser library
   * (docs/browser-library.md), given the `session_id` and your client key.
   */
  session_mode?: SessionMode | 'EMBEDDED';
  /** `PURCHASE` unless given; a `RECURRING` session starts a subscription and must store the card. */
  payment_type?: PaymentType;
  authorisation_type?: AuthorisationType;
  capture_method?: CaptureMethod;
  /** ISO 4217. */
  currency: string;
  /** Integer in the currency's minor unit. */
  amount: NumberLike;
  notify_url?: string;
  /** Where the shopper returns after paying, with `trans_id`, `order_id` and `status` added unless it uses those names. */
  return_url: string;
  /** Where the cancel button leads, with `trans_id`, `session_id` and `status` added likewise; `return_url` if absent. */
  cancel_url?: string;
  /** Deadline to pay (RFC 3339), at most 24 h ahead; 30 minutes unless given. */
  expire_time?: string;
  /** `en…` or `zh…` (e.g. `zh-CN`); anything else shows English. */
  display_locale?: string;
  /** Shown on the page instead of the merchant's registered name (≤75 chars). */
  display_merchant_name?: string;
  /** E.g. `['BANKCARD', 'iDEAL']`; every method payable on the page in this currency if absent. */
  allowed_payment_methods?: string[];
  /** Card on file: the page asks the shopper's consent before the card is stored. */
  payment?: { store_payment_method?: boolean; token_usage?: TokenUsage; shopper_reference?: string };
  authentication?: AuthenticationOptions;
  browser?: BrowserInfo;
  bill?: BillingDetails;
  shipping?: Address;
  customer?: CustomerInfo;
  goods?: GoodsItem[];
}

/** One identifier is expected; both must name the same session. */
export interface SessionQueryParams {
  session_id?: string;
  trans_id?: string;
}

/** The session object returned by session create and session query. */
export interface CheckoutSession {
  /** When the answer was made (ms); v1.2 only: a v3 answer carries its time in a header. */
  timestamp?: number;
  merchant_id: string;
  trans_id: string;
  /** `CS` followed by 20 digits. */
  session_id: string;
  /** Send the shopper's browser here (HOSTED; for the other modes, the same session's hosted page). */
  session_url: string;
  session_mode: SessionMode;
  status: SessionStatus;
  payment_type: PaymentType;
  authorisation_type: AuthorisationType;
  capture_method: CaptureMethod;
  amount: number;
  currency: string;
  expire_time: string;
  return_url: string;
  cancel_url?: string;
  display_locale?: string;
  display_merchant_name?: string;
  allowed_payment_methods: string[];
  shopper_reference?: string;
  payment?: { store_payment_method: boolean; token_usage: TokenUsage };
  /** Once the shopper has paid: the order (`GW…`), its status and the method used. */
  order_id?: string;
  order_status?: OrderStatus;
  payment_method?: string;
  /** What the session was told was bought and for whom, when it was sent. */
  goods?: GoodsLine[];
  bill?: BillingDetails;
  shipping?: Address;
}

/** Every response body. `data` is absent on refusals and on operations that return nothing. */
export interface Envelope<T> {
  ret_code: string;
  ret_msg: string;
  data?: T;
}

/** Notification types for payment events (docs/notifications.md). */
export type PaymentNotifyType =
  | 'PAYMENT.AUTHORIZATION'
  | 'PAYMENT.SUCCESS'
  | 'PAYMENT.FAILURE'
  | 'PAYMENT.CANCELED';

/** Notification types for refund events (docs/notifications.md). */
export type RefundNotifyType = 'REFUND.SUCCESS' | 'REFUND.FAILURE';

export type NotifyType = PaymentNotifyType | RefundNotifyType;

/** Fields every notification body carries, payment or refund. */
interface NotificationCommon {
  /** Unique per event, and the same on every retry of it: deduplicate on this. */
  notify_id: string;
  /**
   * When this delivery attempt was signed (ms); fresh on every retry. Always in a v1.2
   * notification; a v3 one may leave it out, its time is the `x-paykka-timestamp` header.
   */
  timestamp?: number;
  merchant_id: string;
  /** The merchant's id of the payment. */
  trans_id: string;
  /** openkka's id of the payment (`GW…`). */
  order_id: string;
  /** Minor units. */
  amount: number;
  currency: string;
  error_code: string;
  error_description: string;
  /** When the payment first reached a final authorization outcome. */
  pay_finish_time?: string;
  payment: { payment_method: string };
  card_info?: CardInfo;
  /** The payment's balances after the event. */
  balances: Balances;
}

/** A payment event: its fields are the order's as they stand after the event. */
export interface PaymentNotification extends NotificationCommon {
  notify_type: PaymentNotifyType;
  /** v3 notifications: the same as `notify_type`. */
  event_type?: PaymentNotifyType;
  status: OrderStatus;
  authorisation_type?: AuthorisationType;
  capture_method?: CaptureMethod;
  expire_time?: string;
  token?: string;
  recurring_agreement_id?: string;
  shopper_reference?: string;
  session_id?: string;
  authentication_result?: AuthenticationResult;
}

/**
 * A refund event: `status`, `amount`, `currency` and the error fields are the refund's;
 * `trans_id`, `order_id`, `payment`, `card_info` and `balances` are the payment's.
 */
export interface RefundNotification extends NotificationCommon {
  notify_type: RefundNotifyType;
  /** v3 notifications: the same as `notify_type`. */
  event_type?: RefundNotifyType;
  /** v3 notifications: the refunded order (`GW…`), the same as `order_id`. */
  ori_order_id?: string;
  /** v3 notifications: the checkout session the refunded payment was made in, if any. */
  session_id?: string;
  status: RefundStatus;
  /** The merchant's id of the refund. */
  refund_trans_id: string;
  /** openkka's id of the refund (`RG…`). */
  refund_order_id: string;
}

/** A verified notification body; `notify_type` tells the two kinds apart. */
export type Notification = PaymentNotification | RefundNotification;
