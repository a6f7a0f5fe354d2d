/**
 * Capture and void: money movements on an authorized order that the gateway settles itself
 * (the acquirer clears captures and releases voids in its batch; the simulator accepts all).
 * Each is one planned change through the OrderWriter, decided by the state machine on the
 * locked row.
 */

import { amountColumns, type OrderRow, stateOf } from '../../core/orders/order-row.ts';
import type { ChangingMerchant, OrderWriter } from '../../core/orders/writer.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import { capture, voidCapturable } from '../../domain/order.ts';

export class CaptureService {
  constructor(
    private readonly writer: OrderWriter,
    private readonly clock: Clock,
  ) {}

  async capture(
    merchant: ChangingMerchant,
    req: { order_id: string; amount: number; currency: string; capture_final: boolean },
  ): Promise<OrderRow> {
    const changed = await this.writer.change(merchant, req.order_id, (row) => {
      // The expiry job releases a lapsed authorization within a pass; until it does, refuse here.
      if (row.auth_expires_at !== null && row.auth_expires_at <= this.clock.now()) {
        throw new ApiError('ORDER_NOT_CAPTURABLE', 'the authorization has expired');
      }
      const next = capture(stateOf(row), {
        amount: req.amount,
        currency: req.currency,
        final: req.capture_final,
      });
      const settled = next.amounts.authed === next.amounts.captured + next.amounts.voided;
      return {
        steps: [
          {
            changes: {
              status: next.status,
              ...amountColumns(next.amounts),
              ...(settled ? { auth_expires_at: null } : {}),
            },
            event: { type: 'CAPTURE', amount: next.moved },
          },
        ],
        result: undefined,
      };
    });
    return changed!.order;
  }

  async void(merchant: ChangingMerchant, orderId: string): Promise<OrderRow> {
    const changed = await this.writer.change(merchant, orderId, (row) => {
      const next = voidCapturable(stateOf(row));
      return {
        steps: [
          {
            changes: { status: next.status, ...amountColumns(next.amounts), auth_expires_at: null },
            event: { type: 'VOID', amount: next.released },
          },
        ],
        result: undefined,
      };
    });
    return changed!.order;
  }
}
