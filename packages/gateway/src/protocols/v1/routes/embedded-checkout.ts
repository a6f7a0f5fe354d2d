/**
 * The gateway's side of drop-in and embedded checkout, on the /cp/ origin:
 *
 * - `GET /cp/card-checkout-ui.js`, `/cp/style.css`, `/cp/card-frame.js`: the browser library,
 *   its stylesheet and the card frame's script, static and public;
 * - `GET /cp/sessions/<id>?client_key=…`: what the library's init() needs to know of a session
 *   (status, methods, amount), for its merchant's client key only; readable from any origin;
 * - `GET /cp/frame/<id>?client_key=…&origin=…&component=card|dropin`: the card frame, which only
 *   the page at `origin` may frame;
 * - `POST /cp/frame/<id>/pay`: the frame's payment, JSON in and out, through the hosted page's
 *   own path (CheckoutService), so 3-D Secure, bank pages and idempotency are the same.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { optionalBoolean, optionalText } from '../../../core/input/fields.ts';
import { parseBody } from '../../../core/input/validate.ts';
import type { MerchantRepo } from '../../../core/merchants/repo.ts';
import type { MerchantService } from '../../../core/merchants/service.ts';
import type { Clock } from '../../../domain/clock.ts';
import { ApiError } from '../../../domain/errors.ts';
import { formatTime } from '../../../domain/time.ts';
import type { TimeZone } from '../../../domain/time-zone.ts';
import { ANSWERS_FROM_READS } from '../../../http/durable-reads.ts';
import { readJsonObject } from '../../../http/json-body.ts';
import { publicResource, servePublicFile } from '../../../http/public-file.ts';
import { publicUrl } from '../../../http/public-url.ts';
import type { CheckoutService } from '../../../modules/sessions/checkout.ts';
import { pageOrigin, sessionForClientKey } from '../../../modules/sessions/frame-access.ts';
import type { SessionService } from '../../../modules/sessions/service.ts';
import { frameOutcome } from '../../../pages/checkout/frame-outcome.ts';
import {
  FRAME_SCRIPT_PATH,
  type FrameClosed,
  frameClosedPage,
  framePage,
} from '../../../pages/checkout/frame-page.ts';
import { pictureSources } from '../../../pages/checkout/order-summary.ts';
import { newNonce, pickLocale, sendPage } from '../../../pages/layout.ts';
import { sendOk } from '../envelope.ts';

const SESSIONS_PATH = '/cp/sessions/';
const BROWSER = (file: string) => new URL(`../../../../browser/${file}`, import.meta.url);
const JS = 'text/javascript; charset=utf-8';

const payBody = z.object({
  client_key: optionalText(64),
  method: optionalText(32),
  card_no: optionalText(32),
  exp: optionalText(16),
  cvv: optionalText(8),
  holder_name: optionalText(256),
  consent: optionalBoolean,
  lang: optionalText(35),
});

export function embeddedCheckoutRoutes(
  app: FastifyInstance,
  deps: {
    sessions: SessionService;
    checkout: CheckoutService;
    merchants: MerchantService;
    merchantRepo: MerchantRepo;
    clock: Clock;
    timeZone: TimeZone;
    publicUrl: string | undefined;
  },
): void {
  servePublicFile(app, '/cp/card-checkout-ui.js', BROWSER('card-checkout-ui.js'), JS);
  servePublicFile(app, '/cp/style.css', BROWSER('card-checkout-ui.css'), 'text/css; charset=utf-8');
  servePublicFile(app, FRAME_SCRIPT_PATH, BROWSER('card-frame.js'), JS);

  // Before the handler, so a refusal is as readable by the merchant's page as an answer.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith(SESSIONS_PATH)) publicResource(reply).header('cache-control', 'no-store');
  });

  app.get(`${SESSIONS_PATH}:id`, ANSWERS_FROM_READS, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { client_key } = request.query as { client_key?: unknown };
    const { session } = await sessionForClientKey(deps, id, client_key);
    return sendOk(reply, deps.clock, {
      session_id: session.session_id,
      session_mode: session.session_mode,
      status: session.status,
      amount: session.amount,
      currency: session.currency,
      payment_methods: session.allowed_payment_methods,
      expire_time: formatTime(session.expire_at, deps.timeZone),
      ...(session.display_locale !== null ? { display_locale: session.display_locale } : {}),
    });
  });

  app.get('/cp/frame/:id', ANSWERS_FROM_READS, async (request, reply) => {
    const { id } = request.params as { id: string };
    const query = request.query as Record<string, unknown>;
    const parent = pageOrigin(query.origin);
    const wanted = typeof query.locale === 'string' ? query.locale : undefined;
    const locale = pickLocale(wanted, request.headers['accept-language']);
    // Without a well-formed origin nothing may frame the page, and it tells no one anything.
    if (!parent)
      return sendPage(reply, 400, frameClosedPage({ locale, kind: 'missing', parent: '', sessionId: '' }));
    const closed = (kind: FrameClosed, status: number, at = locale) =>
      sendPage(reply, status, frameClosedPage({ locale: at, kind, parent, sessionId: id }), {
        framedBy: parent,
      });
    let state: Awaited<ReturnType<typeof sessionForClientKey>>;
    try {
      state = await sessionForClientKey(deps, id, query.client_key);
    } catch (err) {
      if (err instanceof ApiError) return closed('missing', 404);
      throw err;
    }
    const { session, order } = state;
    const at = pickLocale(wanted, session.display_locale, request.headers['accept-language']);
    if (order || session.status === 'COMPLETED') return closed('unavailable', 409, at);
    if (session.status === 'EXPIRED') return closed('expired', 410, at);
    if (session.status === 'CANCELED') return closed('canceled', 410, at);
    const nonce = newNonce();
    const merchant = await deps.merchantRepo.find(session.merchant_id);
    const component = query.component === 'card' ? 'card' : 'dropin';
    const page = framePage({
      locale: at,
      session,
      merchantName: session.display_merchant_name ?? merchant?.name ?? '',
      component,
      parent,
      clientKey: query.client_key as string,
      hideButton: query.button === '0',
      nonce,
      now: deps.clock.now(),
    });
    // The drop-in shows the session's goods, and may load their https pictures.
    const images = component === 'dropin' ? pictureSources(session.order_details) : [];
    return sendPage(reply, 200, page, { nonce, framedBy: parent, images });
  });

  app.post('/cp/frame/:id/pay', async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = parseBody(payBody, jsonOf(request));
    await sessionForClientKey(deps, id, body.client_key);
    const outcome = await deps.checkout.pay(
      id,
      {
        method: body.method ?? '',
        card_no: body.card_no ?? '',
        exp: body.exp ?? '',
        cvv: body.cvv ?? '',
        holder_name: body.holder_name ?? '',
        consent: body.consent === true,
      },
      publicUrl(request, deps.publicUrl),
      (session) => pickLocale(body.lang, session.display_locale),
    );
    if (!outcome) throw new ApiError('SESSION_NOT_FOUND');
    const locale = pickLocale(body.lang, 'en');
    return sendOk(reply, deps.clock, frameOutcome(outcome, locale));
  });
}

/**
 * The frame's JSON body. Only JSON is read: a form on another site cannot send that content
 * type without the browser asking first (CORS), and this path answers no such question.
 */
function jsonOf(request: FastifyRequest): unknown {
  const type = String(request.headers['content-type'] ?? '');
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new ApiError('INVALID_REQUEST', 'the body must be application/json');
  }
  // As strict as the signed API's bodies: a card frame's post is a payment too.
  return readJsonObject(request.body);
}
