/**
 * The checkout page's only script: formats the card number, shows the brand icon as the BIN
 * is typed, and checks Luhn, expiry and CVV before anything is sent, so a typo costs no round
 * trip. It is a convenience: the server checks the same again (checkout.ts). The brand table
 * is the server's own (domain/card.ts), so the two never disagree on what a card is.
 */
import { BIN_RANGES, LENGTHS } from '../../domain/card.ts';
import { cardBrandsFor } from '../../domain/payment-methods.ts';
import { BRAND_ICONS } from './brand-icons.ts';
import type { CheckoutText } from './page-text.ts';

export function checkoutScript(text: CheckoutText, nowMs: number): string {
  const data = {
    // The page's card form pays with BANKCARD: an eftpos-only card is not one it takes.
    ranges: BIN_RANGES.filter((range) => cardBrandsFor('BANKCARD').has(range.brand)),
    lengths: LENGTHS,
    icons: BRAND_ICONS,
    errors: text.errors,
    formError: text.formError,
    // The server's clock, so the page and the server agree on what "expired" means.
    now: nowMs,
  };
  // JSON inside a script element: "<" is escaped so no value can close the element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `(() => {
  const D = ${json};
  const form = document.getElementById('card-form');
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const num = $('card_no'), exp = $('exp'), cvv = $('cvv'), icon = $('brand'), summary = $('form-error');
  const digits = (v) => v.replace(/\\D/g, '');
  const brandOf = (pan) => {
    for (const r of D.ranges) {
      if (pan.length < r.digits) continue;
      const p = Number(pan.slice(0, r.digits));
      if (p >= r.from && p <= r.to) return r.brand;
    }
    return undefined;
  };
  const luhn = (pan) => {
    let sum = 0, dbl = false;
    for (let i = pan.length - 1; i >= 0; i--) {
      let d = pan.charCodeAt(i) - 48;
      if (dbl) { d *= 2; if (d > 9) d -= 9; }
      sum += d; dbl = !dbl;
    }
    return sum % 10 === 0;
  };
  const show = (field, message) => {
    const input = $(field), out = $(field + '-error');
    if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
    if (out) out.textContent = message || '';
  };
  num.addEventListener('input', () => {
    const pan = digits(num.value).slice(0, 19);
    const brand = brandOf(pan);
    const groups = brand === 'AMEX' ? [4, 6, 5] : [4, 4, 4, 4, 3];
    const parts = []; let at = 0;
    for (const g of groups) { if (at >= pan.length) break; parts.push(pan.slice(at, at + g)); at += g; }
    num.value = parts.join(' ');
    icon.innerHTML = brand ? D.icons[brand] : '';
    icon.dataset.brand = brand || '';
    show('card_no', '');
  });
  exp.addEventListener('input', (e) => {
    const d = digits(exp.value).slice(0, 4);
    const deleting = e.inputType && e.inputType.startsWith('delete');
    exp.value = d.length > 2 || (d.length === 2 && !deleting) ? d.slice(0, 2) + ' / ' + d.slice(2) : d;
    show('exp', '');
  });
  cvv.addEventListener('input', () => { cvv.value = digits(cvv.value).slice(0, 4); show('cvv', ''); });
  form.addEventListener('submit', (event) => {
    const pan = digits(num.value), brand = brandOf(pan);
    const errors = {};
    if (pan.length < 12 || !luhn(pan)) errors.card_no = D.errors.card_no.invalid;
    else if (!brand) errors.card_no = D.errors.card_no.unsupported;
    else if (!D.lengths[brand].includes(pan.length)) errors.card_no = D.errors.card_no.invalid;
    const m = /^(\\d{2})(\\d{2})$/.exec(digits(exp.value));
    const month = m ? Number(m[1]) : 0, year = m ? 2000 + Number(m[2]) : 0;
    if (!m || month < 1 || month > 12) errors.exp = D.errors.exp.invalid;
    else if (D.now >= Date.UTC(year, month, 1)) errors.exp = D.errors.exp.expired;
    if (!(brand === 'AMEX' ? /^\\d{4}$/ : /^\\d{3}$/).test(cvv.value)) errors.cvv = D.errors.cvv.invalid;
    const consent = $('consent');
    if (consent && consent.required && !consent.checked) errors.consent = D.errors.consent.required;
    for (const field of ['card_no', 'exp', 'cvv', 'consent']) show(field, errors[field]);
    const first = Object.keys(errors)[0];
    if (first) {
      event.preventDefault();
      summary.textContent = D.formError;
      $(first).focus();
      return;
    }
    summary.textContent = '';
    // One press, one payment: the server is idempotent anyway, this spares the shopper a wait.
    const button = $('pay');
    setTimeout(() => { button.disabled = true; }, 0);
  });
})();`;
}
