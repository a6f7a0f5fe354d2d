/**
 * What the card frame is told after a payment attempt, as JSON. It is the hosted page's
 * outcome (checkout.ts) without the page: a next page to visit (3-D Secure, a bank page), the
 * payment's result with the shop's return URL, the fields to correct, or a closed session.
 * Nothing of the card is ever in it.
 */
import { paymentReturnUrl } from '../../domain/back-to-shop.ts';
import type { Locale } from '../../domain/locale.ts';
import { type CheckoutOutcome, pendingStep } from '../../modules/sessions/checkout.ts';

export type FrameOutcome =
  | { result: 'action'; url: string }
  | {
      result: 'done';
      payment: {
        session_id: string;
        trans_id: string;
        order_id: string;
        status: string;
        payment_method: string;
        error_code: string;
        error_description: string;
        return_url: string;
      };
    }
  | { result: 'invalid'; errors: Record<string, string> }
  | { result: 'closed'; status: string };

export function frameOutcome(outcome: CheckoutOutcome, locale: Locale): FrameOutcome {
  if (outcome.kind === 'invalid') return { result: 'invalid', errors: outcome.errors };
  if (outcome.kind === 'closed') {
    const { status } = outcome.state.session;
    // OPEN yet closed: the merchant was disabled, or the trans_id was paid elsewhere.
    return { result: 'closed', status: status === 'OPEN' ? 'UNAVAILABLE' : status };
  }
  const { order } = outcome;
  const next = pendingStep(order, locale);
  if (next) return { result: 'action', url: next };
  return {
    result: 'done',
    payment: {
      session_id: order.session_id ?? '',
      trans_id: order.trans_id,
      order_id: order.order_id,
      status: order.status,
      payment_method: order.payment_method,
      error_code: order.error_code,
      error_description: order.error_description,
      return_url: paymentReturnUrl(order),
    },
  };
}
