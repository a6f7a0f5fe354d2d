/**
 * Shared pieces of the encrypted-card feature tests: the gateway key fetched as a merchant's
 * server would (signature checked), and payment bodies whose card is encrypted by the SDK's
 * encryptCard, as the browser library encrypts it.
 */
import { type CardEncryptionLayout, encryptCard, fetchGatewayKey, type GatewayPublicKey } from '@openkka/sdk';
import { cardPayment, FUTURE_YEAR } from './cards.ts';
import type { TestGateway, TestMerchant } from './gateway.ts';

export interface Card {
  number: string;
  expiryMonth: string;
  expiryYear: string;
  cvv?: string;
}

export const VISA: Card = {
  number: '4242424242424242',
  expiryMonth: '12',
  expiryYear: FUTURE_YEAR,
  cvv: '123',
};

export function gatewayKey(gw: TestGateway, merchant: TestMerchant): Promise<GatewayPublicKey> {
  return fetchGatewayKey({
    baseUrl: gw.baseUrl,
    clientKey: merchant.clientKey,
    platformPublicKey: gw.platformPublicKeyPem,
  });
}

/** The four `payment.encrypted_*` fields of `card`, for `clientKey`, made at `now` (the SDK's default layout unless told). */
export function encrypted(
  key: GatewayPublicKey,
  clientKey: string,
  card: Card = VISA,
  now?: number,
  layout?: CardEncryptionLayout,
) {
  return encryptCard({
    key,
    clientKey,
    card,
    ...(now === undefined ? {} : { now }),
    ...(layout === undefined ? {} : { layout }),
  });
}

/**
 * A BANKCARD payment body (as cardPayment builds them) whose card is encrypted: no plain card
 * field at all, `payment` extras (storing, shopper) kept.
 */
export function encryptedPayment(
  key: GatewayPublicKey,
  merchant: TestMerchant,
  options: {
    card?: Card;
    now?: number;
    layout?: CardEncryptionLayout;
    overrides?: Record<string, unknown>;
    payment?: Record<string, unknown>;
  } = {},
) {
  const body = cardPayment(options.overrides ?? {}, options.payment ?? {});
  const { card_no: _n, exp_month: _m, exp_year: _y, cvv: _c, ...rest } = body.payment;
  return {
    ...body,
    payment: {
      ...rest,
      ...encrypted(key, merchant.clientKey, options.card ?? VISA, options.now, options.layout),
    },
  };
}
