/**
 * The hosted checkout page (docs/three-ds.md): the merchant's name, the order's goods and who it
 * is for when the session says, the amount, a card form, the other methods the session allows,
 * the deadline and a way back. The card form posts to the page's own URL: the session id in the
 * path is the only key, the page holds no merchant secret and sets no cookie, so there is
 * nothing for a forged request to borrow (see docs/checkout.md).
 */

import type { Locale } from '../../domain/locale.ts';
import { METHOD_NAMES } from '../../domain/payment-methods.ts';
import { formatTime } from '../../domain/time.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import type { FormErrors } from '../../modules/sessions/checkout.ts';
import type { SessionRow } from '../../modules/sessions/repo.ts';
import { escapeHtml, formatAmount, layout } from '../layout.ts';
import { ORDER_SUMMARY_STYLE, orderSummary } from './order-summary.ts';
import { checkoutScript } from './page-script.ts';
import { CHECKOUT_TEXT } from './page-text.ts';

export interface CheckoutPageArgs {
  locale: Locale;
  session: SessionRow;
  merchantName: string;
  nonce: string;
  now: number;
  /** The gateway's zone, in which the deadline is shown. */
  timeZone: TimeZone;
  errors?: FormErrors;
  /** What the shopper typed that may be shown again (never the card number or CVV). */
  kept?: { exp?: string; holder_name?: string };
}

export function checkoutPage(args: CheckoutPageArgs): string {
  const { locale, session, merchantName, errors = {} } = args;
  const t = CHECKOUT_TEXT[locale];
  const amount = formatAmount(session.amount, session.currency);
  const merchant = escapeHtml(merchantName);
  const lang = `<input type="hidden" name="lang" value="${locale}">`;
  const expires = formatTime(session.expire_at, args.timeZone);
  const offset = expires.slice(19);
  const expiresText = `${expires.slice(0, 10)} ${expires.slice(11, 16)} (UTC${offset === '+00:00' ? '' : offset})`;
  const { cardForm, otherForms, others } = paymentForms(args);
  const summary = orderSummary(session.order_details, session.currency, locale);
  const body = `
    <p class="muted" id="merchant">${merchant}</p>
    <h1>${escapeHtml(t.pay(merchantName))}</h1>
    ${summary.goods}
    <p class="total"><span>${t.total}</span><strong id="amount">${escapeHtml(amount)}</strong></p>
    ${summary.parties}
    <p class="hint">${t.expires} <time id="expires" datetime="${expires}">${expiresText}</time></p>
    ${errors.method ? `<p class="error" role="alert">${escapeHtml(t.errors.method.invalid)}</p>` : ''}
    ${cardForm}
    ${others.length > 0 && cardForm ? `<p class="divider">${t.orPayWith}</p>` : ''}
    ${otherForms}
    <form method="post" action="/checkout/${escapeHtml(session.session_id)}/cancel">
      ${lang}
      <button type="submit" class="link">${escapeHtml(t.cancel(merchantName))}</button>
    </form>
    <p class="muted">${t.footer}</p>`;
  return layout({
    locale,
    title: `${t.title} · ${merchantName}`,
    body,
    style: ORDER_SUMMARY_STYLE,
    script: cardForm ? { nonce: args.nonce, code: checkoutScript(t, args.now) } : undefined,
  });
}

/**
 * The card form and a button for each other method the session allows: the checkout page's
 * and the card frame's on the merchant's page (whose Card component leaves the others out).
 */
export type FormArgs = Omit<CheckoutPageArgs, 'nonce' | 'now' | 'timeZone'>;

export function paymentForms(
  args: FormArgs,
  only: { cardOnly?: boolean } = {},
): { cardForm: string; otherForms: string; others: string[] } {
  const { locale, session, errors = {}, kept = {} } = args;
  const t = CHECKOUT_TEXT[locale];
  const amount = formatAmount(session.amount, session.currency);
  const fieldError = (field: keyof FormErrors) => {
    const problem = errors[field];
    const all = t.errors[field] as Record<string, string>;
    return problem ? escapeHtml(all[problem] ?? '') : '';
  };
  const invalid = (field: keyof FormErrors) => (errors[field] ? ' aria-invalid="true"' : '');
  const lang = `<input type="hidden" name="lang" value="${locale}">`;
  const cardForm = session.allowed_payment_methods.includes('BANKCARD')
    ? `
    <form method="post" id="card-form" novalidate>
      ${lang}
      <input type="hidden" name="method" value="BANKCARD">
      <label for="card_no">${t.cardNumber}</label>
      <div class="card-field">
        <input id="card_no" name="card_no" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234"
               aria-describedby="card_no-error" required${invalid('card_no')}>
        <span id="brand" class="brand" data-brand=""></span>
      </div>
      <p class="field-error" id="card_no-error" role="alert">${fieldError('card_no')}</p>
      <div class="row">
        <div>
          <label for="exp">${t.expiry}</label>
          <input id="exp" name="exp" inputmode="numeric" autocomplete="cc-exp" placeholder="${t.expiryPlaceholder}"
                 aria-describedby="exp-error" required value="${escapeHtml(kept.exp ?? '')}"${invalid('exp')}>
          <p class="field-error" id="exp-error" role="alert">${fieldError('exp')}</p>
        </div>
        <div>
          <label for="cvv">${t.cvv}</label>
          <input id="cvv" name="cvv" inputmode="numeric" autocomplete="cc-csc" maxlength="4"
                 aria-describedby="cvv-error" required${invalid('cvv')}>
          <p class="field-error" id="cvv-error" role="alert">${fieldError('cvv')}</p>
        </div>
      </div>
      <label for="holder_name">${t.holder}</label>
      <input id="holder_name" name="holder_name" autocomplete="cc-name" value="${escapeHtml(kept.holder_name ?? '')}">
      ${consentBox(args)}
      <p class="error" id="form-error" role="alert">${Object.keys(errors).length > 0 ? t.formError : ''}</p>
      <button type="submit" id="pay">${escapeHtml(t.payButton(amount))}</button>
    </form>`
    : '';
  const others = only.cardOnly ? [] : session.allowed_payment_methods.filter((m) => m !== 'BANKCARD');
  const otherForms = others
    .map(
      (m) => `
    <form method="post">
      ${lang}
      <input type="hidden" name="method" value="${m}">
      <button type="submit" class="secondary">${escapeHtml(t.payWith(METHOD_NAMES[m] ?? m))}</button>
    </form>`,
    )
    .join('');
  return { cardForm, otherForms, others };
}

/** Shown only when the session stores the card; required for a subscription (a RECURRING session). */
function consentBox(args: FormArgs): string {
  const { session, locale, merchantName, errors = {} } = args;
  if (session.store_payment_method !== 1) return '';
  const t = CHECKOUT_TEXT[locale];
  const recurring = session.payment_type === 'RECURRING';
  const label = recurring ? t.consentSubscription(merchantName) : t.consentCardOnFile(merchantName);
  return `
      <label class="consent" for="consent">
        <input type="checkbox" id="consent" name="consent" value="yes"${recurring ? ' required' : ''}
               aria-describedby="consent-error">
        <span>${escapeHtml(label)}</span>
      </label>
      <p class="field-error" id="consent-error" role="alert">${errors.consent ? escapeHtml(t.errors.consent.required) : ''}</p>`;
}

export type CheckoutMessage = 'expired' | 'canceled' | 'unavailable' | 'missing';

export function checkoutMessage(
  locale: Locale,
  kind: CheckoutMessage,
  back?: { url: string; merchantName: string },
): string {
  const t = CHECKOUT_TEXT[locale];
  const [title, text] = (
    {
      expired: [t.expiredTitle, t.expiredBody],
      canceled: [t.canceledTitle, t.canceledBody],
      unavailable: [t.title, t.unavailableBody],
      missing: [t.missingTitle, t.missingBody],
    } as const
  )[kind];
  const link = back
    ? `<p><a id="back" href="${escapeHtml(back.url)}">${escapeHtml(t.backToShop(back.merchantName))}</a></p>`
    : '';
  return layout({ locale, title, body: `<h1>${title}</h1><p id="message">${text}</p>${link}` });
}
