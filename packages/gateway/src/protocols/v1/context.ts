/** What the authentication hook learns about a request, for routes and the response signer. */
import type { MerchantRow } from '../../core/merchants/repo.ts';

export interface RequestAuth {
  merchant: MerchantRow;
  /** The parsed JSON body, verified against the merchant's signature. */
  body: Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the signature verified. */
    auth: RequestAuth | null;
    /** The body's merchant_id as read (or ''), used to sign the response even when auth fails. */
    signingMerchantId: string;
  }
  interface FastifyReply {
    /** The timestamp the response is signed with; equals data.timestamp. */
    signTimestamp: number | null;
  }
}
