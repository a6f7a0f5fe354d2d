/** Refunds still PROCESSING: ask the acquirer again when due, and settle what it answers. */

import type { OrderRepo } from '../core/orders/repo.ts';
import type { Clock } from '../domain/clock.ts';
import type { RefundRepo } from '../modules/refunds/repo.ts';
import type { RefundService } from '../modules/refunds/service.ts';

export async function settleDueRefunds(
  deps: {
    refunds: RefundRepo;
    orders: OrderRepo;
    refundService: RefundService;
    clock: Clock;
    settings: { acquirerTimeoutMs: number };
  },
  batch = 50,
): Promise<number> {
  const due = await deps.refunds.due(deps.clock.now(), batch);
  let settled = 0;
  for (const refund of due) {
    // Asked again after another timeout unless the acquirer answers (PENDING sets its own time).
    if (!(await deps.refunds.claim(refund, deps.clock.now() + deps.settings.acquirerTimeoutMs))) continue;
    const order = await deps.orders.byOrderId(refund.merchant_id, refund.order_id);
    const after = await deps.refundService.submit(refund, order?.acquirer_ref ?? '');
    if (after.status !== 'PROCESSING') settled++;
  }
  return settled;
}
