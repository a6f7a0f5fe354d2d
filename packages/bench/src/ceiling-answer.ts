/**
 * What the ceiling server answers: the success envelope with an order-shaped (or refund-shaped)
 * `data`, padded to the size of a real openkka answer, so the network and JSON work per request
 * match the gateway's. The same operations on either wire: v1.2's paths (bare or under `/apis`)
 * and v3's (under `/v3/payment/acq`). Pure; the server signs and sends it.
 */

export const V3_PREFIX = '/v3/payment/acq';

export interface CeilingRequest {
  merchant_id?: unknown;
  trans_id?: unknown;
  order_id?: unknown;
  ori_order_id?: unknown;
  refund_trans_id?: unknown;
  capture_method?: unknown;
  amount?: unknown;
  refund_amount?: unknown;
  currency?: unknown;
}

export type CeilingAnswer = {
  http: number;
  data: Record<string, unknown> | null;
  retCode: string;
  retMsg: string;
  /** Fields beside `data` at the top of the envelope (v3's refund repeats `refund_order_id` there). */
  top?: Record<string, unknown>;
};

/** The v1.2 path of an operation, from either wire's: `/v3/payment/acq/pay` is `/payments`. */
export function operationPath(path: string): string {
  if (path.startsWith(`${V3_PREFIX}/`)) {
    const rest = path.slice(V3_PREFIX.length);
    return rest === '/pay' ? '/payments' : `/payments${rest}`;
  }
  return path.replace(/^\/apis(?=\/)/, '');
}

const ISO = '2025-01-01T00:00:00+00:00';

function order(
  req: CeilingRequest,
  orderId: string,
  status: string,
  captured: boolean,
): Record<string, unknown> {
  const amount = Number(req.amount ?? 1000);
  return {
    error_code: '0000',
    error_description: 'Success',
    merchant_id: req.merchant_id,
    trans_id: req.trans_id ?? '',
    order_id: orderId,
    status,
    payment_type: 'PURCHASE',
    authorisation_type: 'FINAL_AUTH',
    capture_method: req.capture_method ?? 'AUTOMATIC',
    amount,
    currency: req.currency ?? 'USD',
    expire_time: ISO,
    payment: { payment_method: 'BANKCARD' },
    balances: {
      authed_amount: amount,
      captured_amount: captured ? amount : 0,
      able_to_capture_amount: captured ? 0 : amount,
    },
    pay_finish_time: ISO,
    card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
  };
}

/** The answer for one verified request; `nextId` makes order and refund ids. */
export function ceilingAnswer(path: string, req: CeilingRequest, nextId: () => string): CeilingAnswer {
  const ok = (data: Record<string, unknown>): CeilingAnswer => ({
    http: 200,
    data,
    retCode: '000000',
    retMsg: 'Success',
  });
  switch (operationPath(path)) {
    case '/payments': {
      const manual = req.capture_method === 'MANUAL';
      return ok(order(req, `GW${nextId()}`, manual ? 'AUTHORIZED' : 'SUCCESS', !manual));
    }
    case '/payments/capture':
      return ok(order(req, String(req.order_id), 'SUCCESS', true));
    case '/payments/query':
      return ok(order(req, String(req.order_id), 'REFUNDED', true));
    case '/payments/refund': {
      const refundOrderId = `RG${nextId()}`;
      const answer = ok({
        refund_trans_id: req.refund_trans_id,
        refund_order_id: refundOrderId,
        ori_order_id: req.ori_order_id,
        status: 'SUCCESS',
        amount: req.refund_amount,
        currency: req.currency,
        error_code: '0000',
        error_description: 'Success',
      });
      return path.startsWith(`${V3_PREFIX}/`)
        ? { ...answer, top: { refund_order_id: refundOrderId } }
        : answer;
    }
    default:
      return { http: 404, data: null, retCode: '010000', retMsg: `no route ${path}` };
  }
}

/**
 * The envelope as sent: on v1.2 `data.timestamp` first, as openkka sends it (`timestamp` null
 * on v3, whose answers carry their time in a header), and a `padding` field that brings the
 * whole body to `targetBytes` (never shorter than the content needs).
 */
export function envelopeText(answer: CeilingAnswer, timestamp: number | null, targetBytes: number): string {
  const head = { ret_code: answer.retCode, ret_msg: answer.retMsg, ...answer.top };
  if (answer.data === null) return JSON.stringify(head);
  const data: Record<string, unknown> = {
    ...(timestamp === null ? {} : { timestamp }),
    ...answer.data,
    padding: '',
  };
  const bare = JSON.stringify({ ...head, data });
  const missing = targetBytes - Buffer.byteLength(bare);
  if (missing <= 0) return bare;
  data.padding = 'x'.repeat(missing);
  return JSON.stringify({ ...head, data });
}
