import type { RequestMerchant } from '../core/merchants/request-merchant.ts';
import type { OperationCall } from './types.ts';

/**
 * The merchant as the services see it, with the wire when it is not v1.2: v1.2 is the
 * default, so the v1.2 path (the busy one) hands the stored row over without a copy.
 */
export function requestMerchant(call: OperationCall): RequestMerchant {
  return call.wire === 'v1.2' ? call.merchant : { ...call.merchant, wire: call.wire };
}
