/**
 * The Apple Pay merchant session (docs/api.md#routes, docs/three-ds.md): what a merchant's front end passes on, unchanged,
 * to `ApplePaySession.completeMerchantValidation`. openkka stands in for Apple's validation
 * service: the session is an opaque JSON object with Apple's field names, answered as a JSON
 * **string**, and signed with the platform key so a merchant can check where it came from.
 *
 * The signature is RSA-SHA256 (the platform key), base64, over the UTF-8 JSON of the session's
 * other fields in this order: epochTimestamp, expiresAt, merchantSessionIdentifier, nonce,
 * merchantIdentifier, domainName, displayName.
 */
import { createHash, type KeyObject, randomBytes, sign } from 'node:crypto';
import { z } from 'zod';
import { optionalText, text } from '../../core/input/fields.ts';

/** How long a merchant session can be used to start a payment sheet. */
export const SESSION_VALIDITY_MS = 60 * 60 * 1000;

/** A DNS host name: labels of letters, digits and hyphens, at least two of them. */
const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export const appleSessionSchema = z.object({
  domain_name: text(253).superRefine((value, ctx) => {
    const host = value.toLowerCase();
    if (/[:/?#@\s]/.test(host)) {
      ctx.addIssue({ code: 'custom', message: 'must be a host name only, without scheme, port or path' });
    } else if (!HOST.test(host)) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid host name' });
    }
  }),
  display_name: optionalText(75),
});

export type AppleSessionInput = z.output<typeof appleSessionSchema>;

export interface AppleMerchantSession {
  epochTimestamp: number;
  expiresAt: number;
  merchantSessionIdentifier: string;
  nonce: string;
  merchantIdentifier: string;
  domainName: string;
  displayName: string;
  signature: string;
}

/** The exact bytes the session's signature covers. */
export function signedContent(session: Omit<AppleMerchantSession, 'signature'>): Buffer {
  const {
    epochTimestamp,
    expiresAt,
    merchantSessionIdentifier,
    nonce,
    merchantIdentifier,
    domainName,
    displayName,
  } = session;
  return Buffer.from(
    JSON.stringify({
      epochTimestamp,
      expiresAt,
      merchantSessionIdentifier,
      nonce,
      merchantIdentifier,
      domainName,
      displayName,
    }),
    'utf8',
  );
}

export function createAppleMerchantSession(args: {
  merchantId: string;
  merchantName: string;
  input: AppleSessionInput;
  now: number;
  platformKey: KeyObject;
}): AppleMerchantSession {
  const unsigned = {
    epochTimestamp: args.now,
    expiresAt: args.now + SESSION_VALIDITY_MS,
    merchantSessionIdentifier: `SSH${randomBytes(16).toString('hex').toUpperCase()}`,
    nonce: randomBytes(4).toString('hex'),
    // Apple's merchant identifier is a hash; openkka's is derived from the merchant id.
    merchantIdentifier: createHash('sha256').update(`openkka/${args.merchantId}`).digest('hex').toUpperCase(),
    domainName: args.input.domain_name.toLowerCase(),
    displayName: args.input.display_name ?? args.merchantName.slice(0, 75),
  };
  const signature = sign('sha256', signedContent(unsigned), args.platformKey).toString('base64');
  return { ...unsigned, signature };
}
