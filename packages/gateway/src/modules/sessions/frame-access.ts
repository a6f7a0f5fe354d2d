/**
 * Who may use a checkout session from the merchant's own page. The browser library names the
 * session and the merchant's client key; both must belong to the same active merchant. An
 * unknown session and another merchant's session answer alike, so a client key learns nothing
 * about sessions that are not its merchant's.
 */

import type { MerchantService } from '../../core/merchants/service.ts';
import { ApiError } from '../../domain/errors.ts';
import type { SessionService, SessionState } from './service.ts';

export interface AccessDeps {
  sessions: SessionService;
  merchants: MerchantService;
}

/** The session, when `clientKey` is its merchant's; else 300060 (no such key) or 206011. */
export async function sessionForClientKey(
  deps: AccessDeps,
  sessionId: string,
  clientKey: unknown,
): Promise<SessionState> {
  const merchant = typeof clientKey === 'string' ? await deps.merchants.byClientKey(clientKey) : undefined;
  if (!merchant) throw new ApiError('CLIENT_KEY_NOT_FOUND', 'client_key names no active merchant');
  const state = await deps.sessions.forPage(sessionId);
  if (!state || state.session.merchant_id !== merchant.merchant_id) {
    throw new ApiError('SESSION_NOT_FOUND', "The session does not exist for this merchant's client key");
  }
  return state;
}

/**
 * The merchant page's origin as the library reports it (`location.origin`): `http(s)://host`
 * with an optional port, nothing more. It becomes the frame's only allowed ancestor and the
 * only target of its messages, so anything looser is refused.
 */
export function pageOrigin(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 255) return undefined;
  if (!/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(raw)) return undefined;
  return URL.canParse(raw) && new URL(raw).origin === raw ? raw : undefined;
}
