/**
 * What the gateway needs from a card acquirer. The built-in simulator implements it; a real
 * connector would too. Calls may hang or fail: the services bound them with a timeout and
 * treat "no answer" as an unknown outcome, never as a decline.
 */
import type { CardBrand } from '../domain/card.ts';
import type { BusinessCodeName } from '../domain/errors.ts';

export interface AuthorizeRequest {
  orderId: string;
  merchantId: string;
  amount: number;
  currency: string;
  card: { pan: string; expMonth: number; expYear: number; cvv?: string | undefined; brand: CardBrand };
  /** PRE_AUTH may be held longer by the issuer; FINAL_AUTH is for a known amount. */
  authorisationType: 'FINAL_AUTH' | 'PRE_AUTH';
}

export type AuthorizeResult =
  | { outcome: 'APPROVED'; acquirerRef: string }
  | { outcome: 'DECLINED'; reason: BusinessCodeName; acquirerRef: string };

export interface RefundRequest {
  refundId: string;
  /** The acquirer's reference of the authorization being refunded. */
  paymentRef: string;
  amount: number;
  currency: string;
  /** When the refund was first asked for (epoch ms). */
  requestedAt: number;
}

export type RefundResult =
  | { status: 'SUCCESS' | 'FAILURE'; acquirerRef: string }
  /** Still being processed: ask again (refundOutcome) after `retryAfterMs`. */
  | { status: 'PENDING'; acquirerRef: string; retryAfterMs: number };

export interface Acquirer {
  /** Resolves with the issuer's answer; rejects (or is aborted) when there is none. */
  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult>;
  /**
   * Optional capability of an acquirer that lives in this process and keeps no state (the
   * simulator): the answer at once, or null when it would have to wait (then `authorize` is
   * asked, after the intent is recorded). An answer given here moved nothing anywhere else, so
   * the payment is stored once, with its outcome, in one transaction: should the process die
   * before that commit, nothing happened and no intent is needed to reconcile (decisions.md).
   * An acquirer across a network must not implement it.
   */
  answerInProcess?(request: AuthorizeRequest): AuthorizeResult | null;
  /**
   * What became of an authorization whose answer never arrived (timeout, crash). Resolves
   * 'UNKNOWN' while the acquirer cannot tell yet. The CVV is not sent: it is not kept.
   */
  authorizationOutcome(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult | 'UNKNOWN'>;
  /** Whether the issuer wants the shopper to complete a 3-D Secure challenge for this card. */
  challengeRequired(pan: string): boolean;
  /** Submits a refund; idempotent by refundId, so a resubmission after a crash is safe. */
  refund(request: RefundRequest, signal: AbortSignal): Promise<RefundResult>;
  /**
   * Like `answerInProcess`, for refunds: the answer at once, or null when it would have to
   * wait. Asked under the order's lock once the refund fits the balance, so the refund is
   * reserved and settled in one write: should the process die before that commit, nothing
   * happened anywhere and no PROCESSING refund is needed for the refund job. An acquirer across
   * a network must not implement it.
   */
  refundInProcess?(request: RefundRequest): RefundResult | null;
}
