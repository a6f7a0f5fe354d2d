/** GET /3ds/:id shows the challenge; POST /3ds/:id completes or fails it, then returns the shopper. */
import type { FastifyInstance } from 'fastify';
import type { MerchantRepo } from '../../core/merchants/repo.ts';
import { MAX_CODE_ATTEMPTS, type ThreeDsService } from '../../modules/three-ds/service.ts';
import { formOf, pickLocale, seeOther, sendPage } from '../layout.ts';
import { challengePage, messagePage } from './page.ts';

export function threeDsRoutes(
  app: FastifyInstance,
  deps: { challenges: ThreeDsService; merchants: MerchantRepo },
) {
  app.get('/3ds/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const locale = pickLocale((request.query as { lang?: string }).lang, request.headers['accept-language']);
    const found = await deps.challenges.page(id);
    if (!found) return sendPage(reply, 404, messagePage(locale, 'missing'));
    if (found.challenge.status !== 'PENDING') return sendPage(reply, 200, messagePage(locale, 'done'));
    const merchant = await deps.merchants.find(found.order.merchant_id);
    const page = challengePage({
      locale,
      code: deps.challenges.code(found.challenge),
      order: found.order,
      merchantName: merchant?.name ?? '',
    });
    return sendPage(reply, 200, page, { formTargets: [found.order.return_url] });
  });

  app.post('/3ds/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const form = formOf(request);
    const locale = pickLocale(form.get('lang') ?? undefined, request.headers['accept-language']);
    const action = form.get('action') === 'fail' ? 'fail' : 'complete';
    const outcome = await deps.challenges.submit(id, action, form.get('code') ?? '');
    if (!outcome) return sendPage(reply, 404, messagePage(locale, 'missing'));
    if (outcome.kind === 'redirect') return seeOther(reply, outcome.url);
    const merchant = await deps.merchants.find(outcome.order.merchant_id);
    const page = challengePage({
      locale,
      code: deps.challenges.code(outcome.challenge),
      order: outcome.order,
      merchantName: merchant?.name ?? '',
      attemptsLeft: MAX_CODE_ATTEMPTS - outcome.challenge.attempts,
    });
    return sendPage(reply, 200, page, { formTargets: [outcome.order.return_url] });
  });
}
