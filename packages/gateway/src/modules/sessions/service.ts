/**
 * Hosted checkout sessions (docs/api.md#routes, docs/three-ds.md; docs/api.md#checkout-sessions). A session is a payment intent: the
 * amount, the methods offered and where the shopper goes afterwards. It is OPEN until its one
 * order exists, then COMPLETED; unpaid it can become EXPIRED (past expire_time) or CANCELED
 * (the shopper left). The order is the truth: whenever an order paid through the session
 * exists, the session is COMPLETED, whatever its row said before (the order is inserted under
 * the session's trans_id, so there is at most one).
 */

import type { RequestMerchant } from '../../core/merchants/request-merchant.ts';
import type { OrderRow } from '../../core/orders/order-row.ts';
import type { OrderRepo } from '../../core/orders/repo.ts';
import type { QueriedOrder } from '../../core/orders/view.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { SessionRepo, SessionRow } from './repo.ts';
import type { SessionInput } from './schemas.ts';

export interface SessionSettings {
  /** How long a session stays open unless the request sets expire_time. */
  sessionExpiryMs: number;
}

export interface SessionState {
  session: SessionRow;
  /** The order paid through the session, once there is one, with the session's goods, bill and shipping. */
  order: QueriedOrder | undefined;
}

/** The parameters two creates must share to be the same session (as docs/api.md#idempotency for payments). */
const COMPARED = ['amount', 'currency', 'payment_type', 'authorisation_type', 'capture_method'] as const;

export class SessionService {
  constructor(
    private readonly deps: {
      repo: SessionRepo;
      orders: OrderRepo;
      merchants: { markUsesCheckout(merchantId: string): Promise<void> };
      clock: Clock;
      settings: SessionSettings;
    },
  ) {}

  /** Idempotent on (merchant, trans_id): a repeat with the same parameters answers the same session. */
  async create(merchant: RequestMerchant, input: SessionInput, publicUrl: string): Promise<SessionState> {
    const { repo, orders, clock, settings } = this.deps;
    const merchantId = merchant.merchant_id;
    const existing = await repo.byTransId(merchantId, input.trans_id);
    if (existing) return this.replay(existing, input);
    if (await orders.byTransId(merchantId, input.trans_id)) {
      throw new ApiError(
        'TRANS_ID_REUSED',
        `${input.trans_id} already names a payment made without a session`,
      );
    }
    // Before the session exists, so no direct payment can take its trans_id unchecked.
    if (!merchant.uses_checkout) await this.deps.merchants.markUsesCheckout(merchantId);
    const now = clock.now();
    const sessionId = newId('CS');
    const row: SessionRow = {
      session_id: sessionId,
      merchant_id: merchantId,
      trans_id: input.trans_id,
      status: 'OPEN',
      session_mode: input.session_mode,
      session_url: `${publicUrl}/checkout/${sessionId}`,
      payment_type: input.payment_type,
      authorisation_type: input.authorisation_type,
      capture_method: input.capture_method,
      amount: input.amount,
      currency: input.currency,
      notify_url: input.notify_url ?? null,
      return_url: input.return_url,
      cancel_url: input.cancel_url ?? null,
      display_locale: input.display_locale ?? null,
      display_merchant_name: input.display_merchant_name ?? null,
      order_details: input.order_details,
      allowed_payment_methods: input.allowed_payment_methods,
      store_payment_method: input.store_payment_method ? 1 : 0,
      token_usage: input.token_usage ?? null,
      shopper_reference: input.shopper_reference ?? null,
      challenge_indicator: input.challenge_indicator ?? null,
      order_id: null,
      expire_at: input.expire_time ?? now + settings.sessionExpiryMs,
      // The order paid on its page takes it, and notifies in it (docs/notifications.md).
      wire: merchant.wire ?? 'v1.2',
      created_at: now,
      updated_at: now,
    };
    if (await repo.insertIfNew(row)) return { session: row, order: undefined };
    // A concurrent duplicate inserted first: answer its session.
    const winner = await repo.byTransId(merchantId, input.trans_id);
    if (!winner) throw new Error(`session for trans_id ${input.trans_id} vanished`);
    return this.replay(winner, input);
  }

  /** By session_id or trans_id (both: they must name the same session). Another merchant's does not exist. */
  async query(merchantId: string, by: { session_id?: string; trans_id?: string }): Promise<SessionState> {
    const { repo } = this.deps;
    const row = by.session_id
      ? await repo.byId(merchantId, by.session_id)
      : await repo.byTransId(merchantId, by.trans_id!);
    if (!row || (by.session_id && by.trans_id && row.trans_id !== by.trans_id)) {
      throw new ApiError('SESSION_NOT_FOUND');
    }
    return this.current(row);
  }

  /**
   * The order paid through a session, for /payments/query by session_id: 206011 when the
   * session does not exist, 206024 while nothing was paid ("if the consumer never paid, no
   * transaction exists", docs/api.md#checkout-sessions).
   */
  async paidOrder(merchantId: string, sessionId: string): Promise<QueriedOrder> {
    const { order } = await this.query(merchantId, { session_id: sessionId });
    if (!order) throw new ApiError('ORDER_NOT_FOUND', `nothing was paid through session ${sessionId} yet`);
    return order;
  }

  /** For the checkout page, which is not scoped to a merchant (the session id is its key). */
  async forPage(sessionId: string): Promise<SessionState | undefined> {
    const row = await this.deps.repo.byId(null, sessionId);
    return row && this.current(row);
  }

  /** The shopper left: OPEN → CANCELED unless an order exists meanwhile. */
  async cancel(sessionId: string): Promise<SessionState | undefined> {
    const row = await this.deps.repo.byId(null, sessionId);
    if (!row) return undefined;
    if (row.status === 'OPEN')
      await this.deps.repo.closeIfUnpaid(sessionId, 'CANCELED', this.deps.clock.now());
    return this.forPage(sessionId);
  }

  /** Records that the session's order exists (its status already follows from the order). */
  async completed(session: SessionRow, order: OrderRow): Promise<void> {
    if (session.order_id === null)
      await this.deps.repo.markCompleted(session.session_id, order.order_id, this.deps.clock.now());
  }

  /** Open sessions past expire_time become EXPIRED (the job runner calls this). */
  async expireDue(batch = 100): Promise<number> {
    const now = this.deps.clock.now();
    let expired = 0;
    for (const id of await this.deps.repo.dueForExpiry(now, batch)) {
      if (await this.deps.repo.closeIfUnpaid(id, 'EXPIRED', now)) expired++;
    }
    return expired;
  }

  /** The session as it stands now: completed by its order, or expired lazily on read. */
  private async current(row: SessionRow): Promise<SessionState> {
    const { orders, repo, clock } = this.deps;
    const found = await orders.byTransId(row.merchant_id, row.trans_id);
    // A direct /payments order under the same trans_id is not this session's payment.
    const order =
      found && found.session_id === row.session_id
        ? { ...found, order_details: row.order_details }
        : undefined;
    if (order) {
      await this.completed(row, order);
      return { session: { ...row, status: 'COMPLETED', order_id: order.order_id }, order };
    }
    if (row.status === 'OPEN' && clock.now() >= row.expire_at) {
      if (await repo.closeIfUnpaid(row.session_id, 'EXPIRED', clock.now())) {
        return { session: { ...row, status: 'EXPIRED' }, order: undefined };
      }
      // An order appeared between the two reads: read again, it decides.
      return this.current((await repo.byId(null, row.session_id))!);
    }
    return { session: row, order: undefined };
  }

  private async replay(existing: SessionRow, input: SessionInput): Promise<SessionState> {
    const differing = COMPARED.filter((field) => existing[field] !== input[field]);
    if (differing.length > 0) {
      throw new ApiError('TRANS_ID_REUSED', `${input.trans_id} differs in ${differing.join(', ')}`);
    }
    return this.current(existing);
  }
}
