/**
 * The API's operations at their v3 paths, under /v3/payment/acq (index.ts). PayKKa publishes the
 * four paths its WooCommerce plugin calls (session, query, refund, refund/query); the others are
 * openkka's own, named after their v1.2 paths (docs/api.md#v3), so one protocol is enough for a
 * whole integration. The query and the refund answer a little differently on this wire:
 * query.ts and refund.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANSWERS_FROM_READS } from '../../../http/durable-reads.ts';
import { publicUrl } from '../../../http/public-url.ts';
import type { OperationCall, OperationName, Operations } from '../../../operations/index.ts';
import { sendOk } from '../envelope.ts';

/** Paths below /v3/payment/acq. */
export const V3_ROUTES: Readonly<Record<string, OperationName>> = {
  '/pay': 'pay',
  '/session': 'createSession',
  '/session/query': 'querySession',
  '/capture': 'capture',
  '/void': 'void',
  '/refund/query': 'queryRefund',
  '/token/query': 'queryTokens',
  '/token/remove': 'removeToken',
  '/recurring/cancel': 'cancelRecurring',
  '/apple-pay/create-session': 'appleSession',
};

export type CallOf = (request: FastifyRequest) => OperationCall;

/** The call an operation gets from an authenticated v3 request. */
export function v3Call(configuredUrl: string | undefined): CallOf {
  return (request) => ({
    merchant: request.auth!.merchant,
    body: request.auth!.body,
    wire: 'v3',
    requestId: request.id,
    publicUrl: () => publicUrl(request, configuredUrl),
  });
}

export function apiRoutes(app: FastifyInstance, deps: { operations: Operations; callOf: CallOf }): void {
  for (const [path, name] of Object.entries(V3_ROUTES)) {
    const operation = deps.operations[name];
    app.post(path, operation.read ? ANSWERS_FROM_READS : {}, async (request, reply) =>
      sendOk(reply, await operation.run(deps.callOf(request))),
    );
  }
}
