/**
 * What a payment asks of other features, through interfaces the orders core owns: the payment
 * service depends on these, the features implement them, and app.ts wires one to the other, so
 * no feature module imports another.
 */
import type { ClientKeys } from '../../domain/client-key.ts';
import type { OrderDetails } from '../../domain/order-details.ts';
import type { Tx } from '../../store/tx.ts';
import type { RequestMerchant } from '../merchants/request-merchant.ts';
import type { OrderRow } from './order-row.ts';
import type {
  EncryptedCardFields,
  OpenedCard,
  OpenedGooglePay,
  RawGooglePayToken,
} from './payment-source.ts';
import type { AgreementRow, TokenRow } from './stored-cards.ts';

/** 3-D Secure: the order as it waits for the shopper, and its challenge to insert with it. */
export interface ThreeDsStarter {
  prepare(
    order: OrderRow,
    cvv: string | undefined,
    publicUrl: string,
  ): { order: OrderRow; insertChallenge: (tx: Tx) => Promise<void> };
}

/** Redirect methods and SEPA: the order as it waits for the shopper's bank or wallet. */
export interface RedirectStarter {
  prepare(order: OrderRow, publicUrl: string): OrderRow;
}

/** Cards encrypted in the shopper's browser (payment.encrypted_*). */
export interface EncryptedCardOpener {
  open(merchant: ClientKeys, fields: EncryptedCardFields): Promise<OpenedCard>;
}

/** Google Pay's raw tokens (payment.token_data as Google sends it). */
export interface GooglePayOpener {
  open(
    token: RawGooglePayToken,
    payment: { merchantId: string; transId: string; replay: boolean },
  ): Promise<OpenedGooglePay>;
}

/** Stored cards and recurring agreements, as a payment by token or agreement reads them. */
export interface StoredCardLookup {
  token(merchantId: string, token: string): Promise<TokenRow | undefined>;
  agreement(merchantId: string, agreementId: string): Promise<AgreementRow | undefined>;
}

/** Whether a trans_id names a checkout session (which only its checkout page may pay). */
export interface SessionTransIds {
  taken(merchantId: string, transId: string): Promise<boolean>;
}

/**
 * What a checkout session says was bought and for whom, answered with the order paid through
 * it. Asked only for such an order, so a query of any other order reads nothing more.
 */
export interface SessionOrderDetails {
  orderDetails(merchantId: string, sessionId: string): Promise<OrderDetails | null>;
}

/**
 * The checkout page's payment: the page builds the payment request a merchant would have sent,
 * and it is checked and paid like any other, as the payment completing session `sessionId`.
 */
export interface CheckoutPayments {
  pay(
    merchant: RequestMerchant,
    request: Record<string, unknown>,
    sessionId: string,
    publicUrl: string,
  ): Promise<OrderRow>;
}
