/** Capture and void of an authorized order: both answer the order object after the change. */
import { parseBody } from '../core/input/validate.ts';
import { orderView } from '../core/orders/view.ts';
import type { TimeZone } from '../domain/time-zone.ts';
import { captureSchema, voidSchema } from '../modules/captures/schemas.ts';
import type { CaptureService } from '../modules/captures/service.ts';
import { changingMerchant } from './merchant.ts';
import type { Operation } from './types.ts';

export function captureOperations(deps: { captures: CaptureService; timeZone: TimeZone }): {
  capture: Operation;
  void: Operation;
} {
  return {
    capture: {
      read: false,
      async run(call) {
        const order = await deps.captures.capture(
          changingMerchant(call),
          parseBody(captureSchema, call.body),
        );
        return orderView(order, deps.timeZone);
      },
    },
    void: {
      read: false,
      async run(call) {
        const { order_id } = parseBody(voidSchema, call.body);
        return orderView(await deps.captures.void(changingMerchant(call), order_id), deps.timeZone);
      },
    },
  };
}
