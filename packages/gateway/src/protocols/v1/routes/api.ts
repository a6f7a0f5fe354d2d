/**
 * The API's operations at their v1.2 paths (index.ts serves each under /apis too): the
 * operation does the work (operations/), this wire adds the envelope and its signature.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../../domain/clock.ts';
import { ANSWERS_FROM_READS } from '../../../http/durable-reads.ts';
import { publicUrl } from '../../../http/public-url.ts';
import type { OperationName, Operations } from '../../../operations/index.ts';
import { sendOk } from '../envelope.ts';

export const API_ROUTES: Readonly<Record<string, OperationName>> = {
  '/payments': 'pay',
  '/payments/query': 'queryPayment',
  '/payments/capture': 'capture',
  '/payments/void': 'void',
  '/payments/refund': 'refund',
  '/payments/refund/query': 'queryRefund',
  '/payments/token/query': 'queryTokens',
  '/payments/token/remove': 'removeToken',
  '/payments/recurring/cancel': 'cancelRecurring',
  '/payments/apple-pay/create-session': 'appleSession',
  '/payments/session': 'createSession',
  '/payments/session/query': 'querySession',
  // The checkout session create again, where PayKKa's v1.2 plugin sends it (/apis/session).
  '/session': 'createSession',
};

export function apiRoutes(
  app: FastifyInstance,
  deps: { operations: Operations; clock: Clock; publicUrl: string | undefined },
): void {
  for (const [path, name] of Object.entries(API_ROUTES)) {
    const operation = deps.operations[name];
    app.post(path, operation.read ? ANSWERS_FROM_READS : {}, async (request, reply) => {
      const auth = request.auth!;
      const data = await operation.run({
        merchant: auth.merchant,
        body: auth.body,
        wire: 'v1.2',
        requestId: request.id,
        publicUrl: () => publicUrl(request, deps.publicUrl),
      });
      return sendOk(reply, deps.clock, data);
    });
  }
}
