import type { RequestMerchant } from '../core/merchants/request-merchant.ts';
import type { ChangingMerchant } from '../core/orders/writer.ts';
import type { OperationCall } from './types.ts';

/**
 * The merchant as the services see it: the stored row, with the wire when it is not v1.2 (the
 * default) and the request's id. A shallow copy per request: the row itself is shared by every
 * request of the merchant (the authentication cache).
 */
export function requestMerchant(call: OperationCall): RequestMerchant {
  return call.wire === 'v1.2'
    ? { ...call.merchant, request_id: call.requestId }
    : { ...call.merchant, wire: call.wire, request_id: call.requestId };
}

/** Who asks for a capture, a void or a refund: the merchant, and the request's id. */
export function changingMerchant(call: OperationCall): ChangingMerchant {
  return {
    merchant_id: call.merchant.merchant_id,
    notify_url: call.merchant.notify_url,
    request_id: call.requestId,
  };
}
