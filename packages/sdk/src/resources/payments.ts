/**
 * Payments: initiate a transaction (or either kind of recurring payment), look one up, capture
 * and void it. Thin on purpose; signing, verification, errors and retries all live in the
 * request sender.
 *
 * A declined card is not an exception. The gateway accepts the request (ret_code 000000) and
 * answers an Order with `status: 'FAILURE'` and a decline `error_code`, because the order now
 * exists under that trans_id; callers branch on `status`, and only refusals (nothing created
 * or changed) throw OpenKKAApiError.
 */
import type { RequestSender } from '../client.ts';
import type {
  CaptureParams,
  FirstRecurringParams,
  Order,
  PaymentCreateParams,
  PaymentQueryParams,
  PaymentQueryResult,
  Protocol,
  SubsequentRecurringParams,
  UnpaidSession,
  VoidParams,
} from '../types.ts';

/**
 * True when a v3 `payments.query` found a checkout session with no payment yet
 * (`error_code` `4032`) rather than an order: it has no `order_id`.
 */
export function isUnpaidSession(result: Order | UnpaidSession): result is UnpaidSession {
  return result.error_code === '4032' && !('order_id' in result);
}

/** `P` is the client's protocol: it decides what `query` may resolve with. */
export class Payments<P extends Protocol = 'v1.2'> {
  constructor(private readonly sender: RequestSender) {}

  /** Safe to repeat with the same trans_id: the gateway returns the existing order, charging once. */
  create(params: PaymentCreateParams): Promise<Order> {
    return this.sender.post<Order>('/payments', params);
  }

  /**
   * The first payment of a subscription (CIT, the shopper present): charges the card, stores it
   * and opens a recurring agreement. When approved, the order carries `token` and
   * `recurring_agreement_id`; keep both for the renewals. Nothing is stored after a decline.
   */
  createFirstRecurring(params: FirstRecurringParams): Promise<Order> {
    const { payment, ...rest } = params;
    return this.create({
      ...rest,
      payment_type: 'RECURRING',
      mit: false,
      payment: {
        ...payment,
        payment_method: 'BANKCARD',
        store_payment_method: true,
        token_usage: 'SUBSCRIPTION',
      },
    });
  }

  /**
   * A renewal (MIT, the shopper absent): charges the agreement's token. A broken rule is not
   * an exception but a FAILURE order, like a decline: `error_code` 2015 for an unknown
   * agreement, 2016 for a cancelled one, 5010 for a token that is removed or not the
   * agreement's. Safe to repeat with the same trans_id.
   */
  createSubsequentRecurring(params: SubsequentRecurringParams): Promise<Order> {
    const { trans_id, amount, currency, recurring_agreement_id, token, shopper_reference, notify_url } =
      params;
    return this.create({
      trans_id,
      payment_type: 'RECURRING',
      mit: true,
      currency,
      amount,
      ...(notify_url === undefined ? {} : { notify_url }),
      recurring_agreement_id,
      payment: { payment_method: 'BANKCARD', token, shopper_reference },
    });
  }

  /**
   * Looks an order up by one of trans_id, order_id or session_id. Over v1.2 a checkout session
   * with no payment yet is refused (`206024`); over v3 it resolves with an `UnpaidSession`
   * (`error_code` `4032`, `status` `PROCESSING`, `EXPIRED` or `CANCELED`), which
   * `isUnpaidSession` tells from an order.
   */
  query(params: PaymentQueryParams): Promise<PaymentQueryResult<P>> {
    return this.sender.post<PaymentQueryResult<P>>('/payments/query', params);
  }

  /**
   * Captures part or all of what an authorization still holds and resolves with the order
   * after the capture. A capture the order cannot take (nothing capturable, amount too high,
   * other currency) throws OpenKKAApiError with HTTP 409.
   *
   * A capture carries no idempotency key, so a repeat whose first attempt did arrive would
   * capture again. It is therefore retried only after HTTP 429; after a connection error or a
   * 5xx the error is thrown, and the caller should query the order before capturing again.
   */
  capture(params: CaptureParams): Promise<Order> {
    return this.sender.post<Order>('/payments/capture', params, { idempotent: false });
  }

  /**
   * Releases everything still capturable and resolves with the order after the void. Retried
   * like a capture, only after HTTP 429: a repeat of a void that did arrive would be refused
   * (nothing left to void), which would hide that the first attempt worked.
   */
  void(params: VoidParams): Promise<Order> {
    return this.sender.post<Order>('/payments/void', params, { idempotent: false });
  }
}
