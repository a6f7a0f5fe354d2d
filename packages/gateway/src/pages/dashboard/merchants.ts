/**
 * The merchants pages: list and create, and per merchant its keys, notify URL, status and
 * client key, each change made by MerchantService (the CLI's operations, not a copy). A refused
 * change is shown with MerchantService's reason, HTTP 400.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { MerchantError, type MerchantService } from '../../core/merchants/service.ts';
import { DEFAULT_CLIENT_KEY_GRACE_MS } from '../../domain/client-key.ts';
import { newMerchantKeyPair } from '../../modules/dashboard/key-pairs.ts';
import { seeOther } from '../layout.ts';
import { errorPage } from './error-page.ts';
import { type Flash, merchantPage, merchantsPage } from './merchants-page.ts';
import { authorized, type Guard } from './session.ts';
import { BASE, sendDashboard, type View } from './shell.ts';
import { textOf } from './text.ts';

export interface MerchantPagesDeps extends Guard {
  merchants: MerchantService;
}

/** A form that makes a key posted a second time (a reload): refused, nothing made or shown again. */
class RepeatedForm extends MerchantError {}

/** The public key a form gives: the pasted one, else a pair made now (its private half for the answer). */
async function keyOf(form: URLSearchParams): Promise<{ publicKeyPem: string; privateKeyPem?: string }> {
  const pasted = (form.get('public_key') ?? '').trim();
  if (pasted !== '') return { publicKeyPem: pasted };
  if (form.get('generate') !== '1')
    throw new MerchantError('paste a public key, or ask for a key pair to be made');
  return newMerchantKeyPair();
}

const optional = (value: string | null) => (value === null || value.trim() === '' ? undefined : value.trim());

export function merchantRoutes(app: FastifyInstance, deps: MerchantPagesDeps): void {
  const { merchants } = deps;

  const showOne = async (reply: FastifyReply, view: View, id: string, f: Flash, status = 200) => {
    const merchant = await merchants.find(id).catch(() => undefined);
    if (!merchant) return sendDashboard(reply, 404, errorPage(view.locale, 'error.missing'));
    return sendDashboard(reply, status, merchantPage(view, merchant, await merchants.keys(id), f));
  };

  app.get(`${BASE}/merchants`, async (request, reply) => {
    const ok = await authorized(deps, request, reply);
    if (!ok) return reply;
    return sendDashboard(reply, 200, merchantsPage(ok.view, await merchants.list()));
  });

  app.post(`${BASE}/merchants`, async (request, reply) => {
    const ok = await authorized(deps, request, reply);
    if (!ok) return reply;
    const { view, form } = ok;
    try {
      await onlyOnce(deps, form, view);
      const key = await keyOf(form);
      const { merchant } = await merchants.create({
        name: form.get('name') ?? '',
        publicKeyPem: key.publicKeyPem,
        notifyUrl: optional(form.get('notify_url')),
      });
      // Answered here, not after a redirect: the private key must not outlive this one page.
      const notice = key.privateKeyPem
        ? textOf(view.locale, 'merchants.created')
        : textOf(view.locale, 'merchants.saved');
      return showOne(reply, view, merchant.merchant_id, { notice, privateKeyPem: key.privateKeyPem });
    } catch (err) {
      if (!(err instanceof MerchantError)) throw err;
      const status = err instanceof RepeatedForm ? 409 : 400;
      return sendDashboard(
        reply,
        status,
        merchantsPage(view, await merchants.list(), { error: err.message }),
      );
    }
  });

  app.get(`${BASE}/merchants/:id`, async (request, reply) => {
    const ok = await authorized(deps, request, reply);
    if (!ok) return reply;
    const { id } = request.params as { id: string };
    const saved = (request.query as { done?: string }).done === 'saved';
    return showOne(reply, ok.view, id, saved ? { notice: textOf(ok.view.locale, 'merchants.saved') } : {});
  });

  /** A change of one merchant: made, then back to its page; refused, its page with the reason. */
  const change = (
    path: string,
    apply: (
      id: string,
      form: URLSearchParams,
      params: Record<string, string>,
      view: View,
    ) => Promise<Flash | undefined>,
  ) =>
    app.post(`${BASE}/merchants/:id${path}`, async (request, reply) => {
      const ok = await authorized(deps, request, reply);
      if (!ok) return reply;
      const params = request.params as Record<string, string>;
      const id = params.id!;
      try {
        const shown = await apply(id, ok.form, params, ok.view);
        if (shown) return showOne(reply, ok.view, id, shown);
        return seeOther(reply, `${BASE}/merchants/${encodeURIComponent(id)}?done=saved`);
      } catch (err) {
        if (!(err instanceof MerchantError)) throw err;
        return showOne(reply, ok.view, id, { error: err.message }, err instanceof RepeatedForm ? 409 : 400);
      }
    });

  change('/keys', async (id, form, _params, view) => {
    await onlyOnce(deps, form, view);
    const key = await keyOf(form);
    await merchants.addKey(id, key.publicKeyPem);
    return key.privateKeyPem
      ? { notice: textOf(view.locale, 'merchants.keyAdded'), privateKeyPem: key.privateKeyPem }
      : undefined;
  });
  change('/keys/:keyId/remove', async (id, _form, params) => {
    await merchants.removeKey(id, params.keyId!);
    return undefined;
  });
  change('/notify-url', async (id, form) => {
    await merchants.setNotifyUrl(id, optional(form.get('notify_url')));
    return undefined;
  });
  change('/status', async (id, form) => {
    await merchants.setEnabled(id, form.get('enabled') === '1');
    return undefined;
  });
  change('/client-key', async (id) => {
    await merchants.rotateClientKey(id, DEFAULT_CLIENT_KEY_GRACE_MS);
    return undefined;
  });
}

async function onlyOnce(deps: Guard, form: URLSearchParams, view: View): Promise<void> {
  if (!(await deps.sessions.claimForm(form.get('once')))) {
    throw new RepeatedForm(textOf(view.locale, 'merchants.repeated'));
  }
}
