/**
 * @openkka/sdk: a typed client for the PayKKa Payments API v1.2, served by openkka or PayKKa.
 * `new OpenKKA({...}).payments.create(...)`; errors, wire types and the signing helpers are
 * re-exported so integrations need one import.
 */
import { RequestSender, type RequestSenderOptions } from './client.ts';
import { Payments } from './resources/payments.ts';

export type OpenKKAOptions = RequestSenderOptions;

export class OpenKKA {
  readonly payments: Payments;

  constructor(options: OpenKKAOptions) {
    const sender = new RequestSender(options);
    this.payments = new Payments(sender);
  }
}

export { RequestSender, type RequestSenderOptions, retryDelayMs } from './client.ts';
export * from './errors.ts';
export { Payments } from './resources/payments.ts';
export * from './signing.ts';
export type * from './types.ts';
