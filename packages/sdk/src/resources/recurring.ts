/**
 * Recurring agreements. An agreement is opened by a first recurring payment
 * (`payments.createFirstRecurring`) and charged by renewals (`payments.createSubsequentRecurring`);
 * cancelling it makes every later renewal fail with `error_code` 2016.
 */
import type { RequestSender } from '../client.ts';
import type { RecurringCancelParams } from '../types.ts';

export class Recurring {
  constructor(private readonly sender: RequestSender) {}

  /**
   * Makes the agreement inactive. An agreement that does not exist for this shopper, or is
   * already cancelled, throws OpenKKAApiError `300031`. The agreement's token stays stored:
   * remove it with `tokens.remove` if the card should go too.
   *
   * Retried only after HTTP 429, for the same reason as `tokens.remove`: a repeat of a
   * cancellation that did arrive would answer `300031`.
   */
  async cancel(params: RecurringCancelParams): Promise<void> {
    await this.sender.post<undefined>('/payments/recurring/cancel', params, { idempotent: false });
  }
}
