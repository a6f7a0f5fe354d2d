/**
 * Payments: initiate a transaction and look one up. Thin on purpose; signing, verification,
 * errors and retries all live in the request sender.
 *
 * A declined card is not an exception. The gateway accepts the request (ret_code 000000) and
 * answers an Order with `status: 'FAILURE'` and a decline `error_code`, because the order now
 * exists under that trans_id; callers branch on `status`, and only refusals (nothing created)
 * throw OpenKKAApiError.
 */
import type { RequestSender } from '../client.ts';
import type { Order, PaymentCreateParams, PaymentQueryParams } from '../types.ts';

export class Payments {
  constructor(private readonly sender: RequestSender) {}

  /** Safe to repeat with the same trans_id: the gateway returns the existing order, charging once. */
  create(params: PaymentCreateParams): Promise<Order> {
    return this.sender.post<Order>('/payments', params);
  }

  /** Looks an order up by one of trans_id, order_id or session_id. */
  query(params: PaymentQueryParams): Promise<Order> {
    return this.sender.post<Order>('/payments/query', params);
  }
}
