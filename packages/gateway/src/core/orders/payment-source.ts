/**
 * Where a payment's money comes from, as the payment service sees it. The types live in the
 * core because several features produce them (client-side encryption, wallets, stored cards)
 * and the payment service consumes them without importing those features.
 */
import type { BusinessCodeName } from '../../domain/errors.ts';

/** A card as typed (or once decrypted): the CVV stays in memory only. */
export interface PlainCard {
  pan: string;
  expMonth: number;
  expYear: number;
  cvv: string | undefined;
}

/** The encrypted card fields of a request, as sent (cvv may be left out, like the plain cvv). */
export interface EncryptedCardFields {
  card_no: string;
  exp_month: string;
  exp_year: string;
  cvv: string | undefined;
}

/** A wallet's decrypted payment data (Apple Pay, Google Pay): a device PAN with its cryptogram. */
export interface WalletCard {
  pan: string;
  expMonth: number;
  expYear: number;
  cryptogram: string;
  eci: string;
}

/** Google Pay's token as Google sends it (the wallet module checks and opens it). */
export interface RawGooglePayToken {
  signature: string;
  intermediateSigningKey: { signedKey: string; signatures: string[] };
  signedMessage: string;
}

/** A card or token that could not be opened: the order fails with `reason`. */
export interface UnreadableSource {
  kind: 'unreadable';
  reason: BusinessCodeName;
  /**
   * The card number when it was read but may not be used (an expired blob): its keyed
   * fingerprint keeps a replay of an order paid with it idempotent. Never shown.
   */
  pan: string | undefined;
}

/** What opening encrypted card fields gives. */
export type OpenedCard = ({ kind: 'card' } & PlainCard) | UnreadableSource;

/** What opening a raw Google Pay token gives. */
export type OpenedGooglePay =
  | ({ kind: 'card' } & PlainCard & { cvv: undefined })
  | ({ kind: 'wallet'; cvv: undefined } & WalletCard)
  | UnreadableSource;

/**
 * Where the money comes from: a typed-in card, a stored card (token), a wallet's decrypted card
 * (Apple Pay, Google Pay), or the shopper's bank or wallet app (redirect methods and SEPA),
 * which needs no card at all. A card encrypted in the shopper's browser arrives as `encrypted`,
 * Google's raw token as `googlePay`; both are opened before anything else
 * (PaymentService.create): into a `card` or `wallet`, or `unreadable`.
 */
export type PaymentSource =
  | ({ kind: 'card' } & PlainCard)
  | { kind: 'encrypted'; fields: EncryptedCardFields }
  | UnreadableSource
  | { kind: 'token'; token: string; cvv: string | undefined }
  | ({ kind: 'wallet'; cvv: undefined } & WalletCard)
  | { kind: 'googlePay'; token: RawGooglePayToken }
  | { kind: 'redirect' };
