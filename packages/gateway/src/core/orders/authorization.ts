/**
 * Recording an authorization outcome, from the first call (the payment service) or from the
 * reconciler that learns an unknown outcome later. Whoever comes first wins: the change
 * applies only while the order is still PROCESSING, so an outcome is never recorded twice.
 */
import type { AuthorizeRequest, AuthorizeResult } from '../../acquirer/types.ts';
import type { Clock } from '../../domain/clock.ts';
import { BUSINESS_CODES } from '../../domain/errors.ts';
import { authorizationValidityMs, authorize } from '../../domain/order.ts';
import type { Tx } from '../../store/tx.ts';
import { amountColumns, amountsOf, type OrderRow } from './order-row.ts';
import type { EventHints, OrderChange, OrderWriter } from './writer.ts';

export interface AuthorizationSettings {
  finalAuthValidityMs: number;
  preAuthValidityMs: number;
}

/**
 * Keeps an approved card for later payments when the order asked for it (the tokens module,
 * wired in app.ts): the columns it returns are written with the approval, in its transaction.
 */
export interface ApprovedCardStore {
  onApproval(tx: Tx, order: OrderRow, now: number): Promise<Partial<OrderRow>>;
}

export class AuthorizationRecorder {
  constructor(
    private readonly writer: OrderWriter,
    private readonly clock: Clock,
    private readonly settings: AuthorizationSettings,
    private readonly cards: ApprovedCardStore,
  ) {}

  /** `hints` when a request records its own answer; the reconciler's has none. */
  record(orderId: string, result: AuthorizeResult, hints?: EventHints): Promise<OrderRow> {
    const decide = async (row: OrderRow, tx: Tx) => {
      if (row.status !== 'PROCESSING') return null;
      // Stored only after an approval, never after a decline (docs/api.md#stored-cards-and-recurring-payments).
      const stored =
        result.outcome === 'APPROVED' ? await this.cards.onApproval(tx, row, this.clock.now()) : {};
      return this.outcome(row, result, stored);
    };
    return this.writer.mutate(null, orderId, decide, hints);
  }

  /**
   * A new order whose outcome is already known (an acquirer that answers in process): stored
   * once, final, with its event and notification, in one transaction. Null when its trans_id
   * was taken meanwhile; nothing of it is then kept.
   */
  async recordNew(row: OrderRow, result: AuthorizeResult, hints?: EventHints): Promise<OrderRow | null> {
    // Its token and agreement would refer to the order, so a storing payment is recorded in two steps.
    if (row.store_payment_method) throw new Error('a payment that stores its card is not recorded at once');
    const { changes, event } = this.outcome(row, result, {});
    const order = { ...row, ...changes };
    return (await this.writer.insertFinal(order, event!, hints)) ? { ...order, event_seq: 1 } : null;
  }

  /** The change an acquirer's answer makes to a PROCESSING order, and its event. */
  private outcome(row: OrderRow, result: AuthorizeResult, stored: Partial<OrderRow>): OrderChange {
    const now = this.clock.now();
    const approved = result.outcome === 'APPROVED';
    const outcome = approved
      ? { approved: true as const }
      : { approved: false as const, reason: result.reason };
    const next = authorize(
      {
        status: row.status,
        amounts: amountsOf(row),
        amount: row.amount,
        captureMethod: row.capture_method,
      },
      outcome,
    );
    const code = outcome.approved ? BUSINESS_CODES.SUCCESS : BUSINESS_CODES[outcome.reason];
    const validity = {
      finalAuthMs: this.settings.finalAuthValidityMs,
      preAuthMs: this.settings.preAuthValidityMs,
    };
    const stillCapturable = next.status === 'AUTHORIZED';
    return {
      changes: {
        status: next.status,
        ...amountColumns(next.amounts),
        error_code: code.code,
        error_description: code.description,
        pay_finish_at: now,
        // Only what is still capturable can lapse. The validity runs from when the authorization
        // was requested (the issuer's hold starts then), also when the reconciler learns it later.
        auth_expires_at: stillCapturable
          ? row.created_at + authorizationValidityMs(row.authorisation_type, validity)
          : null,
        acquirer_ref: result.acquirerRef,
        processing_until: null,
        next_reconcile_at: null,
        // The card was kept only to learn an unknown outcome; the outcome is known now.
        card_ciphertext: null,
        ...stored,
      },
      event: { type: approved ? 'AUTHORIZATION' : 'DECLINE', amount: approved ? row.amount : 0 },
    };
  }

  /**
   * The acquirer did not answer: leave the order PROCESSING and let the reconciler ask later.
   * The unanswered call counts as the first attempt: the caller already waits the first backoff
   * before the reconciler's question, so that question is followed by the second one. (Without
   * counting it, the reconciler waited the first backoff twice: 5 s, 5 s, 30 s, …)
   */
  unknown(orderId: string, nextAttemptAt: number): Promise<OrderRow> {
    return this.writer.mutate(null, orderId, async (row) => {
      if (row.status !== 'PROCESSING') return null;
      return {
        changes: {
          processing_until: null,
          next_reconcile_at: nextAttemptAt,
          reconcile_attempts: row.reconcile_attempts + 1,
        },
      };
    });
  }
}

/** What the acquirer is told about an order (also used by the reconciler's outcome query). */
export function authorizeRequest(order: OrderRow, card: AuthorizeRequest['card']): AuthorizeRequest {
  return {
    orderId: order.order_id,
    merchantId: order.merchant_id,
    amount: order.amount,
    currency: order.currency,
    card,
    authorisationType: order.authorisation_type,
  };
}
