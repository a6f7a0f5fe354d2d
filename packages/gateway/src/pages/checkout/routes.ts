/**
 * The shopper's side of a checkout session: GET /checkout/:id shows the page, POST pays,
 * POST /checkout/:id/cancel leaves. No request signature (a browser sends these) and no
 * response signature; the unguessable session id in the path is the only key.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MerchantRepo } from '../../core/merchants/repo.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Locale } from '../../domain/locale.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import { ANSWERS_FROM_READS } from '../../http/durable-reads.ts';
import { publicUrl } from '../../http/public-url.ts';
import { type CheckoutService, leaveUrl, nextStep } from '../../modules/sessions/checkout.ts';
import type { SessionRow } from '../../modules/sessions/repo.ts';
import type { SessionService } from '../../modules/sessions/service.ts';
import { formOf, newNonce, pickLocale, seeOther, sendPage } from '../layout.ts';
import { pictureSources } from './order-summary.ts';
import { type CheckoutMessage, checkoutMessage, checkoutPage } from './page.ts';

export function checkoutRoutes(
  app: FastifyInstance,
  deps: {
    sessions: SessionService;
    checkout: CheckoutService;
    merchants: MerchantRepo;
    clock: Clock;
    timeZone: TimeZone;
    publicUrl: string | undefined;
  },
) {
  const merchantName = async (session: SessionRow) =>
    session.display_merchant_name ?? (await deps.merchants.find(session.merchant_id))?.name ?? '';
  const message = async (
    reply: FastifyReply,
    locale: Locale,
    kind: CheckoutMessage,
    session?: SessionRow,
  ) => {
    const status = { expired: 410, canceled: 410, unavailable: 409, missing: 404 }[kind];
    const back = session && { url: leaveUrl(session), merchantName: await merchantName(session) };
    return sendPage(reply, status, checkoutMessage(locale, kind, back));
  };
  /** The checkout form; after a refused post, with its errors and the harmless fields kept. */
  const showForm = async (
    reply: FastifyReply,
    status: number,
    locale: Locale,
    session: SessionRow,
    refused?: Pick<Parameters<typeof checkoutPage>[0], 'errors' | 'kept'>,
  ) => {
    const nonce = newNonce();
    const page = checkoutPage({
      locale,
      session,
      merchantName: await merchantName(session),
      nonce,
      now: deps.clock.now(),
      timeZone: deps.timeZone,
      ...refused,
    });
    // Paying may end at return_url (a card answered at once), cancelling at cancel_url.
    return sendPage(reply, status, page, {
      nonce,
      images: pictureSources(session.order_details),
      formTargets: [session.return_url, session.cancel_url],
    });
  };
  const closedKind = (session: SessionRow): CheckoutMessage =>
    session.status === 'EXPIRED' ? 'expired' : session.status === 'CANCELED' ? 'canceled' : 'unavailable';
  const localeOf = (request: FastifyRequest, chosen: string | null | undefined, session?: SessionRow) =>
    pickLocale(chosen, session?.display_locale, request.headers['accept-language']);

  app.get('/checkout/:id', ANSWERS_FROM_READS, async (request, reply) => {
    const { id } = request.params as { id: string };
    const lang = (request.query as { lang?: string }).lang;
    const state = await deps.sessions.forPage(id);
    if (!state) return message(reply, localeOf(request, lang), 'missing');
    const { session, order } = state;
    const locale = localeOf(request, lang, session);
    // Paid already (a reload, the back button): on to the payment's next step or its outcome.
    if (order) return seeOther(reply, nextStep(order, locale));
    if (session.status !== 'OPEN') return message(reply, locale, closedKind(session), session);
    return showForm(reply, 200, locale, session);
  });

  app.post('/checkout/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const form = formOf(request);
    const field = (name: string) => form.get(name) ?? '';
    const outcome = await deps.checkout.pay(
      id,
      {
        method: field('method'),
        card_no: field('card_no'),
        exp: field('exp'),
        cvv: field('cvv'),
        holder_name: field('holder_name'),
        consent: form.get('consent') !== null,
      },
      publicUrl(request, deps.publicUrl),
      (session) => localeOf(request, form.get('lang'), session),
    );
    if (!outcome) return message(reply, localeOf(request, form.get('lang')), 'missing');
    if (outcome.kind === 'redirect') return seeOther(reply, outcome.url);
    const { session } = outcome.state;
    const locale = localeOf(request, form.get('lang'), session);
    if (outcome.kind === 'closed') return message(reply, locale, closedKind(session), session);
    return showForm(reply, 422, locale, session, {
      errors: outcome.errors,
      kept: { exp: field('exp').slice(0, 9), holder_name: field('holder_name').slice(0, 128) },
    });
  });

  app.post('/checkout/:id/cancel', async (request, reply) => {
    const { id } = request.params as { id: string };
    const url = await deps.checkout.cancel(id);
    if (!url) {
      return message(reply, localeOf(request, formOf(request).get('lang')), 'missing');
    }
    return seeOther(reply, url);
  });
}
