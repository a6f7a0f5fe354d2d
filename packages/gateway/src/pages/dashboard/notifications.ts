/**
 * GET /dashboard/notifications: the failed and pending notifications of every merchant;
 * POST /dashboard/notifications/:id/redeliver queues one again (NotificationService) and wakes
 * the dispatcher, then returns to the page the button was on.
 */
import type { FastifyInstance } from 'fastify';
import { NotificationNotFound, type NotificationService } from '../../modules/notifications/service.ts';
import { seeOther } from '../layout.ts';
import { errorPage } from './error-page.ts';
import { notificationsTable } from './notifications-table.ts';
import { authorized, type Guard } from './session.ts';
import { BASE, sendDashboard, shell, t } from './shell.ts';
import { textOf } from './text.ts';

export interface NotificationPagesDeps extends Guard {
  notifications: NotificationService;
  /** Wakes the dispatcher so a redelivery goes out at once. */
  onRedeliver: () => void;
}

/** How many of each state the page lists, newest first. */
const SHOWN = 200;

export function notificationRoutes(app: FastifyInstance, deps: NotificationPagesDeps): void {
  app.get(`${BASE}/notifications`, async (request, reply) => {
    const ok = await authorized(deps, request, reply);
    if (!ok) return reply;
    const { view } = ok;
    const [failed, pending] = await Promise.all([
      deps.notifications.list({ status: 'FAILED', limit: SHOWN }),
      deps.notifications.list({ status: 'PENDING', limit: SHOWN }),
    ]);
    const section = (key: Parameters<typeof t>[1], id: string, rows: typeof failed) =>
      `<section id="${id}"><h2>${t(view, key)} (${rows.length})</h2>${notificationsTable(view, rows, { orderColumn: true })}</section>`;
    return sendDashboard(
      reply,
      200,
      shell(view, {
        title: textOf(view.locale, 'notifications.title'),
        body:
          section('notifications.failing', 'failed', failed) +
          section('notifications.pending', 'pending', pending),
      }),
    );
  });

  app.post(`${BASE}/notifications/:id/redeliver`, async (request, reply) => {
    const ok = await authorized(deps, request, reply);
    if (!ok) return reply;
    const { id } = request.params as { id: string };
    try {
      await deps.notifications.redeliver(id);
    } catch (err) {
      if (err instanceof NotificationNotFound)
        return sendDashboard(reply, 404, errorPage(ok.view.locale, 'error.missing'));
      throw err;
    }
    deps.onRedeliver();
    const back = ok.view.here;
    return seeOther(reply, `${back}${back.includes('?') ? '&' : '?'}done=redelivered`);
  });
}
