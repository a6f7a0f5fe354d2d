/**
 * An operation of the API as every wire serves it: a verified body in, the answer's data out.
 * A protocol owns paths, headers, signatures and the envelope; what an operation does with a
 * request (parse, call a service, shape the answer) is written once, here, so v1.2 and v3
 * cannot drift apart.
 */
import type { MerchantRow } from '../core/merchants/repo.ts';
import type { Wire } from '../domain/wire.ts';

/** What a protocol hands an operation once the request is authenticated. */
export interface OperationCall {
  merchant: MerchantRow;
  /** The parsed JSON body, verified against the merchant's signature. */
  body: Record<string, unknown>;
  /** The wire the request came in on: an order or session remembers it for its notifications. */
  wire: Wire;
  /** The request's id (X-Request-ID): the notifications of the events it causes carry it. */
  requestId: string;
  /** Where shoppers reach this gateway (computed only by the operations that hand out URLs). */
  publicUrl: () => string;
}

/** The answer's `data`: an object, a list, a string (Apple Pay's session), or nothing. */
export type OperationData = Record<string, unknown> | unknown[] | string | undefined;

export interface Operation {
  /** Answers from reads only (served from a durable snapshot: http/durable-reads.ts). */
  read: boolean;
  run(call: OperationCall): Promise<OperationData>;
}
