/**
 * What happens when the shopper presses Pay on the checkout page. The form is checked here
 * first (the page's own script checks the same, as a convenience; this is the authority), so
 * a mistyped card is a message on the page, not a used-up session. A valid form becomes a
 * /payments request under the session's trans_id and goes through the PaymentService like any
 * other: same rules, same test cards, 3-D Secure, notifications, and idempotency, so a double
 * submit can never charge twice. The card is held in memory for this call only.
 */

import type { MerchantRepo } from '../../core/merchants/repo.ts';
import type { OrderRow } from '../../core/orders/order-row.ts';
import type { CheckoutPayments } from '../../core/orders/ports.ts';
import { backToShop, paymentReturnUrl } from '../../domain/back-to-shop.ts';
import { allowedLengths, detectBrand, luhnValid, validateCard } from '../../domain/card.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import type { Locale } from '../../domain/locale.ts';
import { cardBrandsFor, normalisePaymentMethod } from '../../domain/payment-methods.ts';
import type { SessionRow } from './repo.ts';
import type { SessionService, SessionState } from './service.ts';

export interface CheckoutForm {
  method: string;
  card_no: string;
  /** "MM / YY" as typed; "MM/YYYY" and "MMYY" too. */
  exp: string;
  cvv: string;
  holder_name: string;
  consent: boolean;
}

export type CheckoutField = 'card_no' | 'exp' | 'cvv' | 'consent' | 'method';
export type CheckoutProblem = 'invalid' | 'unsupported' | 'expired' | 'required';
export type FormErrors = Partial<Record<CheckoutField, CheckoutProblem>>;

export type CheckoutOutcome =
  /** On to the payment's next page: its 3-D Secure challenge, its bank page, or the shop. */
  | { kind: 'redirect'; url: string; order: OrderRow }
  | { kind: 'invalid'; state: SessionState; errors: FormErrors }
  /** Expired, canceled, or its trans_id taken by a payment made elsewhere: nothing was charged. */
  | { kind: 'closed'; state: SessionState };

export class CheckoutService {
  constructor(
    private readonly deps: {
      sessions: SessionService;
      payments: CheckoutPayments;
      merchants: MerchantRepo;
      clock: Clock;
    },
  ) {}

  /** Undefined for a session that does not exist. */
  async pay(
    sessionId: string,
    form: CheckoutForm,
    publicUrl: string,
    /** The page's language for a session, so a 3-D Secure challenge continues in it. */
    localeOf: (session: SessionRow) => Locale = () => 'en',
  ): Promise<CheckoutOutcome | undefined> {
    const state = await this.deps.sessions.forPage(sessionId);
    if (!state) return undefined;
    const locale = localeOf(state.session);
    if (state.order) return { kind: 'redirect', url: nextStep(state.order, locale), order: state.order };
    if (state.session.status !== 'OPEN') return { kind: 'closed', state };

    const { session } = state;
    const method = normalisePaymentMethod(form.method);
    if (!method || !session.allowed_payment_methods.includes(method)) {
      return { kind: 'invalid', state, errors: { method: 'invalid' } };
    }
    const card = method === 'BANKCARD' ? checkCard(form, this.deps.clock.now()) : undefined;
    if (card && !card.ok) return { kind: 'invalid', state, errors: card.errors };
    const recurring = session.payment_type === 'RECURRING';
    // The card is stored only with the shopper's consent; a subscription cannot start without it.
    if (card && recurring && !form.consent)
      return { kind: 'invalid', state, errors: { consent: 'required' } };
    const store = card !== undefined && session.store_payment_method === 1 && form.consent;

    const body = {
      trans_id: session.trans_id,
      payment_type: session.payment_type,
      authorisation_type: session.authorisation_type,
      capture_method: session.capture_method,
      currency: session.currency,
      amount: session.amount,
      notify_url: session.notify_url,
      return_url: session.return_url,
      mit: recurring ? false : undefined,
      authentication: session.challenge_indicator
        ? { challenge_indicator: session.challenge_indicator }
        : undefined,
      payment: {
        payment_method: method,
        store_payment_method: store ? true : undefined,
        token_usage: store ? session.token_usage : undefined,
        shopper_reference: session.shopper_reference,
        ...(card?.ok ? card.fields : {}),
        holder_name:
          card && form.holder_name.trim() !== '' ? form.holder_name.trim().slice(0, 128) : undefined,
      },
    };
    // A merchant disabled since the session was made takes no more payments, here as on the API.
    const merchant = await this.deps.merchants.find(session.merchant_id);
    if (merchant?.status !== 'ACTIVE') return { kind: 'closed', state };
    let order: OrderRow;
    try {
      // The order is the session's, so it takes the wire the session was created over.
      order = await this.deps.payments.pay(
        { ...merchant, wire: session.wire },
        body,
        session.session_id,
        publicUrl,
      );
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // A second submit with another card (TRANS_ID_REUSED) finds the first one's order.
      const now = await this.deps.sessions.forPage(sessionId);
      if (now?.order) return { kind: 'redirect', url: nextStep(now.order, locale), order: now.order };
      return { kind: 'closed', state: now ?? state };
    }
    await this.deps.sessions.completed(session, order);
    return { kind: 'redirect', url: nextStep(order, locale), order };
  }

  /** Where the cancel button sends the shopper: cancel_url (else return_url) with the outcome appended. */
  async cancel(sessionId: string): Promise<string | undefined> {
    const state = await this.deps.sessions.cancel(sessionId);
    if (!state) return undefined;
    return state.order ? nextStep(state.order) : leaveUrl(state.session);
  }
}

/** Back to the shop from an unpaid session: cancel_url (else return_url) with its status added. */
export function leaveUrl(session: SessionRow): string {
  return backToShop(session.cancel_url ?? session.return_url, {
    trans_id: session.trans_id,
    session_id: session.session_id,
    status: session.status,
  });
}

/**
 * The shopper's next page: a pending 3-D Secure challenge or bank page (in the page's
 * language), else back to the shop.
 */
export function nextStep(order: OrderRow, locale: Locale = 'en'): string {
  return pendingStep(order, locale) ?? paymentReturnUrl(order);
}

/** The 3-D Secure challenge or bank page the payment waits on, if it waits on one. */
export function pendingStep(order: OrderRow, locale: Locale = 'en'): string | undefined {
  if (order.status !== 'PROCESSING' || !order.authentication_result) return undefined;
  const result = JSON.parse(order.authentication_result) as Record<string, unknown>;
  const inLocale = (url: string) => (locale === 'zh' ? `${url}?lang=zh` : url);
  if (typeof result.redirect_url === 'string') return inLocale(result.redirect_url);
  // A finished challenge has an authentication_status; only a pending one is worth visiting.
  if (typeof result.authentication_url === 'string' && result.authentication_status === undefined) {
    return inLocale(result.authentication_url);
  }
  return undefined;
}

type CardCheck =
  | { ok: true; fields: { card_no: string; exp_month: number; exp_year: number; cvv: string } }
  | { ok: false; errors: FormErrors };

/** Field by field, so the page can say which field is wrong; validateCard has the last word. */
export function checkCard(form: CheckoutForm, now: number): CardCheck {
  const errors: FormErrors = {};
  const pan = form.card_no.replace(/[\s-]/g, '');
  const brand = /^\d{12,19}$/.test(pan) ? detectBrand(pan) : undefined;
  // The page pays with BANKCARD, which an eftpos-only card cannot.
  const brands = cardBrandsFor('BANKCARD');
  if (!/^\d{12,19}$/.test(pan) || !luhnValid(pan)) errors.card_no = 'invalid';
  else if (!brand || !brands.has(brand)) errors.card_no = 'unsupported';
  else if (!allowedLengths(brand).includes(pan.length)) errors.card_no = 'invalid';

  const exp = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(form.exp);
  const month = exp ? Number(exp[1]) : 0;
  const year = exp ? (exp[2]!.length === 2 ? 2000 + Number(exp[2]) : Number(exp[2])) : 0;
  if (!exp || month < 1 || month > 12) errors.exp = 'invalid';
  else if (now >= Date.UTC(year, month, 1)) errors.exp = 'expired';

  const cvv = form.cvv.trim();
  if (!(brand === 'AMEX' ? /^\d{4}$/ : /^\d{3}$/).test(cvv)) errors.cvv = 'invalid';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (!validateCard({ pan, expMonth: month, expYear: year, cvv }, now, brands).ok) {
    return { ok: false, errors: { card_no: 'invalid' } };
  }
  return { ok: true, fields: { card_no: pan, exp_month: month, exp_year: year, cvv } };
}
