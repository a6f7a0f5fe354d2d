/**
 * What the gateway needs from a card acquirer. The built-in simulator implements it; a real
 * connector would too. Calls may hang or fail: the payment service bounds them with a timeout
 * and treats "no answer" as an unknown outcome, never as a decline.
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

export interface Acquirer {
  /** Resolves with the issuer's answer; rejects (or is aborted) when there is none. */
  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult>;
}
