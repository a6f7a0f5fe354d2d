/**
 * The dashboard's look and headers: one shell with the navigation, the language switch and the
 * logout form, and the policy every dashboard answer is sent with. Nothing inline runs: styles
 * and scripts are the gateway's own files (assets.ts), so the policy needs no 'unsafe-inline'.
 */
import type { FastifyReply } from 'fastify';
import type { Locale } from '../../domain/locale.ts';
import { formatTime } from '../../domain/time.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import { escapeHtml } from '../layout.ts';
import { type TextKey, textOf } from './text.ts';

export const BASE = '/dashboard';

/** What every page of a logged-in operator knows: the language, the zone, the session's CSRF token. */
export interface View {
  locale: Locale;
  zone: TimeZone;
  csrf: string;
  /** The page's own path and query, for the language switch and the way back after a form. */
  here: string;
}

export const t = (view: { locale: Locale }, key: TextKey) => escapeHtml(textOf(view.locale, key));

/** A time as the operator reads it, in the gateway's zone. */
export function when(view: View, ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : escapeHtml(formatTime(ms, view.zone).replace('T', ' '));
}

/** The hidden field every POST form of a session carries. */
export const csrfField = (view: View) => `<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">`;

/** A POST form of one button (redeliver, disable, remove…), back to `view.here` afterwards. */
export function actionButton(view: View, action: string, label: string, fields = ''): string {
  return `<form method="post" action="${escapeHtml(action)}" class="inline">${csrfField(view)}<input type="hidden" name="back" value="${escapeHtml(view.here)}">${fields}<button type="submit">${label}</button></form>`;
}

const NAV: [string, TextKey][] = [
  ['/payments', 'nav.payments'],
  ['/notifications', 'nav.notifications'],
  ['/merchants', 'nav.merchants'],
  ['/overview', 'nav.overview'],
];

export function shell(
  view: View,
  args: { title: string; body: string; scripts?: string[]; styles?: string[] },
): string {
  const other: Locale = view.locale === 'zh' ? 'en' : 'zh';
  const sep = view.here.includes('?') ? '&' : '?';
  const links = NAV.map(([path, key]) => `<a href="${BASE}${path}">${t(view, key)}</a>`).join('');
  const styles = ['dashboard.css', ...(args.styles ?? [])]
    .map((s) => `<link rel="stylesheet" href="${BASE}/assets/${s}">`)
    .join('');
  const scripts = (args.scripts ?? []).map((s) => `<script src="${BASE}/assets/${s}"></script>`).join('');
  return document(
    view.locale,
    args.title,
    styles,
    `<header><strong>openkka</strong><nav>${links}</nav>` +
      `<a class="lang" href="${escapeHtml(view.here + sep)}lang=${other}">${other === 'zh' ? '中文' : 'English'}</a>` +
      `<form method="post" action="${BASE}/logout" class="inline">${csrfField(view)}<button type="submit" class="link">${t(view, 'logout')}</button></form></header>` +
      `<main><h1>${escapeHtml(args.title)}</h1>${args.body}</main>${scripts}`,
  );
}

/** A page outside a session (the login form). */
export function bare(locale: Locale, title: string, body: string): string {
  return document(
    locale,
    title,
    `<link rel="stylesheet" href="${BASE}/assets/dashboard.css">`,
    `<main class="narrow">${body}</main>`,
  );
}

function document(locale: Locale, title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="${locale === 'zh' ? 'zh-CN' : 'en'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · openkka</title>${head}</head>
<body>${body}</body>
</html>`;
}

/**
 * Sends a dashboard page: never cached, never framed, no referrer (payment ids are in the
 * URLs), scripts, styles and fetches from the gateway alone, forms posting only to it.
 */
export function sendDashboard(reply: FastifyReply, status: number, html: string) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header(
      'content-security-policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    .type('text/html; charset=utf-8')
    .send(html);
}
