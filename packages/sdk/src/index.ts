/**
 * @openkka/sdk: a typed client for the PayKKa Payments API, v1.2 or v3, served by openkka or PayKKa.
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
import type { Protocol } from './types.ts';
import { Webhooks } from './webhooks.ts';

/**
 * The client's options; `protocol` (`'v1.2'` unless given) also types what `payments.query`
 * answers. `OpenKKAOptions` alone means v1.2 options; write `OpenKKAOptions<'v3'>` for v3, or
 * `OpenKKAOptions<Protocol>` for options that may name either.
 */
export interface OpenKKAOptions<P extends Protocol = 'v1.2'> extends RequestSenderOptions {
  protocol?: P;
}

/**
 * A client of one merchant. `P` is the protocol it speaks, inferred from `options.protocol`
 * (`'v1.2'` when absent): `new OpenKKA({ protocol: 'v3', … })` is an `OpenKKA<'v3'>`.
 */
export class OpenKKA<P extends Protocol = 'v1.2'> {
  /** The wire every request goes over: `'v1.2'` or `'v3'`. */
  readonly protocol: P;
  readonly payments: Payments<P>;
  readonly refunds: Refunds;
  /** Hosted checkout sessions: create, query. */
  readonly sessions: Sessions;
  /** A shopper's stored cards: list and remove. */
  readonly tokens: Tokens;
  /** Recurring agreements: cancel. */
  readonly recurring: Recurring;
  /**
   * Verifies notifications sent to `notify_url`, with `platformPublicKey` and for `merchantId`,
   * signed the v1.2 or the v3 way (pass `{ path }` for v3).
   */
  readonly webhooks: Webhooks;

  constructor(options: OpenKKAOptions<P>) {
    const sender = new RequestSender(options);
    this.protocol = sender.protocol as P;
    this.payments = new Payments<P>(sender);
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
  type CardEncryptionLayout,
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
export {
  type PostOptions,
  RequestSender,
  type RequestSenderOptions,
  retryDelayMs,
  V3_PATHS,
} from './client.ts';
export * from './errors.ts';
export { isUnpaidSession, Payments } from './resources/payments.ts';
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
  webhookProtocol,
} from './webhooks.ts';
