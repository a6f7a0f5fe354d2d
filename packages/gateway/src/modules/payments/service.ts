/**
 * Card payments: validate the card, record intent, ask the acquirer, record the outcome.
 * No transaction is held across the acquirer call (a crash in between leaves a PROCESSING
 * order with the encrypted card, for the reconciler). Idempotency per (merchant, trans_id)
 * rests on the unique index: the first insert wins and every duplicate replays that order.
 */
import type { Acquirer, AuthorizeRequest, AuthorizeResult } from '../../acquirer/types.ts';
import type { RequestMerchant } from '../../core/merchants/request-merchant.ts';
import { type AuthorizationRecorder, authorizeRequest } from '../../core/orders/authorization.ts';
import { InFlight } from '../../core/orders/in-flight.ts';
import { amountColumns, newOrderRow, type OrderRow } from '../../core/orders/order-row.ts';
import type { PlainCard } from '../../core/orders/payment-source.ts';
import type {
  EncryptedCardOpener,
  GooglePayOpener,
  RedirectStarter,
  SessionOrderDetails,
  SessionTransIds,
  StoredCardLookup,
  ThreeDsStarter,
} from '../../core/orders/ports.ts';
import type { OrderRepo } from '../../core/orders/repo.ts';
import type { QueriedOrder } from '../../core/orders/view.ts';
import type { EventHints, OrderWriter } from '../../core/orders/writer.ts';
import { detectBrand, validateCard } from '../../domain/card.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError, BUSINESS_CODES, type BusinessCodeName } from '../../domain/errors.ts';
import { newOrderId } from '../../domain/ids.ts';
import { ZERO } from '../../domain/order.ts';
import { cardBrandsFor, type PaymentMethod } from '../../domain/payment-methods.ts';
import type { Wire } from '../../domain/wire.ts';
import type { Vault } from '../../vault/vault.ts';
import { type StoredCardContext, storedCardRefusal } from './rules.ts';
import type { PaymentInput } from './schemas.ts';

/**
 * Card validity (docs/api.md#initiate-transaction-payments): a business outcome, checked before the acquirer is asked. The
 * method decides which brands it takes (an eftpos-only card pays with EFTPOS only).
 */
function cardRefusal(
  card: PlainCard | undefined,
  method: PaymentMethod,
  now: number,
): BusinessCodeName | null {
  if (!card) return null;
  const check = validateCard(card, now, cardBrandsFor(method));
  return check.ok ? null : check.reason;
}

export interface PaymentSettings {
  acquirerTimeoutMs: number;
  idempotencyWaitMs: number;
  paymentExpiryMs: number;
  reconcileBackoffMs: readonly number[];
}

export interface PaymentDeps {
  repo: OrderRepo;
  threeDs: ThreeDsStarter;
  storedCards: StoredCardLookup;
  writer: OrderWriter;
  recorder: AuthorizationRecorder;
  acquirer: Acquirer;
  vault: Vault;
  clock: Clock;
  settings: PaymentSettings;
  /** Redirect methods and SEPA: the shopper pays at their bank, not with a card. */
  redirects: RedirectStarter;
  /** Cards encrypted in the shopper's browser (payment.encrypted_*). */
  cardDecryption: EncryptedCardOpener;
  /** Google Pay's raw tokens (payment.token_data as Google sends it). */
  googlePay: GooglePayOpener;
  /** Whether a trans_id names a checkout session (which only its checkout page may pay). */
  sessionTransIds: SessionTransIds;
  /** The goods, bill and shipping of the session an order was paid through, for its queries. */
  sessionDetails: SessionOrderDetails;
  /** Draws a new order id (newOrderId unless given: tests draw a taken one on purpose). */
  orderIds?: (now: number) => string;
}

/** How often a payment draws a new order id after finding its id taken (see newOrderId). */
const ORDER_ID_DRAWS = 5;

/** The insert found the order id taken by another process's order (not the trans_id). */
class OrderIdTaken extends Error {}

/** The parameters two requests must share to be the same payment (docs/api.md#idempotency). */
const COMPARED = [
  'amount',
  'currency',
  'payment_type',
  'authorisation_type',
  'capture_method',
  'payment_method',
  'card_fingerprint',
  'token',
  'session_id',
] as const;

export class PaymentService {
  private readonly inFlight = new InFlight<OrderRow>();

  constructor(private readonly deps: PaymentDeps) {}

  /**
   * `merchant` is the authenticated merchant as read for this request (its default notify_url
   * decides notifications); `publicUrl` is where the shopper's browser reaches this gateway
   * (for 3-D Secure pages). An existing trans_id is found by the insert, which the unique index
   * refuses: a duplicate then replays the order it names.
   */
  async create(merchant: RequestMerchant, request: PaymentInput, publicUrl: string): Promise<OrderRow> {
    const merchantId = merchant.merchant_id;
    // A checkout session's trans_id is paid on its page only (docs/checkout.md). Only a
    // merchant that ever made a session can have one, so the others skip the lookup. Checked
    // before a Google Pay token is opened, so this refusal does not use the token up.
    if (
      request.session_id === undefined &&
      merchant.uses_checkout === true &&
      (await this.deps.sessionTransIds.taken(merchantId, request.trans_id))
    )
      throw new ApiError('TRANS_ID_REUSED', `${request.trans_id} names a checkout session`);

    // An encrypted card or a raw Google Pay token is opened first; from here on it is a typed
    // card or a wallet's (or an unreadable one).
    const input: PaymentInput = { ...request, source: await this.open(merchant, request) };
    const hints = { merchantNotifyUrl: merchant.notify_url, requestId: merchant.request_id };
    const now = this.deps.clock.now();
    const ctx = await this.storedCardContext(merchantId, input);

    // The order speaks the wire it was created over in its notifications (docs/notifications.md).
    const wire = merchant.wire ?? 'v1.2';
    // Only the writes depend on the order id: a taken one is drawn again from here.
    for (let draw = 1; ; draw++) {
      const candidate = this.newOrder(merchantId, wire, input, ctx, now);
      try {
        return await this.write(candidate, input, ctx, hints, publicUrl);
      } catch (err) {
        if (!(err instanceof OrderIdTaken) || draw === ORDER_ID_DRAWS) throw err;
      }
    }
  }

  private async open(merchant: RequestMerchant, request: PaymentInput): Promise<PaymentInput['source']> {
    const { source } = request;
    if (source.kind === 'encrypted') return this.deps.cardDecryption.open(merchant, source.fields);
    if (source.kind === 'googlePay') {
      const merchantId = merchant.merchant_id;
      // A trans_id that already has its order is a replay (or a 300001): it pays nothing new,
      // so it must not use the token up; only a new payment claims it.
      const replay = (await this.deps.repo.byTransId(merchantId, request.trans_id)) !== undefined;
      return this.deps.googlePay.open(source.token, { merchantId, transId: request.trans_id, replay });
    }
    return source;
  }

  /** Writes a new order for `candidate`, whose id is newly drawn; nothing is kept if that id was taken. */
  private async write(
    candidate: OrderRow,
    input: PaymentInput,
    ctx: StoredCardContext,
    hints: EventHints,
    publicUrl: string,
  ): Promise<OrderRow> {
    const { settings } = this.deps;
    const now = candidate.created_at;

    if (input.source.kind === 'redirect') {
      const refused = storedCardRefusal(input, ctx);
      if (refused) return this.insertFailure(candidate, refused, now, hints);
      const waiting = this.deps.redirects.prepare(candidate, publicUrl);
      return (await this.deps.writer.insert(waiting)) ? waiting : this.replayLatest(candidate);
    }

    const card = this.cardFor(input, ctx);
    const unreadable = input.source.kind === 'unreadable' ? input.source.reason : null;
    const refusal =
      storedCardRefusal(input, ctx) ?? unreadable ?? cardRefusal(card, input.payment.payment_method, now);
    if (refusal || !card) return this.insertFailure(candidate, refusal ?? 'TOKEN_INVALID', now, hints);

    if (this.needsChallenge(input, card.pan)) {
      const waiting: OrderRow = { ...candidate, card_ciphertext: this.ciphertext(ctx, card) };
      const prepared = this.deps.threeDs.prepare(waiting, card.cvv, publicUrl);
      return (await this.deps.writer.insert(prepared.order, prepared.insertChallenge))
        ? prepared.order
        : this.replayLatest(candidate);
    }

    // The CVV lives only in this call's memory: it goes to the acquirer and nowhere else.
    const brand = detectBrand(card.pan)!;
    const answer = this.answerInProcess(candidate, { ...card, brand });
    if (answer) {
      // One commit: the order with its outcome (no card kept: the outcome is known).
      return (await this.deps.recorder.recordNew(candidate, answer, hints)) ?? this.replayLatest(candidate);
    }

    const intent: OrderRow = {
      ...candidate,
      card_ciphertext: this.ciphertext(ctx, card),
      processing_until: now + settings.acquirerTimeoutMs,
      // Should this process die before recording the outcome, the reconciler asks after the timeout.
      next_reconcile_at: now + settings.acquirerTimeoutMs,
    };
    if (!(await this.deps.writer.insert(intent))) return this.replayLatest(candidate);
    return this.inFlight.run(intent.order_id, () => this.authorizeNow(intent, { ...card, brand }, hints));
  }

  /**
   * The in-process acquirer's answer, if it has one (see Acquirer.answerInProcess). A payment
   * that stores its card is asked the two-phase way: the token and agreement its approval
   * creates refer to an order already stored.
   */
  private answerInProcess(candidate: OrderRow, card: AuthorizeRequest['card']): AuthorizeResult | null {
    const { acquirer } = this.deps;
    if (!acquirer.answerInProcess || candidate.store_payment_method) return null;
    return acquirer.answerInProcess(authorizeRequest(candidate, card));
  }

  /** The stored card: the token's record, or the typed-in card encrypted now. */
  private ciphertext(ctx: StoredCardContext, card: PlainCard): string {
    return (
      ctx.token?.card_ciphertext ??
      this.deps.vault.encryptCard({ pan: card.pan, exp_month: card.expMonth, exp_year: card.expYear })
    );
  }

  /** The authorization after a passed 3-D Secure challenge; duplicates of the payment wait for it. */
  authorizeAfterChallenge(order: OrderRow, card: AuthorizeRequest['card']): Promise<OrderRow> {
    return this.inFlight.run(order.order_id, () => this.authorizeNow(order, card));
  }

  /**
   * Merchant-initiated payments never challenge the shopper, who is not there (docs/api.md#stored-cards-and-recurring-payments); wallet
   * payments were already authenticated on the shopper's device (the cryptogram says so).
   */
  private needsChallenge(input: PaymentInput, pan: string): boolean {
    if (input.mit === true || input.source.kind === 'wallet') return false;
    return (
      input.authentication?.challenge_indicator === 'CHALLENGE' || this.deps.acquirer.challengeRequired(pan)
    );
  }

  private async storedCardContext(merchantId: string, input: PaymentInput): Promise<StoredCardContext> {
    const { storedCards } = this.deps;
    return {
      token:
        input.source.kind === 'token' ? await storedCards.token(merchantId, input.source.token) : undefined,
      agreement: input.recurring_agreement_id
        ? await storedCards.agreement(merchantId, input.recurring_agreement_id)
        : undefined,
    };
  }

  /** The card to charge: typed in (or opened from its encryption), or decrypted from the shopper's active token. */
  private cardFor(input: PaymentInput, ctx: StoredCardContext): PlainCard | undefined {
    if (input.source.kind === 'card' || input.source.kind === 'wallet') return input.source;
    if (input.source.kind !== 'token') return undefined;
    const token = ctx.token;
    if (!token?.card_ciphertext || token.status !== 'ACTIVE') return undefined;
    const card = this.deps.vault.decryptCard(token.card_ciphertext);
    return { pan: card.pan, expMonth: card.exp_month, expYear: card.exp_year, cvv: input.source.cvv };
  }

  private async insertFailure(
    candidate: OrderRow,
    reason: BusinessCodeName,
    now: number,
    hints: EventHints,
  ): Promise<OrderRow> {
    const failed = { ...candidate, ...failure(reason, now) };
    return (await this.deps.writer.insertFinal(failed, { type: 'DECLINE', amount: 0 }, hints))
      ? { ...failed, event_seq: 1 }
      : this.replayLatest(candidate);
  }

  async query(merchantId: string, by: { trans_id?: string; order_id?: string }): Promise<QueriedOrder> {
    const { repo } = this.deps;
    const row = by.order_id
      ? await repo.byOrderId(merchantId, by.order_id)
      : await repo.byTransId(merchantId, by.trans_id!);
    // Another merchant's order and a missing one look the same (docs/api.md#routes).
    if (!row || (by.trans_id && by.order_id && row.trans_id !== by.trans_id))
      throw new ApiError('ORDER_NOT_FOUND');
    // Only an order paid through a checkout session reads its session: no other query waits.
    if (row.session_id === null) return row;
    return { ...row, order_details: await this.deps.sessionDetails.orderDetails(merchantId, row.session_id) };
  }

  private newOrder(
    merchantId: string,
    wire: Wire,
    input: PaymentInput,
    ctx: StoredCardContext,
    now: number,
  ): OrderRow {
    const { source, payment } = input;
    const typed = source.kind === 'card' || source.kind === 'wallet';
    // An expired encrypted card keeps its fingerprint (not its card_info): replaying the order
    // it paid answers that order, as any replay does.
    const fingerprint = typed
      ? this.deps.vault.fingerprint(source.pan)
      : source.kind === 'token'
        ? (ctx.token?.card_fingerprint ?? null)
        : source.kind === 'unreadable' && source.pan !== undefined
          ? this.deps.vault.fingerprint(source.pan)
          : null;
    const digits = typed ? source.pan : '';
    const brand = /^\d{12,19}$/.test(digits) ? detectBrand(digits) : undefined;
    // A token shows its card only while active and to its own shopper: a removed or another
    // shopper's token answers like an unknown one (5010, no card_info), as rules.ts intends.
    const own =
      source.kind === 'token' &&
      ctx.token?.status === 'ACTIVE' &&
      ctx.token.shopper_reference === payment.shopper_reference
        ? ctx.token
        : undefined;
    const shown = brand
      ? { card_bin: digits.slice(0, 6), card_last4: digits.slice(-4), card_brand: brand }
      : own
        ? { card_bin: own.card_bin, card_last4: own.card_last4, card_brand: own.card_brand }
        : noCard;
    return newOrderRow({
      order_id: (this.deps.orderIds ?? newOrderId)(now),
      merchant_id: merchantId,
      trans_id: input.trans_id,
      payment_type: input.payment_type,
      authorisation_type: input.authorisation_type,
      capture_method: input.capture_method,
      payment_method: payment.payment_method,
      amount: input.amount,
      currency: input.currency,
      notify_url: input.notify_url ?? null,
      return_url: input.return_url ?? null,
      expire_at: input.expire_time ?? now + this.deps.settings.paymentExpiryMs,
      mit: input.mit ? 1 : 0,
      shopper_reference: payment.shopper_reference ?? null,
      card_fingerprint: fingerprint,
      ...shown,
      created_at: now,
      // A subsequent payment names its stored card; a stored one is attached after approval.
      token: source.kind === 'token' ? source.token : null,
      recurring_agreement_id: input.recurring_agreement_id ?? null,
      store_payment_method: payment.store_payment_method ? 1 : 0,
      token_usage: payment.token_usage ?? null,
      session_id: input.session_id ?? null,
      wire,
    });
  }

  private async authorizeNow(
    intent: OrderRow,
    card: AuthorizeRequest['card'],
    hints?: EventHints,
  ): Promise<OrderRow> {
    const { acquirer, settings, clock } = this.deps;
    let result: AuthorizeResult;
    try {
      result = await acquirer.authorize(
        authorizeRequest(intent, card),
        AbortSignal.timeout(settings.acquirerTimeoutMs),
      );
    } catch {
      // No answer is not a decline: the issuer may have approved. The order stays PROCESSING
      // until the reconciler learns the outcome; replays stop waiting for it.
      return this.deps.recorder.unknown(intent.order_id, clock.now() + settings.reconcileBackoffMs[0]!);
    }
    return this.deps.recorder.record(intent.order_id, result, hints);
  }

  /**
   * After an insert that wrote nothing: the order holding this trans_id, replayed. Orders are
   * never deleted, so when no order holds it, what was taken is the order id.
   */
  private async replayLatest(candidate: OrderRow): Promise<OrderRow> {
    const existing = await this.deps.repo.byTransId(candidate.merchant_id, candidate.trans_id);
    if (!existing) throw new OrderIdTaken(candidate.order_id);
    return this.replay(existing, candidate);
  }

  /** Same parameters → the existing order as it stands (after waiting for an in-flight first request). */
  private async replay(existing: OrderRow, candidate: OrderRow): Promise<OrderRow> {
    // The token a storing payment received on approval is its outcome, not a parameter: a replay
    // sends the card again, without it. (Comparing it refused every replay of an approved
    // store_payment_method request, a first recurring payment included, with 300001.)
    const storedByApproval = Number(existing.store_payment_method) === 1 && candidate.token === null;
    const differing = COMPARED.filter(
      (field) => !(field === 'token' && storedByApproval) && existing[field] !== candidate[field],
    );
    if (differing.length > 0) {
      const names = differing.map((f) => (f === 'card_fingerprint' ? 'card' : f)).join(', ');
      throw new ApiError('TRANS_ID_REUSED', `${candidate.trans_id} differs in ${names}`);
    }
    if (existing.status !== 'PROCESSING' || existing.processing_until === null) return existing;
    return this.waitForOutcome(existing);
  }

  private async waitForOutcome(order: OrderRow): Promise<OrderRow> {
    const { idempotencyWaitMs } = this.deps.settings;
    const local = this.inFlight.get(order.order_id);
    if (local) return (await this.inFlight.within(local, idempotencyWaitMs)) ?? this.reload(order);
    // The first request is being served by another gateway process: watch the row.
    const deadline = Date.now() + idempotencyWaitMs;
    let current = order;
    const pending = (o: OrderRow) =>
      o.status === 'PROCESSING' && o.processing_until !== null && o.processing_until > this.deps.clock.now();
    while (pending(current) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      current = await this.reload(current);
    }
    return current;
  }

  private async reload(order: OrderRow): Promise<OrderRow> {
    return (await this.deps.repo.byOrderId(order.merchant_id, order.order_id)) ?? order;
  }
}

const noCard = { card_bin: null, card_last4: null, card_brand: null };

function failure(reason: BusinessCodeName, now: number): Partial<OrderRow> {
  const code = BUSINESS_CODES[reason];
  return {
    status: 'FAILURE',
    error_code: code.code,
    error_description: code.description,
    pay_finish_at: now,
    ...amountColumns(ZERO),
  };
}
