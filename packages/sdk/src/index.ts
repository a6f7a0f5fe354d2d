/**
 * @openkka/sdk: a typed client for the PayKKa Payments API v1.2, served by openkka or PayKKa.
 * `new OpenKKA({...}).payments.create(...)`, `.refunds.create(...)`, `.tokens.query(...)`,
 * `.recurring.cancel(...)`, `.sessions.create(...)`, `.webhooks.verify(...)`; errors, wire types, the signing helpers,
 * `verifyWebhook` and the card-encryption helpers (`fetchGatewayKey`, `encryptCard`) are
 * re-exported so integrations need one import.
 */
import { RequestSender, type RequestSenderOptions } from './client.ts';
import { Payments } from './resources/payments.ts';
import { Recurring } from './resources/recurring.ts';
import { Refunds } from './resources/refunds.ts';
import { Sessions } from './resources/sessions.ts';
import { Tokens } from './resources/tokens.ts';
import { Webhooks } from './webhooks.ts';

export type OpenKKAOptions = RequestSenderOptions;

export class OpenKKA {
  readonly payments: Payments;
  readonly refunds: Refunds;
  /** Hosted checkout sessions: create, query. */
  readonly sessions: Sessions;
  /** A shopper's stored cards: list and remove. */
  readonly tokens: Tokens;
  /** Recurring agreements: cancel. */
  readonly recurring: Recurring;
  /** Verifies notifications sent to `notify_url`, with `platformPublicKey` and for `merchantId`. */
  readonly webhooks: Webhooks;

  constructor(options: OpenKKAOptions) {
    const sender = new RequestSender(options);
    this.payments = new Payments(sender);
    this.refunds = new Refunds(sender);
    this.sessions = new Sessions(sender);
    this.tokens = new Tokens(sender);
    this.recurring = new Recurring(sender);
    this.webhooks = new Webhooks(options.platformPublicKey, {
      merchantId: options.merchantId,
      ...(options.now ? { now: options.now } : {}),
    });
  }
}

export {
  CARD_FIELD_NAMES,
  type CardFieldName,
  type CardToEncrypt,
  type EncryptCardOptions,
  type EncryptedCardFields,
  encryptCard,
  type FetchGatewayKeyOptions,
  fetchGatewayKey,
  type GatewayKeyCurve,
  type GatewayPublicKey,
  type P256GatewayKey,
  type X25519GatewayKey,
} from './card-encryption.ts';
export { type PostOptions, RequestSender, type RequestSenderOptions, retryDelayMs } from './client.ts';
export * from './errors.ts';
export { Payments } from './resources/payments.ts';
export { Recurring } from './resources/recurring.ts';
export { Refunds } from './resources/refunds.ts';
export { Sessions } from './resources/sessions.ts';
export { Tokens } from './resources/tokens.ts';
export * from './signing.ts';
export type * from './types.ts';
export {
  isRefundNotification,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
  Webhooks,
} from './webhooks.ts';
