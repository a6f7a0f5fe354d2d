/**
 * The admin API for notifications, for operators: list, inspect, redeliver. It is served only
 * when OPENKKA_ADMIN_TOKEN is set, and every request must carry `Authorization: Bearer <token>`
 * (the scheme in any case, as RFC 9110 has it).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../../domain/clock.ts';
import { ApiError } from '../../../domain/errors.ts';
import {
  NotificationNotFound,
  type NotificationService,
  notificationView,
  STATUS_FILTERS,
} from '../../../modules/notifications/service.ts';
import { sendOk } from '../envelope.ts';

export interface AdminDeps {
  notifications: NotificationService;
  clock: Clock;
  token: string;
  /** Wakes the dispatcher so a redelivery goes out at once. */
  onRedeliver: () => void;
}

export function adminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const expected = digest(deps.token);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const given = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(String(request.headers.authorization ?? ''))?.[1];
    // Digests of equal length, compared in constant time: neither the token's bytes nor its
    // length can be learnt from how long a refusal takes.
    if (given === undefined || !timingSafeEqual(digest(given), expected))
      throw new ApiError('ADMIN_UNAUTHORIZED');
  });

  app.get('/admin/notifications', async (request, reply) => {
    const query = request.query as { status?: string; order_id?: string; limit?: string };
    const status = query.status === undefined ? undefined : STATUS_FILTERS[query.status.toLowerCase()];
    if (query.status !== undefined && !status) {
      throw new ApiError('INVALID_REQUEST', 'status must be one of pending, delivered, failed');
    }
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ApiError('INVALID_REQUEST', 'limit must be an integer from 1 to 1000');
    }
    const rows = await deps.notifications.list({ status, orderId: query.order_id, limit });
    return sendOk(reply, deps.clock, rows.map(notificationView));
  });

  app.get('/admin/notifications/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const row = await found(() => deps.notifications.get(id));
    return sendOk(reply, deps.clock, { ...notificationView(row), attempt_log: row.attempt_log });
  });

  app.post('/admin/notifications/:id/redeliver', async (request, reply) => {
    const { id } = request.params as { id: string };
    const row = await found(() => deps.notifications.redeliver(id));
    deps.onRedeliver();
    return sendOk(reply, deps.clock, notificationView(row));
  });
}

async function found<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NotificationNotFound) throw new ApiError('NOTIFICATION_NOT_FOUND');
    throw err;
  }
}

const digest = (token: string) => createHash('sha256').update(token).digest();
