/**
 * Refunds: reserve the amount on the order and record the refund in one locked change (so
 * concurrent refunds can never exceed what was captured), then ask the acquirer outside any
 * transaction, then settle. An acquirer that answers in process is asked under the lock and the
 * refund is reserved and settled in that one change. A refund the acquirer has not finished
 * stays PROCESSING, counted in `refunding_amount`, until the refund job settles it; a failed
 * one gives the amount back.
 */
import type { Acquirer, RefundRequest, RefundResult } from '../../acquirer/types.ts';
import { InFlight } from '../../core/orders/in-flight.ts';
import { amountColumns, type OrderRow, stateOf } from '../../core/orders/order-row.ts';
import type { Plan, PlanStep } from '../../core/orders/plan.ts';
import type { RefundRow } from '../../core/orders/refund-row.ts';
import type { ChangingMerchant, OrderWriter } from '../../core/orders/writer.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError, BUSINESS_CODES } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import { type OrderState, settleRefund, startRefund } from '../../domain/order.ts';
import type { RefundRepo } from './repo.ts';
import type { RefundInput } from './schemas.ts';

export interface RefundDeps {
  refunds: RefundRepo;
  writer: OrderWriter;
  acquirer: Acquirer;
  clock: Clock;
  settings: { acquirerTimeoutMs: number; idempotencyWaitMs: number };
}

export class RefundService {
  /** Refunds whose first request is asking the acquirer in this process, by refund_order_id. */
  private readonly inFlight = new InFlight<RefundRow>();

  constructor(private readonly deps: RefundDeps) {}

  async create(merchant: ChangingMerchant, input: RefundInput): Promise<RefundRow> {
    const { writer } = this.deps;
    let changed: { order: OrderRow; result: RefundRow } | null;
    try {
      changed = await writer.change(merchant, input.ori_order_id, (row, now) =>
        this.reserve(row, candidate(merchant.merchant_id, input, now, this.deps.settings), input),
      );
    } catch (err) {
      // A repeat is answered, not refused: its refund may have used up the balance it asks for.
      if (!(err instanceof ApiError)) throw err;
      return this.replayOr(merchant.merchant_id, input, err);
    }
    // Taken: the same refund_trans_id was recorded meanwhile (this order's, or another's).
    if (!changed) return this.replayOr(merchant.merchant_id, input);
    const refund = changed.result;
    if (refund.status !== 'PROCESSING' || refund.acquirer_ref !== null) return refund;
    return this.inFlight.run(refund.refund_order_id, () =>
      this.submit(refund, changed.order.acquirer_ref ?? ''),
    );
  }

  /**
   * Reserves the refund on the locked order (so concurrent refunds never exceed what was
   * captured), and, when the acquirer answers in process, settles it in the same change.
   */
  private reserve(row: OrderRow, refund: RefundRow, input: RefundInput): Plan<RefundRow> {
    const reserved = startRefund(stateOf(row), { amount: input.refund_amount, currency: input.currency });
    const answer =
      this.deps.acquirer.refundInProcess?.(refundRequest(refund, row.acquirer_ref ?? '')) ?? null;
    const asked = answer && answer.status === 'PENDING' ? pending(refund, answer, refund.created_at) : refund;
    const request = {
      changes: { status: reserved.status, ...amountColumns(reserved.amounts) },
      event: { type: 'REFUND_REQUEST' as const, amount: input.refund_amount, refund: asked },
    };
    if (!answer || answer.status === 'PENDING') return { steps: [request], newRefund: asked, result: asked };
    const settled = settlement(reserved, refund, answer, refund.created_at);
    return { steps: [request, settled.step], newRefund: settled.refund, result: settled.refund };
  }

  /** The refund already recorded under this refund_trans_id, as a repeat is answered; else `refusal`. */
  private async replayOr(merchantId: string, input: RefundInput, refusal?: ApiError): Promise<RefundRow> {
    const existing = await this.deps.refunds.byTransId(merchantId, input.refund_trans_id);
    if (existing) return this.waitForOutcome(replay(existing, input));
    if (refusal) throw refusal;
    throw new Error(`refund_trans_id ${input.refund_trans_id} was taken, but no refund holds it`);
  }

  /**
   * As docs/api.md#idempotency says (refunds are idempotent "the same way" as payments): a duplicate that arrives while
   * the first request is still asking the acquirer waits for it (bounded by idempotencyWaitMs)
   * and answers the refund as it then stands. Without this, concurrent retries answered
   * PROCESSING for a refund that succeeded a moment later. A refund the acquirer itself left
   * pending (acquirer_ref set) is answered at once.
   */
  private async waitForOutcome(refund: RefundRow): Promise<RefundRow> {
    const { refunds, clock, settings } = this.deps;
    const asking = (r: RefundRow) =>
      r.status === 'PROCESSING' && r.acquirer_ref === null && (r.next_check_at ?? 0) > clock.now();
    if (!asking(refund)) return refund;
    const reload = async (r: RefundRow) => (await refunds.byTransId(r.merchant_id, r.refund_trans_id)) ?? r;
    const local = this.inFlight.get(refund.refund_order_id);
    if (local) return (await this.inFlight.within(local, settings.idempotencyWaitMs)) ?? reload(refund);
    // The first request is served by another process (or has not registered yet): watch the row.
    const deadline = Date.now() + settings.idempotencyWaitMs;
    let current = refund;
    while (asking(current) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      current = await reload(current);
    }
    return current;
  }

  async query(
    merchantId: string,
    by: { refund_trans_id?: string; refund_order_id?: string },
  ): Promise<RefundRow> {
    const { refunds } = this.deps;
    const row = by.refund_order_id
      ? await refunds.byRefundOrderId(merchantId, by.refund_order_id)
      : await refunds.byTransId(merchantId, by.refund_trans_id!);
    if (!row || (by.refund_trans_id && row.refund_trans_id !== by.refund_trans_id)) {
      throw new ApiError('REFUND_NOT_FOUND');
    }
    return row;
  }

  /** Asks the acquirer (again: it is idempotent by refund id) and records what it says. */
  async submit(refund: RefundRow, paymentRef: string): Promise<RefundRow> {
    const { acquirer, settings } = this.deps;
    let result: RefundResult;
    try {
      result = await acquirer.refund(
        refundRequest(refund, paymentRef),
        AbortSignal.timeout(settings.acquirerTimeoutMs),
      );
    } catch {
      // No answer: the refund stays PROCESSING and the refund job asks again at next_check_at.
      return refund;
    }
    return this.record(refund, result);
  }

  private async record(refund: RefundRow, result: RefundResult): Promise<RefundRow> {
    const { refunds, writer, clock } = this.deps;
    const { result: settled } = await writer.mutateWith<RefundRow>(null, refund.order_id, async (row, tx) => {
      const current = (await refunds.byId(tx, refund.refund_order_id))!;
      if (current.status !== 'PROCESSING') return { changes: {}, result: current };
      const now = clock.now();
      if (result.status === 'PENDING') {
        const waiting = pending(current, result, now);
        await refunds.update(tx, current.refund_order_id, waiting);
        return { changes: {}, result: waiting };
      }
      const { step, refund: done } = settlement(stateOf(row), current, result, now);
      await refunds.update(tx, current.refund_order_id, done);
      return { ...step, result: done };
    });
    return settled!;
  }
}

/** Same refund_trans_id: the same refund if the parameters match, else a 409. */
function replay(existing: RefundRow, input: RefundInput): RefundRow {
  const differing = [
    existing.order_id !== input.ori_order_id && 'ori_order_id',
    existing.amount !== input.refund_amount && 'refund_amount',
    existing.currency !== input.currency && 'currency',
  ].filter(Boolean);
  if (differing.length > 0) {
    throw new ApiError(
      'REFUND_TRANS_ID_REUSED',
      `${input.refund_trans_id} differs in ${differing.join(', ')}`,
    );
  }
  return existing;
}

/** A new refund, PROCESSING, as it is first recorded. */
function candidate(
  merchantId: string,
  input: RefundInput,
  now: number,
  settings: RefundDeps['settings'],
): RefundRow {
  return {
    refund_order_id: newId('RG'),
    merchant_id: merchantId,
    refund_trans_id: input.refund_trans_id,
    order_id: input.ori_order_id,
    amount: input.refund_amount,
    currency: input.currency,
    reason: input.reason ?? null,
    notify_url: input.notify_url ?? null,
    status: 'PROCESSING',
    error_code: '',
    error_description: '',
    acquirer_ref: null,
    // Should this process die before the acquirer answers, the refund job asks after the timeout.
    next_check_at: now + settings.acquirerTimeoutMs,
    finished_at: null,
    created_at: now,
    updated_at: now,
  };
}

function refundRequest(refund: RefundRow, paymentRef: string): RefundRequest {
  return {
    refundId: refund.refund_order_id,
    paymentRef,
    amount: refund.amount,
    currency: refund.currency,
    requestedAt: refund.created_at,
  };
}

/** The acquirer is still working on it: asked again when it says. */
function pending(refund: RefundRow, result: RefundResult & { status: 'PENDING' }, now: number): RefundRow {
  return {
    ...refund,
    next_check_at: now + result.retryAfterMs,
    acquirer_ref: result.acquirerRef,
    updated_at: now,
  };
}

/** The acquirer's final answer: the refund as it ends, and the order's step that settles it. */
function settlement(
  order: OrderState,
  refund: RefundRow,
  result: RefundResult & { status: 'SUCCESS' | 'FAILURE' },
  now: number,
): { refund: RefundRow; step: PlanStep } {
  const succeeded = result.status === 'SUCCESS';
  const code = succeeded ? BUSINESS_CODES.SUCCESS : BUSINESS_CODES.REFUND_DECLINED;
  const done: RefundRow = {
    ...refund,
    status: result.status,
    error_code: code.code,
    error_description: code.description,
    acquirer_ref: result.acquirerRef,
    next_check_at: null,
    finished_at: now,
    updated_at: now,
  };
  const next = settleRefund(order, refund.amount, succeeded);
  return {
    refund: done,
    step: {
      changes: { status: next.status, ...amountColumns(next.amounts) },
      event: { type: succeeded ? 'REFUND_SUCCESS' : 'REFUND_FAILURE', amount: refund.amount, refund: done },
    },
  };
}
