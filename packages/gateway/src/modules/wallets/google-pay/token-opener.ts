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
import { createECDH, createPublicKey, type ECDH, type KeyObject } from 'node:crypto';
import type { Clock } from '../../../domain/clock.ts';
import type { BusinessCodeName } from '../../../domain/errors.ts';
import type { Store } from '../../../store/db.ts';
import { ensureGooglePayRecipientKey, ensureGooglePaySandboxRoot } from '../../../vault/google-pay-keys.ts';
import type { Vault } from '../../../vault/vault.ts';
import type { CardSource } from '../../payments/schemas.ts';
import { open, readSignedMessage } from './ecies.ts';
import { readPaymentMessage } from './payment-message.ts';
import { GOOGLE_PAY_RECIPIENT_IDS } from './recipient.ts';
import type { RootKey } from './root-keys.ts';
import { checkSignatureChain } from './signature-chain.ts';
import { PROTOCOL_VERSION } from './signed-bytes.ts';
import type { RawGooglePayToken } from './token-format.ts';
import type { UsedGooglePayMessages } from './used-messages.ts';

/** A card (PAN_ONLY), a wallet's card (CRYPTOGRAM_3DS), or a refusal with its business code. */
export type OpenedGooglePay = Extract<CardSource, { kind: 'card' | 'wallet' | 'unreadable' }>;

const refused = (reason: BusinessCodeName, pan?: string): OpenedGooglePay => ({
  kind: 'unreadable',
  reason,
  pan,
});

export interface GooglePayKeys {
  /** Google's root signing keys (OPENKKA_GOOGLE_PAY_ROOT_KEYS) or the sandbox root. */
  roots(): Promise<readonly RootKey[]>;
  /** ECDH with openkka's recipient private key. */
  recipient(): Promise<ECDH>;
}

export function ecdhOf(privateKey: KeyObject): ECDH {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
  return ecdh;
}

/** `make()` once, its promise shared; a failure is not kept, so the next call tries again. */
function memoized<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= make().catch((err) => {
      promise = undefined;
      throw err;
    });
    return promise;
  };
}

/** The keys as a gateway holds them: read (or made) once from the store, then kept in memory. */
export function storedGooglePayKeys(store: Store, vault: Vault, configuredRoots?: RootKey[]): GooglePayKeys {
  const sandboxRoots = memoized(async (): Promise<readonly RootKey[]> => {
    const root = await ensureGooglePaySandboxRoot(store, vault);
    return [{ publicKey: createPublicKey(root), protocolVersion: PROTOCOL_VERSION, expiresAt: undefined }];
  });
  return {
    roots: configuredRoots ? async () => configuredRoots : sandboxRoots,
    recipient: memoized(async () => ecdhOf(await ensureGooglePayRecipientKey(store, vault))),
  };
}

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
