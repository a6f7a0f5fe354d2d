/**
 * Turns a raw Google Pay token into what a payment charges, in Google's documented order:
 * signature chain (signature-chain.ts), then decryption with openkka's recipient key
 * (ecies.ts), then the message's expiry, then replay protection (used-messages.ts).
 *
 * CRYPTOGRAM_3DS tokens become wallet payments (authenticated on the device, never challenged);
 * PAN_ONLY tokens carry a plain card and pay like a typed one, through 3-D Secure when the card
 * asks for it. A token that cannot be used is a business outcome with its own code, never an
 * exception: the order is stored in FAILURE, as for encrypted card fields.
 */
import type { OpenedGooglePay, RawGooglePayToken } from '../../../core/orders/payment-source.ts';
import type { Clock } from '../../../domain/clock.ts';
import type { BusinessCodeName } from '../../../domain/errors.ts';
import { open, readSignedMessage } from './ecies.ts';
import { readPaymentMessage } from './payment-message.ts';
import { GOOGLE_PAY_RECIPIENT_IDS } from './recipient.ts';
import { checkSignatureChain } from './signature-chain.ts';
import type { GooglePayKeys } from './stored-keys.ts';
import type { UsedGooglePayMessages } from './used-messages.ts';

/** A refusal with its business code (the other outcomes: a PAN_ONLY card, a CRYPTOGRAM_3DS wallet card). */
const refused = (reason: BusinessCodeName, pan?: string): OpenedGooglePay => ({
  kind: 'unreadable',
  reason,
  pan,
});

export class GooglePayTokens {
  constructor(
    private readonly keys: GooglePayKeys,
    private readonly used: UsedGooglePayMessages,
    private readonly clock: Clock,
  ) {}

  /**
   * `payment.replay`: an order already holds this trans_id, so the request pays nothing new
   * (it answers that order, or is refused with 300001) and the token is read without being
   * claimed; the order's card fingerprint decides whether it is the same payment.
   */
  async open(
    token: RawGooglePayToken,
    payment: { merchantId: string; transId: string; replay?: boolean },
  ): Promise<OpenedGooglePay> {
    const now = this.clock.now();
    const chain = checkSignatureChain(token, await this.keys.roots(), GOOGLE_PAY_RECIPIENT_IDS, now);
    if (!chain.ok) return refused(chain.reason);

    const sealed = readSignedMessage(token.signedMessage);
    if (!sealed) return refused('GOOGLE_PAY_PAYMENT_DATA_INVALID');
    const plaintext = open(await this.keys.recipient(), sealed);
    if (!plaintext) return refused('GOOGLE_PAY_DECRYPTION_FAILED');
    const message = readPaymentMessage(plaintext);
    if (!message) return refused('GOOGLE_PAY_PAYMENT_DATA_INVALID');

    const { card } = message;
    if (now >= message.expiresAt) return refused('GOOGLE_PAY_MESSAGE_EXPIRED', card.pan);
    if (!payment.replay && !(await this.used.claim(message, payment, now)))
      return refused('GOOGLE_PAY_TOKEN_ALREADY_USED', card.pan);

    const plain = { pan: card.pan, expMonth: card.expMonth, expYear: card.expYear, cvv: undefined };
    return card.authMethod === 'PAN_ONLY'
      ? { kind: 'card', ...plain }
      : { kind: 'wallet', ...plain, cryptogram: card.cryptogram, eci: card.eci };
  }
}
