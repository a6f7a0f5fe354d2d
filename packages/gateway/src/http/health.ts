/**
 * Health for load balancers and orchestrators: `/healthz` says the process answers (liveness),
 * `/readyz` that it should be sent requests (readiness): the store answers within a second, its
 * migrations are all applied, and the process is not draining. On SIGTERM the process turns
 * not ready first and keeps serving for OPENKKA_SHUTDOWN_DELAY (server.ts), so a balancer that
 * probes /readyz stops sending before the listener closes. Neither route is signed or
 * authenticated: they say nothing but up or down, and the store's error stays in the log.
 */

import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Store } from '../store/db.ts';
import { migrations } from '../store/migrations/index.ts';

/** How long the store may take to answer a readiness probe before it counts as down. */
const STORE_PROBE_TIMEOUT_MS = 1_000;

/** Whether this process is draining: set once, on the first SIGTERM/SIGINT. */
export class Readiness {
  private drainingSince: number | undefined;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  drain(now = Date.now()): void {
    this.drainingSince ??= now;
  }
}

type Check = { ok: true } | { ok: false; reason: string };

export function registerHealth(app: FastifyInstance, deps: { store: Store; readiness: Readiness }): void {
  const { store, readiness } = deps;
  const expected = Object.keys(migrations).length;

  const storeReady = async (): Promise<Check> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Check>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, reason: 'store did not answer within 1 s' }),
        STORE_PROBE_TIMEOUT_MS,
      );
    });
    const probe = (async (): Promise<Check> => {
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from kysely_migration`.execute(
        store.reader,
      );
      const applied = Number(rows[0]?.n ?? 0);
      return applied >= expected
        ? { ok: true }
        : { ok: false, reason: `${applied} of ${expected} migrations applied` };
    })().catch((err: unknown) => {
      app.log.warn({ err }, 'readiness: the store did not answer');
      return { ok: false as const, reason: 'store unreachable' };
    });
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  app.get('/healthz', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );

  app.get('/readyz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    if (readiness.draining) return reply.code(503).send({ status: 'draining' });
    const check = await storeReady();
    if (!check.ok) return reply.code(503).send({ status: 'unready', reason: check.reason });
    return reply.send({ status: 'ready' });
  });
}
