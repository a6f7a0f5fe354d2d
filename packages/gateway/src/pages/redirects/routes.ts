/** GET /redirect/:id shows the bank or wallet page; POST /redirect/:id ends the payment and returns the shopper. */
import type { FastifyInstance } from 'fastify';
import type { MerchantRepo } from '../../core/merchants/repo.ts';
import type { RedirectAction, RedirectService } from '../../modules/redirects/service.ts';
import { formOf, pickLocale, seeOther, sendPage } from '../layout.ts';
import { redirectMessage, redirectPage } from './page.ts';

const ACTIONS: readonly string[] = ['approve', 'decline', 'cancel'];

export function redirectRoutes(
  app: FastifyInstance,
  deps: { redirects: RedirectService; merchants: MerchantRepo },
) {
  app.get('/redirect/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const locale = pickLocale((request.query as { lang?: string }).lang, request.headers['accept-language']);
    const order = await deps.redirects.page(id);
    if (!order) return sendPage(reply, 404, redirectMessage('missing', locale));
    if (order.status !== 'PROCESSING') return sendPage(reply, 200, redirectMessage('done', locale));
    const merchant = await deps.merchants.find(order.merchant_id);
    // Every button ends the payment and sends the shopper back to return_url.
    const page = redirectPage(order, merchant?.name ?? '', locale);
    return sendPage(reply, 200, page, { formTargets: [order.return_url] });
  });

  app.post('/redirect/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const form = formOf(request);
    const action = form.get('action') ?? '';
    // Anything but a known button is a cancel: the shopper did not agree to pay.
    const chosen = (ACTIONS.includes(action) ? action : 'cancel') as RedirectAction;
    const outcome = await deps.redirects.submit(id, chosen);
    const locale = pickLocale(form.get('lang'), request.headers['accept-language']);
    if (!outcome) return sendPage(reply, 404, redirectMessage('missing', locale));
    return seeOther(reply, outcome.url);
  });
}
