/**
 * Answers built from reads outside a transaction leave only once what they read is on disk.
 * On SQLite a reader sees a group commit before its WAL sync has finished (store/group-commit.ts);
 * a query answered in that moment, and then a crash, would have told the merchant of a state
 * the store no longer has. Routes that answer from such reads declare
 * `config: { answersFromReads: true }`, and their answer waits for Store.durable(): at most the
 * one sync in flight. Routes that write are answered after their own commit's sync already.
 */
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    answersFromReads?: boolean;
  }
}

export const ANSWERS_FROM_READS = { config: { answersFromReads: true } } as const;

export function registerDurableReads(app: FastifyInstance, durable: () => Promise<void>): void {
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.routeOptions.config?.answersFromReads) await durable();
    return payload;
  });
}
