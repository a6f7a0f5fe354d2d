/**
 * Answers built from reads outside a transaction leave only once what they read is on disk.
 * On SQLite a reader sees a group commit before its WAL sync has finished (store/group-commit.ts);
 * a query answered in that moment, and then a crash, would have told the merchant of a state
 * the store no longer has. Routes that answer from such reads declare
 * `config: { answersFromReads: true }`, and only their answer waits for Store.durable(): at most
 * the one sync in flight. Routes that write are answered after their own commit's sync already.
 */
import type { FastifyInstance, onSendHookHandler } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    answersFromReads?: boolean;
  }
}

export const ANSWERS_FROM_READS = { config: { answersFromReads: true } } as const;

/** Must be registered before the routes: it adds the wait to each declaring route as it is added. */
export function registerDurableReads(app: FastifyInstance, durable: () => Promise<void>): void {
  const waitForDisk: onSendHookHandler = async (_request, _reply, payload) => {
    await durable();
    return payload;
  };
  app.addHook('onRoute', (route) => {
    if (!route.config?.answersFromReads) return;
    const own = route.onSend ?? [];
    route.onSend = [...(Array.isArray(own) ? own : [own]), waitForDisk];
  });
}
