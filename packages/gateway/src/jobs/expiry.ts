/**
 * Authorization expiry (docs/api.md#order-status-and-balances): when an authorization's validity lapses, whatever is still
 * capturable is released — CANCELED if nothing was captured, else PARTIALLY_REVERSED.
 */

import { amountColumns, amountsOf, stateOf } from '../core/orders/order-row.ts';
import type { OrderRepo } from '../core/orders/repo.ts';
import type { OrderWriter } from '../core/orders/writer.ts';
import type { Clock } from '../domain/clock.ts';
import { capturable, voidCapturable } from '../domain/order.ts';

export async function expireAuthorizations(
  deps: { orders: OrderRepo; writer: OrderWriter; clock: Clock },
  batch = 100,
): Promise<number> {
  const due = await deps.orders.dueForExpiry(deps.clock.now(), batch);
  let expired = 0;
  for (const orderId of due) {
    await deps.writer.mutate(null, orderId, async (row) => {
      // Re-checked under the lock: a capture or void may have come first.
      if (row.auth_expires_at === null || row.auth_expires_at > deps.clock.now()) return null;
      if (capturable(amountsOf(row)) === 0) return { changes: { auth_expires_at: null } };
      const next = voidCapturable(stateOf(row));
      expired++;
      return {
        changes: { status: next.status, ...amountColumns(next.amounts), auth_expires_at: null },
        event: { type: 'EXPIRY', amount: next.released },
      };
    });
  }
  return expired;
}
