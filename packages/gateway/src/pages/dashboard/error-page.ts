/** The dashboard's answer to a missing page or a refused form, in the operator's language. */
import type { Locale } from '../../domain/locale.ts';
import { BASE, bare, t } from './shell.ts';
import { type TextKey, textOf } from './text.ts';

export function errorPage(locale: Locale, key: TextKey): string {
  const view = { locale };
  return bare(
    locale,
    textOf(locale, 'error.title'),
    `<h1>${t(view, 'error.title')}</h1><p class="error">${t(view, key)}</p><p><a href="${BASE}/payments">${t(view, 'nav.payments')}</a></p>`,
  );
}
