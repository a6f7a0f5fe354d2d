import { ALL_BRANDS, type CardBrand } from './card.ts';

/**
 * Payment method names. Clients spell them many ways (`BankCard`, `BANKCARD`, `GOOGLE_PAY`,
 * `GooglePay`); all are accepted case-insensitively with or without underscores, and responses
 * use the upper-snake form.
 */
export const PAYMENT_METHODS = [
  'BANKCARD',
  'EFTPOS',
  'APPLE_PAY',
  'GOOGLE_PAY',
  'WECHAT_PAY_GLOBAL',
  'ALIPAY_PLUS',
  'SEPA',
  'BANCONTACT',
  'EPS',
  'IDEAL',
  'P24',
  'SOFORT',
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

const squash = (name: string) => name.replace(/[_\s-]/g, '').toLowerCase();
const BY_SQUASHED = new Map<string, PaymentMethod>(PAYMENT_METHODS.map((m) => [squash(m), m]));
// Spellings whose squashed form differs from the upper-snake name.
BY_SQUASHED.set('wechatpay', 'WECHAT_PAY_GLOBAL');

export function normalisePaymentMethod(name: string): PaymentMethod | undefined {
  return BY_SQUASHED.get(squash(name));
}

/**
 * Methods paid with a card the merchant sends (card fields or a token), and their currencies:
 * BANKCARD over the international schemes, EFTPOS over Australia's debit network, in AUD only.
 */
export const CARD_CURRENCIES: Readonly<Record<'BANKCARD' | 'EFTPOS', readonly string[] | undefined>> = {
  BANKCARD: undefined,
  EFTPOS: ['AUD'],
};
export const CARD_METHODS: ReadonlySet<PaymentMethod> = new Set(
  Object.keys(CARD_CURRENCIES) as PaymentMethod[],
);

/**
 * The card brands a method takes. EFTPOS takes eftpos cards: eftpos-only ones, and the
 * co-badged Visa and Mastercard debit cards most eftpos cards are. An eftpos-only card travels
 * over eftpos alone, so BANKCARD takes every other brand. Wallets take whatever their device
 * card is.
 */
export function cardBrandsFor(method: PaymentMethod): ReadonlySet<CardBrand> {
  if (method === 'EFTPOS') return EFTPOS_BRANDS;
  if (method === 'BANKCARD') return SCHEME_BRANDS;
  return ALL_BRANDS;
}
const EFTPOS_BRANDS: ReadonlySet<CardBrand> = new Set<CardBrand>(['EFTPOS', 'VISA', 'MASTERCARD']);
const SCHEME_BRANDS: ReadonlySet<CardBrand> = new Set([...ALL_BRANDS].filter((b) => b !== 'EFTPOS'));

/** Methods paid on a bank or wallet page the shopper is sent to (docs/three-ds.md), and their currencies. */
export const REDIRECT_CURRENCIES: Partial<Record<PaymentMethod, readonly string[]>> = {
  IDEAL: ['EUR'],
  SOFORT: ['EUR'],
  EPS: ['EUR'],
  P24: ['PLN', 'EUR'],
  BANCONTACT: ['EUR'],
  ALIPAY_PLUS: ['CNY', 'HKD', 'USD', 'EUR', 'GBP', 'SGD', 'AUD', 'JPY', 'KRW', 'THB', 'MYR', 'PHP'],
  WECHAT_PAY_GLOBAL: ['CNY', 'HKD', 'USD', 'EUR', 'GBP', 'SGD', 'AUD', 'JPY', 'CAD', 'NZD'],
};

/** Methods settled later by the bank, without a page (docs/three-ds.md), and their currencies. */
export const ASYNC_CURRENCIES: Partial<Record<PaymentMethod, readonly string[]>> = { SEPA: ['EUR'] };

/** Wallets whose decrypted token_data is authorized like a card (docs/three-ds.md). */
export const WALLET_METHODS: ReadonlySet<PaymentMethod> = new Set(['APPLE_PAY', 'GOOGLE_PAY']);

export const isRedirectMethod = (m: PaymentMethod): boolean => REDIRECT_CURRENCIES[m] !== undefined;

/** The currencies a method accepts; undefined for methods that take any currency. */
export function methodCurrencies(m: PaymentMethod): readonly string[] | undefined {
  return (
    (CARD_CURRENCIES as Partial<Record<PaymentMethod, readonly string[]>>)[m] ??
    REDIRECT_CURRENCIES[m] ??
    ASYNC_CURRENCIES[m]
  );
}

/** Methods this gateway can take payments with today. */
export const ENABLED_METHODS: ReadonlySet<PaymentMethod> = new Set<PaymentMethod>([
  ...CARD_METHODS,
  ...(Object.keys(REDIRECT_CURRENCIES) as PaymentMethod[]),
  ...(Object.keys(ASYNC_CURRENCIES) as PaymentMethod[]),
  ...WALLET_METHODS,
]);

/** How shopper pages name the redirect and wallet methods (others show their code). */
export const METHOD_NAMES: Record<string, string> = {
  IDEAL: 'iDEAL',
  SOFORT: 'Sofort',
  EPS: 'EPS',
  P24: 'Przelewy24',
  BANCONTACT: 'Bancontact',
  ALIPAY_PLUS: 'Alipay+',
  WECHAT_PAY_GLOBAL: 'WeChat Pay',
};
