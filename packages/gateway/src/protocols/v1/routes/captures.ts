/** /payments/capture and /payments/void: both answer the order object after the change. */
import type { FastifyInstance } from 'fastify';
import { parseBody } from '../../../core/input/validate.ts';
import { orderView } from '../../../core/orders/view.ts';
import type { Clock } from '../../../domain/clock.ts';
import type { TimeZone } from '../../../domain/time-zone.ts';
import { captureSchema, voidSchema } from '../../../modules/captures/schemas.ts';
import type { CaptureService } from '../../../modules/captures/service.ts';
import { sendOk } from '../envelope.ts';

export function captureRoutes(
  app: FastifyInstance,
  deps: { captures: CaptureService; clock: Clock; timeZone: TimeZone },
): void {
  app.post('/payments/capture', async (request, reply) => {
    const auth = request.auth!;
    const input = parseBody(captureSchema, auth.body);
    const order = await deps.captures.capture(auth.merchant.merchant_id, input);
    return sendOk(reply, deps.clock, orderView(order, deps.timeZone));
  });

  app.post('/payments/void', async (request, reply) => {
    const auth = request.auth!;
    const input = parseBody(voidSchema, auth.body);
    const order = await deps.captures.void(auth.merchant.merchant_id, input.order_id);
    return sendOk(reply, deps.clock, orderView(order, deps.timeZone));
  });
}
