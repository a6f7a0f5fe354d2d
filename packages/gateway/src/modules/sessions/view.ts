/** The checkout session object as /payments/session and /payments/session/query return it. */
import type {
  AuthorisationType,
  CaptureMethod,
  CheckoutSession,
  PaymentType,
  SessionMode,
  TokenUsage,
} from '@openkka/sdk';
import { withOrderDetails } from '../../core/orders/view.ts';
import { formatTime } from '../../domain/time.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import type { SessionState } from './service.ts';

/** The SDK's CheckoutSession less the envelope's timestamp, so the two cannot drift apart. */
export type SessionView = Omit<CheckoutSession, 'timestamp'>;

export function sessionView({ session, order }: SessionState, zone: TimeZone): SessionView {
  const view: SessionView = {
    merchant_id: session.merchant_id,
    trans_id: session.trans_id,
    session_id: session.session_id,
    session_url: session.session_url,
    // The columns are text; the schema let only these values in.
    session_mode: session.session_mode as SessionMode,
    status: session.status,
    payment_type: session.payment_type as PaymentType,
    authorisation_type: session.authorisation_type as AuthorisationType,
    capture_method: session.capture_method as CaptureMethod,
    amount: session.amount,
    currency: session.currency,
    expire_time: formatTime(session.expire_at, zone),
    return_url: session.return_url,
    allowed_payment_methods: session.allowed_payment_methods,
  };
  if (session.cancel_url !== null) view.cancel_url = session.cancel_url;
  if (session.display_locale !== null) view.display_locale = session.display_locale;
  if (session.display_merchant_name !== null) view.display_merchant_name = session.display_merchant_name;
  if (session.shopper_reference !== null) view.shopper_reference = session.shopper_reference;
  if (session.store_payment_method === 1) {
    view.payment = { store_payment_method: true, token_usage: session.token_usage as TokenUsage };
  }
  if (order) {
    view.order_id = order.order_id;
    view.order_status = order.status;
    view.payment_method = order.payment_method;
  }
  return withOrderDetails(view, session.order_details);
}
