/** Capture and void of an authorized order: both answer the order object after the change. */
import { parseBody } from '../core/input/validate.ts';
import { orderView } from '../core/orders/view.ts';
import type { TimeZone } from '../domain/time-zone.ts';
import { captureSchema, voidSchema } from '../modules/captures/schemas.ts';
import type { CaptureService } from '../modules/captures/service.ts';
import type { Operation } from './types.ts';

export function captureOperations(deps: { captures: CaptureService; timeZone: TimeZone }): {
  capture: Operation;
  void: Operation;
} {
  return {
    capture: {
      read: false,
      async run({ merchant, body }) {
        const order = await deps.captures.capture(merchant, parseBody(captureSchema, body));
        return orderView(order, deps.timeZone);
      },
    },
    void: {
      read: false,
      async run({ merchant, body }) {
        const { order_id } = parseBody(voidSchema, body);
        return orderView(await deps.captures.void(merchant, order_id), deps.timeZone);
      },
    },
  };
}
