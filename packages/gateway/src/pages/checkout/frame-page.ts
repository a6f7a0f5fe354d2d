/**
 * The card frame: the page /cp/card-checkout-ui.js puts in an iframe on the merchant's page.
 * It is the hosted checkout page's card form (and, for the drop-in, its other methods) without
 * the page around it, on the gateway's origin, so the card is typed into a document the
 * merchant's page cannot read. Its script (/cp/card-frame.js) reads its settings from a JSON
 * block here; the hosted page's own form script formats and checks the card.
 */
import type { Locale } from '../../domain/locale.ts';
import type { SessionRow } from '../../modules/sessions/repo.ts';
import { escapeHtml, formatAmount, layout } from '../layout.ts';
import { ORDER_SUMMARY_STYLE, orderSummary } from './order-summary.ts';
import { paymentForms } from './page.ts';
import { checkoutScript } from './page-script.ts';
import { CHECKOUT_TEXT } from './page-text.ts';

export type FrameComponent = 'card' | 'dropin';
/** Why a frame cannot take a payment: shown in it, and told to the library. */
export type FrameClosed = 'expired' | 'canceled' | 'unavailable' | 'missing';

export const FRAME_SCRIPT_PATH = '/cp/card-frame.js';

// The frame sits inside the merchant's layout: no card of its own around the form.
const FRAME_STYLE = `
  body { background: transparent; }
  main { margin: 0; max-width: none; box-shadow: none; border-radius: 0; padding: 2px 4px 8px; background: transparent; }
  label:first-of-type { margin-top: 4px; }
  .no-button #pay { display: none; }
`;

interface FrameSettings {
  session_id: string;
  client_key: string;
  /** The merchant page's origin: the only one messages go to or are read from. */
  parent: string;
  locale: Locale;
  closed: FrameClosed | null;
  methods: string[];
  expires_in_ms: number;
}

function shell(
  locale: Locale,
  body: string,
  settings: FrameSettings,
  script?: { nonce: string; code: string },
): string {
  const t = CHECKOUT_TEXT[locale];
  const data = { ...settings, pay: `/cp/frame/${settings.session_id}/pay`, text: t };
  // JSON in a data block is never run; "<" is escaped so no value can close the element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return layout({
    locale,
    title: t.frameTitle,
    body,
    style: FRAME_STYLE + ORDER_SUMMARY_STYLE,
    ...(script ? { script } : {}),
    tail: `\n<script type="application/json" id="frame-config">${json}</script>\n<script src="${FRAME_SCRIPT_PATH}"></script>`,
  });
}

export function framePage(args: {
  locale: Locale;
  session: SessionRow;
  merchantName: string;
  component: FrameComponent;
  parent: string;
  clientKey: string;
  hideButton: boolean;
  nonce: string;
  now: number;
}): string {
  const { locale, session } = args;
  const t = CHECKOUT_TEXT[locale];
  const { cardForm, otherForms, others } = paymentForms(args, { cardOnly: args.component === 'card' });
  const body = `<div class="${args.hideButton ? 'no-button' : ''}">
    ${args.component === 'dropin' ? dropInSummary(session, locale) : ''}
    ${cardForm}
    ${others.length > 0 && cardForm ? `<p class="divider">${t.orPayWith}</p>` : ''}
    ${otherForms}
    <p class="error" id="frame-message" role="alert"></p>
  </div>`;
  const settings: FrameSettings = {
    session_id: session.session_id,
    client_key: args.clientKey,
    parent: args.parent,
    locale,
    closed: null,
    methods: args.component === 'card' ? ['BANKCARD'] : session.allowed_payment_methods,
    expires_in_ms: Math.max(0, session.expire_at - args.now),
  };
  const formScript = cardForm ? { nonce: args.nonce, code: checkoutScript(t, args.now) } : undefined;
  return shell(locale, body, settings, formScript);
}

/**
 * The drop-in shows what the hosted page shows above its form: the goods with the total, and
 * who they are for. The Card component is the card fields alone, inside the merchant's own page.
 */
function dropInSummary(session: SessionRow, locale: Locale): string {
  const { goods, parties } = orderSummary(session.order_details, session.currency, locale);
  const total = goods
    ? `<p class="total"><span>${CHECKOUT_TEXT[locale].total}</span><strong id="amount">${escapeHtml(
        formatAmount(session.amount, session.currency),
      )}</strong></p>`
    : '';
  return `${goods}${total}${parties}`;
}

/** A frame that cannot take a payment: says why, and (its script) tells the library. */
export function frameClosedPage(args: {
  locale: Locale;
  kind: FrameClosed;
  parent: string;
  sessionId: string;
}): string {
  const t = CHECKOUT_TEXT[args.locale];
  const text = {
    expired: t.expiredBody,
    canceled: t.canceledBody,
    unavailable: t.unavailableBody,
    missing: t.missingBody,
  }[args.kind];
  const settings: FrameSettings = {
    session_id: args.sessionId,
    client_key: '',
    parent: args.parent,
    locale: args.locale,
    closed: args.kind,
    methods: [],
    expires_in_ms: 0,
  };
  return shell(
    args.locale,
    `<main><p class="error" id="frame-message" role="alert">${text}</p></main>`,
    settings,
  );
}
