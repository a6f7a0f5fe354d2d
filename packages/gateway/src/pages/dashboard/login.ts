/**
 * GET and POST /dashboard/login, POST /dashboard/logout. The token is compared as SHA-256
 * digests in constant time (neither its bytes nor its length show in how long a refusal
 * takes); a login from another site is refused, so no page can log a browser in unasked.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Locale } from '../../domain/locale.ts';
import type { DashboardSessions } from '../../modules/dashboard/sessions.ts';
import { escapeHtml, formOf, seeOther } from '../layout.ts';
import { errorPage } from './error-page.ts';
import {
  authorized,
  clearSessionCookie,
  cookie,
  crossSite,
  type Guard,
  localeOf,
  SESSION_COOKIE,
  setSessionCookie,
} from './session.ts';
import { BASE, bare, sendDashboard, t } from './shell.ts';
import { textOf } from './text.ts';

export interface LoginDeps extends Guard {
  sessions: DashboardSessions;
  token: string;
  publicUrl: string | undefined;
}

export function loginRoutes(app: FastifyInstance, deps: LoginDeps): void {
  const expected = digest(deps.token);

  app.get(`${BASE}/login`, async (request, reply) => {
    const locale = localeOf(request, reply);
    if (await deps.sessions.valid(cookie(request, SESSION_COOKIE)))
      return seeOther(reply, `${BASE}/payments`);
    return sendDashboard(reply, 200, loginPage(locale, false));
  });

  app.post(`${BASE}/login`, async (request, reply) => {
    const locale = localeOf(request, reply);
    if (crossSite(request)) return sendDashboard(reply, 403, errorPage(locale, 'error.forbidden'));
    const given = formOf(request).get('token') ?? '';
    if (!timingSafeEqual(digest(given), expected)) return sendDashboard(reply, 401, loginPage(locale, true));
    setSessionCookie(reply, request, await deps.sessions.start(), deps.publicUrl);
    return seeOther(reply, `${BASE}/payments`);
  });

  app.post(`${BASE}/logout`, async (request, reply) => {
    if (!(await authorized(deps, request, reply))) return reply;
    await deps.sessions.end(cookie(request, SESSION_COOKIE));
    clearSessionCookie(reply, request, deps.publicUrl);
    return seeOther(reply, `${BASE}/login`);
  });
}

function loginPage(locale: Locale, wrong: boolean): string {
  const view = { locale };
  return bare(
    locale,
    textOf(locale, 'login.title'),
    `<h1>${t(view, 'login.title')}</h1>
${wrong ? `<p class="error" role="alert">${t(view, 'login.wrong')}</p>` : ''}
<form method="post" action="${BASE}/login">
<label for="token">${t(view, 'login.token')}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<p class="muted">${t(view, 'login.hint')}</p>
<button type="submit">${t(view, 'login.submit')}</button>
</form>
<p class="muted"><a href="?lang=${locale === 'zh' ? 'en' : 'zh'}">${escapeHtml(locale === 'zh' ? 'English' : '中文')}</a></p>`,
  );
}

const digest = (text: string) => createHash('sha256').update(text).digest();
