/** `openkka notifications list | show | redeliver`: the operator's view of the outbox. */
import type { Command } from 'commander';
import { systemClock } from '../domain/clock.ts';
import { NotificationRepo } from '../modules/notifications/repo.ts';
import { NotificationService, notificationView, STATUS_FILTERS } from '../modules/notifications/service.ts';
import type { Runtime } from '../runtime.ts';
import { output, withRuntime } from './context.ts';

const service = (rt: Runtime) => new NotificationService(new NotificationRepo(rt.store), systemClock);

export function registerNotificationCommands(program: Command): void {
  const notifications = program
    .command('notifications')
    .description('Inspect and redeliver merchant notifications');

  notifications
    .command('list')
    .description('List notifications, newest first')
    .option('--status <status>', 'pending | delivered | failed')
    .option('--order <orderId>', 'only this order')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print one JSON object')
    .action((opts: { status?: string; order?: string; limit: string; json?: boolean }) =>
      withRuntime(async (rt) => {
        const status = opts.status === undefined ? undefined : STATUS_FILTERS[opts.status.toLowerCase()];
        if (opts.status !== undefined && !status)
          throw new Error('--status must be pending, delivered or failed');
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit must be a positive integer');
        const rows = await service(rt).list({ status, orderId: opts.order, limit });
        const lines = rows.map(
          (n) =>
            `${n.notify_id}  ${n.status.padEnd(9)}  ${n.notify_type.padEnd(21)}  ${n.order_id}  attempts=${n.attempts}` +
            (n.last_error ? `  last_error=${n.last_error}` : ''),
        );
        output(
          opts.json,
          { notifications: rows.map(notificationView) },
          lines.join('\n') || '(no notifications)',
        );
      }),
    );

  notifications
    .command('show <notifyId>')
    .description('Show one notification with every delivery attempt')
    .action((notifyId: string) =>
      withRuntime(async (rt) => {
        const row = await service(rt).get(notifyId);
        process.stdout.write(
          `${JSON.stringify({ ...notificationView(row), attempt_log: row.attempt_log }, null, 2)}\n`,
        );
      }),
    );

  notifications
    .command('redeliver <notifyId>')
    .description('Send a notification again now (a running gateway picks it up within a second)')
    .action((notifyId: string) =>
      withRuntime(async (rt) => {
        const row = await service(rt).redeliver(notifyId);
        process.stdout.write(`${row.notify_id} queued for delivery\n`);
      }),
    );
}
