/**
 * The session cookie and the checks every dashboard route passes: a page needs a live session
 * (else the login form), and a form post needs a live session, its CSRF token, and a browser
 * that does not say it came from another site.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Locale } from '../../domain/locale.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import {
  csrfMatches,
  csrfToken,
  type DashboardSessions,
  SESSION_LIFETIME_MS,
} from '../../modules/dashboard/sessions.ts';
import { formOf, pickLocale, seeOther } from '../layout.ts';
import { errorPage } from './error-page.ts';
import { BASE, sendDashboard, type View } from './shell.ts';

export const SESSION_COOKIE = 'openkka_dashboard';
const LANG_COOKIE = 'openkka_dashboard_lang';

export function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of String(request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** Secure whenever the browser reached the gateway over https (directly or through a trusted proxy). */
function cookieFlags(request: FastifyRequest, publicUrl: string | undefined): string {
  const secure = request.protocol === 'https' || publicUrl?.startsWith('https:') === true;
  return `Path=${BASE}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  id: string,
  publicUrl?: string,
) {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${id}; Max-Age=${SESSION_LIFETIME_MS / 1000}; ${cookieFlags(request, publicUrl)}`,
  );
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest, publicUrl?: string) {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Max-Age=0; ${cookieFlags(request, publicUrl)}`);
}

/** `?lang=` switches and is remembered in a cookie; else the cookie; else the browser's languages. */
export function localeOf(request: FastifyRequest, reply: FastifyReply): Locale {
  const asked = (request.query as { lang?: unknown } | undefined)?.lang;
  if (asked === 'en' || asked === 'zh') {
    reply.header('set-cookie', `${LANG_COOKIE}=${asked}; Path=${BASE}; SameSite=Strict; Max-Age=31536000`);
    return asked;
  }
  return pickLocale(cookie(request, LANG_COOKIE), request.headers['accept-language']);
}

/** A browser's word that a request came from another site (Fetch Metadata); absent is allowed. */
export function crossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

export interface Guard {
  sessions: DashboardSessions;
  zone: TimeZone;
}

/**
 * The view of a logged-in operator, or undefined after the answer was sent: a page without a
 * session goes to the login form, a post without one (or without its CSRF token) is refused.
 */
export async function authorized(
  guard: Guard,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<{ view: View; form: URLSearchParams } | undefined> {
  const id = cookie(request, SESSION_COOKIE);
  const locale = localeOf(request, reply);
  const live = await guard.sessions.valid(id);
  const here = hereOf(request.url);
  if (request.method !== 'POST') {
    if (!live) {
      seeOther(reply, `${BASE}/login`);
      return undefined;
    }
    return { view: { locale, zone: guard.zone, csrf: csrfToken(id!), here }, form: new URLSearchParams() };
  }
  const form = formOf(request);
  if (!live || crossSite(request) || !csrfMatches(id!, form.get('csrf'))) {
    sendDashboard(reply, 403, errorPage(locale, 'error.forbidden'));
    return undefined;
  }
  return { view: { locale, zone: guard.zone, csrf: csrfToken(id!), here: backOf(form) }, form };
}

/** The page's path and query without `lang`, which only switches the language. */
function hereOf(url: string): string {
  const parsed = new URL(url, 'http://gateway');
  parsed.searchParams.delete('lang');
  return parsed.pathname + parsed.search;
}

/** Where a form goes back to: a dashboard path it names, never another site. */
export function backOf(form: URLSearchParams): string {
  const back = form.get('back') ?? '';
  return /^\/dashboard(\/[A-Za-z0-9/_.-]*)?(\?[^\\\s]*)?$/.test(back) && !back.includes('//')
    ? back
    : `${BASE}/payments`;
}
