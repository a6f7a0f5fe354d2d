/**
 * @openkka/sdk: a typed client for the PayKKa Payments API v1.2, served by openkka or PayKKa.
 * `new OpenKKA({...}).payments.create(...)`, `.refunds.create(...)`; errors, wire types and the
 * signing helpers are re-exported so integrations need one import.
 */
import { RequestSender, type RequestSenderOptions } from './client.ts';
import { Payments } from './resources/payments.ts';
import { Refunds } from './resources/refunds.ts';

export type OpenKKAOptions = RequestSenderOptions;

export class OpenKKA {
  readonly payments: Payments;
  readonly refunds: Refunds;

  constructor(options: OpenKKAOptions) {
    const sender = new RequestSender(options);
    this.payments = new Payments(sender);
    this.refunds = new Refunds(sender);
  }
}

export { type PostOptions, RequestSender, type RequestSenderOptions, retryDelayMs } from './client.ts';
export * from './errors.ts';
export { Payments } from './resources/payments.ts';
export { Refunds } from './resources/refunds.ts';
export * from './signing.ts';
export type * from './types.ts';
