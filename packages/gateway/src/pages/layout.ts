/**
 * The one look of every shopper-facing page (3-D Secure, bank/wallet page, hosted checkout):
 * the HTML shell, the stylesheet, the locale choice, escaping, amounts, and the headers every
 * page is sent with. Pages are server-rendered; only the checkout page carries a script.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Locale } from '../domain/locale.ts';
import { findCurrency, formatMajor } from '../domain/money.ts';

/** The first given preference decides: `zh…` (zh, zh-CN, zh-Hant-TW…) is Chinese, anything else English. */
export function pickLocale(...preferences: (string | undefined | null)[]): Locale {
  const wanted = preferences.find((p) => p !== undefined && p !== null && p !== '') ?? '';
  return wanted.trim().toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

// Named escapeHtml, not escape: that name shadows the global escape() and fails `biome check`.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "42.50 USD": major units with the currency's own exponent. */
export function formatAmount(amount: number, currencyCode: string): string {
  const currency = findCurrency(currencyCode);
  return currency ? `${formatMajor(amount, currency)} ${currencyCode}` : `${amount} ${currencyCode}`;
}

const PAGE_STYLE = `
  body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; background: #f4f5f7; margin: 0; color: #1d2330; }
  main { max-width: 440px; margin: 48px auto; background: #fff; border-radius: 12px; padding: 28px 32px;
         box-shadow: 0 4px 24px rgba(20, 30, 60, .08); }
  h1 { font-size: 1.35rem; margin: 0 0 8px; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 6px 16px; margin: 20px 0; }
  dt { color: #5b6475; } dd { margin: 0; font-weight: 600; }
  .hint { background: #eef4ff; padding: 10px 12px; border-radius: 8px; }
  .muted { color: #5b6475; font-size: .9rem; }
  .error { color: #b42318; }
  .field-error { color: #b42318; font-size: .9rem; margin: 4px 0 0; min-height: 1.1em; }
  label { display: block; margin: 16px 0 6px; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; font-size: 1.1rem; padding: 10px; border: 1px solid #c5cad3;
          border-radius: 8px; }
  input[aria-invalid="true"] { border-color: #b42318; }
  input.code { letter-spacing: .3em; font-size: 1.2rem; }
  button { width: 100%; margin-top: 14px; padding: 12px; font-size: 1rem; border-radius: 8px; border: 0;
           background: #2456d3; color: #fff; cursor: pointer; }
  button.secondary { background: transparent; color: #2456d3; border: 1px solid #2456d3; }
  button.link { background: none; color: #2456d3; text-decoration: underline; padding: 8px; margin-top: 8px; }
  button:disabled { opacity: .6; cursor: progress; }
  .total { display: flex; justify-content: space-between; align-items: baseline; font-size: 1.1rem;
           border-bottom: 1px solid #e3e6eb; padding-bottom: 14px; }
  .total strong { font-size: 1.5rem; }
  .card-field { position: relative; }
  .card-field input { padding-right: 64px; }
  .brand { position: absolute; right: 10px; top: 50%; transform: translateY(-50%); height: 26px; }
  .brand svg { height: 26px; width: auto; display: block; }
  .row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 14px; }
  .consent { display: flex; gap: 10px; align-items: flex-start; font-weight: 400; }
  .consent input { width: auto; margin-top: 4px; }
  .divider { text-align: center; color: #5b6475; margin: 22px 0 4px; font-size: .9rem; }
  @media (max-width: 480px) { main { margin: 0; border-radius: 0; min-height: 100vh; padding: 24px 20px; } }
`;

export function layout(args: {
  locale: Locale;
  title: string;
  body: string;
  /** A page script, run under the nonce its Content-Security-Policy names. */
  script?: { nonce: string; code: string };
  /** More style after the common one (the card frame drops the card look). */
  style?: string;
  /** Markup after the page script: the card frame's settings and its script file. */
  tail?: string;
}): string {
  const script = args.script ? `\n<script nonce="${args.script.nonce}">${args.script.code}</script>` : '';
  return `<!doctype html>
<html lang="${args.locale === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(args.title)}</title>
<style>${PAGE_STYLE}${args.style ?? ''}</style>
</head>
<body><main>${args.body}</main>${script}${args.tail ?? ''}</body>
</html>`;
}

/** A page's form post, as the raw body the page routes receive (application/x-www-form-urlencoded). */
export function formOf(request: FastifyRequest): URLSearchParams {
  return new URLSearchParams(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '');
}

/** After a form post: the browser goes on with a GET (303 See Other). */
export function seeOther(reply: FastifyReply, url: string) {
  return reply.code(303).header('location', url).send();
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface PageOptions {
  /** The nonce the page's own script runs under. */
  nonce?: string;
  /** A card frame: the one origin that may frame it. */
  framedBy?: string;
  /** The https sources of the merchant's product pictures a checkout shows. */
  images?: readonly string[];
  /**
   * The merchant URLs the page's forms lead to: each form posts to the page itself, which
   * answers with a redirect to the shop (return_url, cancel_url), and browsers hold that
   * redirect to form-action too.
   */
  formTargets?: readonly (string | null | undefined)[];
}

/**
 * Sends a page: never cached, never framed, no referrer (the URL is the page's only key), and
 * nothing loaded from anywhere: inline styles, and the page's own script when a nonce is given.
 * Its forms post to the gateway and from there lead only to `formTargets`. A card frame
 * (`framedBy`) is the exception: only that one origin may frame it, and it may load the
 * gateway's own scripts and call the gateway, but no form of it may post anywhere.
 */
export function sendPage(reply: FastifyReply, status: number, page: string, options: PageOptions = {}) {
  const { nonce, framedBy, images = [] } = options;
  const own = framedBy ? " 'self'" : '';
  const scripts = nonce || framedBy ? `script-src${nonce ? ` 'nonce-${nonce}'` : ''}${own}; ` : '';
  const forms = framedBy ? "'none'" : ["'self'", ...formSources(options.formTargets ?? [])].join(' ');
  const frame = framedBy ? `connect-src 'self'; frame-ancestors ${framedBy}` : "frame-ancestors 'none'";
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header(
      'content-security-policy',
      `default-src 'none'; ${scripts}style-src 'unsafe-inline'; img-src ${['data:', ...images].join(' ')}; base-uri 'none'; form-action ${forms}; ${frame}`,
    )
    .type('text/html; charset=utf-8')
    .send(page);
}

/**
 * The CSP sources of `urls`: each http(s) URL's origin. A CSP host is a name or an IPv4
 * address; an IPv6 literal cannot be written as one, so its scheme stands in for it.
 */
function formSources(urls: readonly (string | null | undefined)[]): string[] {
  const sources = new Set<string>();
  for (const url of urls) {
    if (!url || !URL.canParse(url)) continue;
    const { protocol, host } = new URL(url);
    if (protocol !== 'https:' && protocol !== 'http:') continue;
    sources.add(/^[a-z0-9.-]+(?::\d+)?$/.test(host) ? `${protocol}//${host}` : protocol);
  }
  return [...sources];
}
