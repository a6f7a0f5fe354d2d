/**
 * Checkout sessions: create one, send the shopper's browser to its `session_url` (HOSTED) or
 * mount openkka's browser library with its `session_id` on your page (DROP_IN, COMPONENT), and
 * look it up later. The session is only the intent; the payment made on the page is an order
 * like any other, found with `payments.query({ session_id })` once the shopper has paid.
 */
import type { RequestSender } from '../client.ts';
import type { CheckoutSession, SessionCreateParams, SessionQueryParams } from '../types.ts';

export class Sessions {
  constructor(private readonly sender: RequestSender) {}

  /**
   * Safe to repeat with the same trans_id: the gateway answers the existing session. A repeat
   * with another amount, currency, payment_type, authorisation_type or capture_method throws
   * OpenKKAApiError `300001` (HTTP 409).
   */
  create(params: SessionCreateParams): Promise<CheckoutSession> {
    return this.sender.post<CheckoutSession>('/payments/session', { session_mode: 'HOSTED', ...params });
  }

  /** By session_id or trans_id. An unknown session throws OpenKKAApiError `206011` (HTTP 404). */
  query(params: SessionQueryParams): Promise<CheckoutSession> {
    return this.sender.post<CheckoutSession>('/payments/session/query', params);
  }
}
