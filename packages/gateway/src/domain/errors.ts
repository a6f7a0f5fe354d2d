/**
 * The one catalogue of every code openkka answers. Request-level codes (`ret_code`) refuse a
 * request and change nothing; business codes (`data.error_code`) describe the outcome of an
 * order that exists. docs/api.md lists the same table, and a test keeps the two in step.
 */

export interface RequestCode {
  /** `ret_code` on the wire. */
  code: string;
  http: number;
  message: string;
}

/** Request-level refusals. PayKKa's documented codes first, then openkka's own (30xxxx). */
export const REQUEST_CODES = {
  SUCCESS: { code: '000000', http: 200, message: 'Success' },
  SYSTEM_ERROR: { code: '999999', http: 500, message: 'System error' },
  INVALID_REQUEST: { code: '010000', http: 400, message: 'Invalid request' },
  PAYLOAD_TOO_LARGE: { code: '010000', http: 413, message: 'Invalid request: body larger than 64 KiB' },
  INVALID_VERSION: { code: '206001', http: 400, message: 'Invalid API version' },
  SIGNATURE_MISSING: { code: '206002', http: 401, message: 'Signature not found' },
  SIGNATURE_INVALID: { code: '206003', http: 401, message: 'Signature error' },
  SIGNATURE_EXPIRED: { code: '206004', http: 401, message: 'Signature expired' },
  MERCHANT_NOT_FOUND: { code: '206005', http: 401, message: 'Merchant does not exist' },
  MERCHANT_KEY_MISSING: { code: '206006', http: 401, message: 'Merchant public key not configured' },
  MERCHANT_DISABLED: { code: '206007', http: 403, message: 'Merchant disabled' },
  SESSION_NOT_FOUND: { code: '206011', http: 404, message: 'The session does not exist' },
  ORDER_NOT_FOUND: { code: '206024', http: 404, message: 'Order does not exist' },
  PAYMENT_METHOD_NOT_SUPPORTED: { code: '210001', http: 400, message: 'Payment method not supported' },
  SHOPPER_REFERENCE_REQUIRED: { code: '210002', http: 400, message: 'shopper_reference cannot be empty' },
  SHIPPING_REQUIRED: { code: '210003', http: 400, message: 'shipping cannot be empty' },
  TRANS_ID_REUSED: {
    code: '300001',
    http: 409,
    message: 'trans_id was already used with different parameters',
  },
  ROUTE_NOT_FOUND: { code: '300003', http: 404, message: 'No such operation' },
  REFUND_NOT_FOUND: { code: '206024', http: 404, message: 'Refund does not exist' },
  ORDER_NOT_CAPTURABLE: { code: '300010', http: 409, message: 'Order has nothing left to capture' },
  CAPTURE_AMOUNT_EXCEEDED: {
    code: '300011',
    http: 409,
    message: 'Capture amount exceeds able_to_capture_amount',
  },
  CURRENCY_MISMATCH: { code: '300012', http: 409, message: "Currency does not match the order's currency" },
  ORDER_NOT_VOIDABLE: { code: '300013', http: 409, message: 'Order has nothing left to void' },
  ORDER_NOT_REFUNDABLE: { code: '300014', http: 409, message: 'Order has nothing captured to refund' },
  REFUND_AMOUNT_EXCEEDED: {
    code: '300015',
    http: 409,
    message: 'Refund amount exceeds able_to_refund_amount',
  },
  TOKEN_NOT_FOUND: { code: '300030', http: 404, message: 'Token does not exist for this shopper' },
  ACTIVE_AGREEMENT_NOT_FOUND: {
    code: '300031',
    http: 404,
    message: 'Active recurring agreement does not exist for this shopper',
  },
  ADMIN_UNAUTHORIZED: { code: '300020', http: 401, message: 'Admin token missing or wrong' },
  NOTIFICATION_NOT_FOUND: { code: '300021', http: 404, message: 'Notification does not exist' },
  REFUND_TRANS_ID_REUSED: {
    code: '300016',
    http: 409,
    message: 'refund_trans_id was already used with different parameters',
  },
  METHOD_NOT_ALLOWED: { code: '300004', http: 405, message: 'Every operation is a POST' },
  CURRENCY_NOT_SUPPORTED_BY_METHOD: {
    code: '300040',
    http: 400,
    message: 'Currency is not supported by this payment method',
  },
  CLIENT_KEY_NOT_FOUND: { code: '300060', http: 404, message: 'Client key does not exist' },
  NONCE_REUSED: { code: '300070', http: 401, message: 'Nonce already used' },
  NOTIFY_URL_NOT_ALLOWED: { code: '300090', http: 400, message: 'notify_url is not allowed' },
  SIGNATURE_REUSED: { code: '300071', http: 401, message: 'Signature already used' },
  TOO_MANY_REQUESTS: { code: '300080', http: 429, message: 'Too many requests' },
  REQUEST_TIMEOUT: { code: '010000', http: 408, message: 'Invalid request: not received in time' },
} as const satisfies Record<string, RequestCode>;

export type RequestCodeName = keyof typeof REQUEST_CODES;

/** Thrown anywhere below a route; the error handler turns it into the envelope. */
export class ApiError extends Error {
  readonly entry: RequestCode;
  constructor(
    readonly kind: RequestCodeName,
    detail?: string,
  ) {
    const entry = REQUEST_CODES[kind];
    super(detail ? `${entry.message}: ${detail}` : entry.message);
    this.entry = entry;
  }
}

export interface BusinessCode {
  /** `data.error_code` on the wire. */
  code: string;
  description: string;
}

/** Outcomes of an order. Decline codes 5xxx are openkka's, one per reason. */
export const BUSINESS_CODES = {
  SUCCESS: { code: '0000', description: 'request success' },
  CARD_DECRYPTION_FAILED: { code: '2004', description: 'Card decryption failed' },
  CARD_ENCRYPTION_EXPIRED: { code: '2005', description: 'Card encryption expired' },
  CARD_NOT_SUPPORTED: { code: '2006', description: 'Card not supported' },
  MIT_REQUIRED: { code: '2010', description: 'mit is required in recurring payments' },
  SUBSEQUENT_NEEDS_MIT: { code: '2011', description: 'A subsequent recurring payment must have mit=true' },
  FIRST_NEEDS_CIT: { code: '2012', description: 'The first recurring payment must have mit=false' },
  STORING_NEEDS_CARD: {
    code: '2013',
    description: 'Storing card information requires payment_method BANKCARD or EFTPOS',
  },
  FIRST_NEEDS_STORING: {
    code: '2014',
    description: 'The first recurring payment requires store_payment_method=true',
  },
  AGREEMENT_NOT_FOUND: { code: '2015', description: 'Recurring agreement does not exist' },
  AGREEMENT_INACTIVE: { code: '2016', description: 'Recurring agreement is not active' },
  INVALID_CARD: { code: '2099', description: 'Invalid Card' },
  DECLINED: { code: '5001', description: 'Declined by the issuer' },
  INSUFFICIENT_FUNDS: { code: '5002', description: 'Insufficient funds' },
  EXPIRED_CARD: { code: '5003', description: 'Expired card' },
  INCORRECT_CVV: { code: '5004', description: 'Incorrect CVV' },
  ACQUIRER_ERROR: { code: '5005', description: 'Acquirer processing error' },
  AUTHENTICATION_FAILED: { code: '5006', description: '3-D Secure authentication failed' },
  PAYMENT_EXPIRED: { code: '5007', description: 'The shopper did not finish before expire_time' },
  SHOPPER_CANCELED: { code: '5008', description: 'The shopper canceled the payment' },
  TOKEN_INVALID: {
    code: '5010',
    description: 'Token does not exist, was removed, or belongs to another shopper',
  },
  CARD_ENCRYPTION_KEY_UNKNOWN: {
    code: '5011',
    description: 'Card was encrypted to a gateway key that is unknown or retired',
  },
  CARD_ENCRYPTED_FOR_ANOTHER_MERCHANT: {
    code: '5012',
    description: "Card was encrypted with a client key that is not this merchant's",
  },
  CARD_ENCRYPTION_IN_FUTURE: { code: '5013', description: 'Card encryption time is in the future' },
  GOOGLE_PAY_SIGNING_KEY_UNTRUSTED: {
    code: '5020',
    description: 'Google Pay signing key is not signed by a trusted root key',
  },
  GOOGLE_PAY_SIGNING_KEY_EXPIRED: { code: '5021', description: 'Google Pay signing key has expired' },
  GOOGLE_PAY_SIGNATURE_INVALID: {
    code: '5022',
    description: 'Google Pay signature does not verify for this gateway',
  },
  GOOGLE_PAY_DECRYPTION_FAILED: {
    code: '5023',
    description: "Google Pay token is not encrypted to this gateway's key",
  },
  GOOGLE_PAY_MESSAGE_EXPIRED: { code: '5024', description: 'Google Pay token has expired' },
  GOOGLE_PAY_TOKEN_ALREADY_USED: { code: '5025', description: 'Google Pay token already paid another order' },
  GOOGLE_PAY_PAYMENT_DATA_INVALID: {
    code: '5026',
    description: 'Google Pay token does not hold a card this gateway can charge',
  },
  REFUND_DECLINED: { code: '5101', description: 'Refund declined by the acquirer' },
} as const satisfies Record<string, BusinessCode>;

export type BusinessCodeName = keyof typeof BUSINESS_CODES;
