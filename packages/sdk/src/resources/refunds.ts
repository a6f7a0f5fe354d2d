/**
 * Refunds: give back captured money, and look a refund up. A refund answers at once with its
 * status; `PROCESSING` means the acquirer has not finished, and a later query tells the result.
 */
import type { RequestSender } from '../client.ts';
import type { Refund, RefundCreateParams, RefundQueryParams } from '../types.ts';

export class Refunds {
  constructor(private readonly sender: RequestSender) {}

  /**
   * Safe to repeat with the same refund_trans_id: the gateway answers the existing refund
   * instead of refunding twice (HTTP 409 if the amount, currency or order differ).
   */
  create(params: RefundCreateParams): Promise<Refund> {
    return this.sender.post<Refund>('/payments/refund', params);
  }

  /** Looks a refund up by refund_trans_id or refund_order_id. */
  query(params: RefundQueryParams): Promise<Refund> {
    return this.sender.post<Refund>('/payments/refund/query', params);
  }
}
