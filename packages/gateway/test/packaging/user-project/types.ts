// Type-checked (never run) against the installed declarations. The test copies it to
// types.mts and types.cts: under node16 resolution the first takes the SDK's "import" types and
// the second its "require" types; under bundler resolution types.mts is checked again.
import { type OpenKKA, type Order, type PaymentCreateParams, verifyWebhook } from '@openkka/sdk';
import { encryptCard } from '@openkka/sdk/card-encryption';
import { stringToSign } from '@openkka/sdk/signing';

declare const client: OpenKKA;
declare const params: PaymentCreateParams;

export async function pay(): Promise<Order['status']> {
  const order: Order = await client.payments.create(params);
  // @ts-expect-error a payment is a PURCHASE or a RECURRING one; a refund has its own call
  await client.payments.create({ ...params, payment_type: 'REFUND' });
  return order.status;
}

export const signed: Buffer = stringToSign('52831903747286', 1, '{}');
export const verify: typeof verifyWebhook = verifyWebhook;
export const encrypt: typeof encryptCard = encryptCard;
