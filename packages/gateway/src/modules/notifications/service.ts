/** What operators do with notifications: look at them, and send one again. */
import type { Clock } from '../../domain/clock.ts';
import type { NotificationStatus } from '../../store/schema.ts';
import { withoutCredentials } from './outbound/credentials.ts';
import type { AttemptRow, NotificationRepo, NotificationRow } from './repo.ts';

export const STATUS_FILTERS: Record<string, NotificationStatus> = {
  pending: 'PENDING',
  delivered: 'DELIVERED',
  failed: 'FAILED',
};

export class NotificationNotFound extends Error {}

export class NotificationService {
  constructor(
    private readonly repo: NotificationRepo,
    private readonly clock: Clock,
  ) {}

  list(filter: {
    status?: NotificationStatus;
    orderId?: string;
    limit?: number;
  }): Promise<NotificationRow[]> {
    return this.repo.list(filter);
  }

  async get(notifyId: string): Promise<NotificationRow & { attempt_log: AttemptRow[] }> {
    const row = await this.repo.get(notifyId);
    if (!row) throw new NotificationNotFound(`no notification ${notifyId}`);
    return { ...row, attempt_log: await this.repo.attempts(notifyId) };
  }

  async redeliver(notifyId: string): Promise<NotificationRow> {
    if (!(await this.repo.requeue(notifyId, this.clock.now()))) {
      throw new NotificationNotFound(`no notification ${notifyId}`);
    }
    return (await this.repo.get(notifyId))!;
  }
}

/**
 * The operator's view (admin API, CLI): the body parsed, so it reads as what the merchant
 * receives, and the URL without any `user:password@` a row stored before they were refused.
 */
export function notificationView(row: NotificationRow): Record<string, unknown> {
  return { ...row, url: withoutCredentials(row.url), body: JSON.parse(row.body) as unknown };
}
