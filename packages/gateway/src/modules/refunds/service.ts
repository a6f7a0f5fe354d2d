/**
 * Refunds: reserve the amount on the order and record the refund in one locked change (so
 * concurrent refunds can never exceed what was captured), then ask the acquirer outside any
 * transaction, then settle. A refund the acquirer has not finished stays PROCESSING, counted
 * in `refunding_amount`, until the refund job settles it; a failed one gives the amount back.
 */
import type { Acquirer, RefundResult } from '../../acquirer/types.ts';
import { InFlight } from '../../core/orders/in-flight.ts';
import { amountColumns, stateOf } from '../../core/orders/order-row.ts';
import type { RefundRow } from '../../core/orders/refund-row.ts';
import type { OrderWriter } from '../../core/orders/writer.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError, BUSINESS_CODES } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import { settleRefund, startRefund } from '../../domain/order.ts';
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

  async create(merchantId: string, input: RefundInput): Promise<RefundRow> {
    const { refunds, writer, clock, settings } = this.deps;
    const existing = await refunds.byTransId(merchantId, input.refund_trans_id);
    if (existing) return this.waitForOutcome(replay(existing, input));

    const now = clock.now();
    const candidate: RefundRow = {
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
    const { order, result } = await writer.mutateWith<RefundRow>(
      merchantId,
      input.ori_order_id,
      async (row, tx) => {
        // Under the order's lock, so a concurrent duplicate of this refund is seen here, not double-counted.
        const duplicate = await refunds.byTransId(merchantId, input.refund_trans_id, tx);
        if (duplicate) return { changes: {}, result: replay(duplicate, input) };
        const next = startRefund(stateOf(row), { amount: input.refund_amount, currency: input.currency });
        if (!(await refunds.insertIfNew(tx, candidate))) {
          // The same refund_trans_id was just used on another order.
          const other = await refunds.byTransId(merchantId, input.refund_trans_id, tx);
          return { changes: {}, result: replay(other!, input) };
        }
        return {
          changes: { status: next.status, ...amountColumns(next.amounts) },
          event: {
            type: 'REFUND_REQUEST',
            amount: input.refund_amount,
            refund: candidate,
          },
          result: candidate,
        };
      },
    );
    // Waited for outside the transaction: the first request needs the order's lock to record its answer.
    if (result !== candidate) return this.waitForOutcome(result!);
    return this.inFlight.run(candidate.refund_order_id, () =>
      this.submit(candidate, order.acquirer_ref ?? ''),
    );
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
        {
          refundId: refund.refund_order_id,
          paymentRef,
          amount: refund.amount,
          currency: refund.currency,
          requestedAt: refund.created_at,
        },
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
        const changes = {
          next_check_at: now + result.retryAfterMs,
          acquirer_ref: result.acquirerRef,
          updated_at: now,
        };
        await refunds.update(tx, current.refund_order_id, changes);
        return { changes: {}, result: { ...current, ...changes } };
      }
      const succeeded = result.status === 'SUCCESS';
      const code = succeeded ? BUSINESS_CODES.SUCCESS : BUSINESS_CODES.REFUND_DECLINED;
      const refundChanges = {
        status: result.status,
        error_code: code.code,
        error_description: code.description,
        acquirer_ref: result.acquirerRef,
        next_check_at: null,
        finished_at: now,
        updated_at: now,
      };
      await refunds.update(tx, current.refund_order_id, refundChanges);
      const next = settleRefund(stateOf(row), current.amount, succeeded);
      return {
        changes: { status: next.status, ...amountColumns(next.amounts) },
        event: {
          type: succeeded ? 'REFUND_SUCCESS' : 'REFUND_FAILURE',
          amount: current.amount,
          refund: { ...current, ...refundChanges },
        },
        result: { ...current, ...refundChanges },
      };
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
