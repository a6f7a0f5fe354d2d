import type { ClientKeys } from '../../domain/client-key.ts';

/** The authenticated merchant, as far as a payment needs it (its client keys open encrypted cards). */
export type RequestMerchant = ClientKeys & {
  merchant_id: string;
  notify_url: string | null;
  uses_checkout?: boolean;
};
