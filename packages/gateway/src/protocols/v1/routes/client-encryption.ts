/**
 * What browsers fetch from the gateway for encrypted cards, from any origin, unsigned:
 *
 * - `GET /cp/encrypted-card.js`: the library, one static file, cacheable, with a validator;
 * - `GET /cp/keys/<clientKey>`: the gateway's current public key (its X25519 and P-256 halves)
 *   for an active merchant's client key, in the usual envelope (signed like every JSON answer, so a server can check
 *   it), with the gateway's time in `data.timestamp`. Nothing else about the merchant is told,
 *   and an unknown, malformed, rotated-out or disabled merchant's key all answer the same 404.
 *
 * Both answer `Access-Control-Allow-Origin: *` and never read cookies or credentials: what they
 * serve is public, and a wildcard cannot be combined with credentials by any browser.
 */
import type { FastifyInstance } from 'fastify';
import type { MerchantService } from '../../../core/merchants/service.ts';
import type { Clock } from '../../../domain/clock.ts';
import { ApiError } from '../../../domain/errors.ts';
import { publicResource, servePublicFile } from '../../../http/public-file.ts';
import type { GatewayKeys } from '../../../modules/client-encryption/gateway-keys.ts';
import { sendOk } from '../envelope.ts';

export const LIBRARY_PATH = '/cp/encrypted-card.js';
export const KEYS_PATH = '/cp/keys/';

export function clientEncryptionRoutes(
  app: FastifyInstance,
  deps: { merchants: MerchantService; keys: GatewayKeys; clock: Clock },
): void {
  servePublicFile(
    app,
    LIBRARY_PATH,
    new URL('../../../../browser/encrypted-card.js', import.meta.url),
    'text/javascript; charset=utf-8',
  );

  // Set before the handler runs, so the 404 of an unknown key is readable by the page too.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith(KEYS_PATH)) publicResource(reply).header('cache-control', 'no-store');
  });

  app.get(`${KEYS_PATH}*`, async (request, reply) => {
    const clientKey = (request.params as { '*': string })['*'];
    const merchant = await deps.merchants.byClientKey(clientKey);
    if (!merchant) throw new ApiError('CLIENT_KEY_NOT_FOUND');
    const keys = await deps.keys.currentKeys();
    // `key` (P-256) is what the first libraries read; `keys` offers both halves, preferred first.
    const key = keys.find((k) => k.crv === 'P-256');
    return sendOk(reply, deps.clock, { client_key: clientKey, key, keys });
  });

  // A page's fetch of the key is a simple request; this answers a preflight should one be sent.
  app.options(`${KEYS_PATH}*`, async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET')
      .header('access-control-max-age', '600')
      .send(),
  );
}
