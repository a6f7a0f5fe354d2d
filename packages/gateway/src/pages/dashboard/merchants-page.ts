/**
 * The merchants list with the form that creates one, and one merchant's page: its keys (add,
 * remove), notify URL, status and client key. A private key made here is shown on the answer
 * to the post that made it, once.
 */
import type { MerchantKeyRow, MerchantRow } from '../../core/merchants/repo.ts';
import { newFormId } from '../../modules/dashboard/sessions.ts';
import { escapeHtml } from '../layout.ts';
import { actionButton, BASE, csrfField, shell, t, type View, when } from './shell.ts';
import { textOf } from './text.ts';

export interface Flash {
  /** What went wrong (a MerchantError's message), shown above the page, HTTP 400. */
  error?: string | undefined;
  notice?: string | undefined;
  /** A private key made by this answer's post: the only time it is shown. */
  privateKeyPem?: string | undefined;
}

const merchantPath = (id: string) => `${BASE}/merchants/${encodeURIComponent(id)}`;

function flash(view: View, f: Flash): string {
  const error = f.error ? `<p class="error" role="alert">${escapeHtml(f.error)}</p>` : '';
  const notice = f.notice ? `<p class="notice" role="status">${escapeHtml(f.notice)}</p>` : '';
  const secret = f.privateKeyPem
    ? `<div class="secret"><strong>${t(view, 'merchants.privateKey')}</strong><pre id="private-key">${escapeHtml(f.privateKeyPem)}</pre></div>`
    : '';
  return error + notice + secret;
}

/**
 * The key fields of a form: generate (the default), or paste a public key; and the form's
 * one-time id, so a reload that posts it again neither acts twice nor shows a second key.
 */
function keyFields(view: View): string {
  return `<input type="hidden" name="once" value="${newFormId()}"><label class="check"><input type="checkbox" name="generate" value="1" checked> ${t(view, 'merchants.generate')}</label>
<label>${t(view, 'merchants.upload')}<textarea name="public_key" rows="4" placeholder="-----BEGIN PUBLIC KEY-----"></textarea></label>`;
}

export function merchantsPage(view: View, merchants: MerchantRow[], f: Flash = {}): string {
  const rows = merchants
    .map(
      (m) =>
        `<tr><td><a href="${merchantPath(m.merchant_id)}">${escapeHtml(m.merchant_id)}</a></td><td>${escapeHtml(m.name)}</td><td><span class="status m-${m.status}">${m.status}</span></td><td class="url">${escapeHtml(m.notify_url ?? '—')}</td><td>${escapeHtml(m.client_key)}</td><td>${when(view, m.created_at)}</td></tr>`,
    )
    .join('');
  const create = `<form method="post" action="${BASE}/merchants" class="stack">${csrfField(view)}
<label>${t(view, 'col.name')}<input name="name" required maxlength="200"></label>
<label>${t(view, 'col.notifyUrl')}<input name="notify_url" type="url" placeholder="https://shop.example/notify"></label>
${keyFields(view)}
<button type="submit">${t(view, 'merchants.create')}</button></form>`;
  return shell(view, {
    title: textOf(view.locale, 'merchants.title'),
    body: `${flash(view, f)}<table class="merchants"><thead><tr><th>${t(view, 'col.merchant')}</th><th>${t(view, 'col.name')}</th><th>${t(view, 'merchants.status')}</th><th>${t(view, 'col.notifyUrl')}</th><th>${t(view, 'col.clientKey')}</th><th>${t(view, 'col.time')}</th></tr></thead><tbody>${rows}</tbody></table>
<section><h2>${t(view, 'merchants.create')}</h2>${create}</section>`,
  });
}

export function merchantPage(view: View, m: MerchantRow, keys: MerchantKeyRow[], f: Flash = {}): string {
  const path = merchantPath(m.merchant_id);
  const keyRows = keys
    .map(
      (k) =>
        `<tr><td>${escapeHtml(k.key_id)}</td><td>${when(view, k.created_at)}</td><td>${actionButton(view, `${path}/keys/${encodeURIComponent(k.key_id)}/remove`, t(view, 'merchants.removeKey'))}</td></tr>`,
    )
    .join('');
  const addKey = `<form method="post" action="${path}/keys" class="stack">${csrfField(view)}${keyFields(view)}<button type="submit">${t(view, 'merchants.addKey')}</button></form>`;
  const notify = `<form method="post" action="${path}/notify-url" class="row">${csrfField(view)}<input name="notify_url" type="url" value="${escapeHtml(m.notify_url ?? '')}" aria-label="${t(view, 'col.notifyUrl')}"><button type="submit">${t(view, 'merchants.notifyUrl')}</button></form>`;
  const enabled = m.status === 'ACTIVE';
  const status = actionButton(
    view,
    `${path}/status`,
    t(view, enabled ? 'merchants.disable' : 'merchants.enable'),
    `<input type="hidden" name="enabled" value="${enabled ? '0' : '1'}">`,
  );
  const rotate = actionButton(view, `${path}/client-key`, t(view, 'merchants.rotateClientKey'));
  const previous = m.previous_client_key
    ? `<p class="muted">${escapeHtml(m.previous_client_key)} → ${when(view, m.previous_client_key_expires_at)}</p>`
    : '';
  return shell(view, {
    title: `${textOf(view.locale, 'col.merchant')} ${m.merchant_id}`,
    body: `${flash(view, f)}<dl><dt>${t(view, 'col.name')}</dt><dd>${escapeHtml(m.name)}</dd>
<dt>${t(view, 'merchants.status')}</dt><dd><span class="status m-${m.status}">${m.status}</span> ${status}</dd>
<dt>${t(view, 'col.clientKey')}</dt><dd><code id="client-key">${escapeHtml(m.client_key)}</code> ${rotate}${previous}</dd>
<dt>${t(view, 'col.notifyUrl')}</dt><dd>${notify}</dd></dl>
<section><h2>${t(view, 'col.keys')}</h2><table class="keys"><tbody>${keyRows}</tbody></table>${addKey}</section>
<p><a href="${BASE}/payments?merchant=${encodeURIComponent(m.merchant_id)}">${t(view, 'nav.payments')}</a></p>`,
  });
}
