import type { ClientKeys } from '../../domain/client-key.ts';
import type { Wire } from '../../domain/wire.ts';

/** The authenticated merchant, as far as a payment needs it (its client keys open encrypted cards). */
export type RequestMerchant = ClientKeys & {
  merchant_id: string;
  notify_url: string | null;
  uses_checkout?: boolean;
  /** The wire the request came in on; absent means v1.2. Orders and sessions remember it. */
  wire?: Wire;
  /** The id of the request acting for the merchant (X-Request-ID): the notifications it causes carry it. */
  request_id?: string | undefined;
};
