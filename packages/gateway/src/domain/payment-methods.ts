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

/** Methods paid on a bank or wallet page the shopper is sent to (spec §8), and their currencies. */
export const REDIRECT_CURRENCIES: Partial<Record<PaymentMethod, readonly string[]>> = {
  IDEAL: ['EUR'],
  SOFORT: ['EUR'],
  EPS: ['EUR'],
  P24: ['PLN', 'EUR'],
  BANCONTACT: ['EUR'],
  ALIPAY_PLUS: ['CNY', 'HKD', 'USD', 'EUR', 'GBP', 'SGD', 'AUD', 'JPY', 'KRW', 'THB', 'MYR', 'PHP'],
  WECHAT_PAY_GLOBAL: ['CNY', 'HKD', 'USD', 'EUR', 'GBP', 'SGD', 'AUD', 'JPY', 'CAD', 'NZD'],
};

/** Methods settled later by the bank, without a page (spec §8), and their currencies. */
export const ASYNC_CURRENCIES: Partial<Record<PaymentMethod, readonly string[]>> = { SEPA: ['EUR'] };

/** Wallets whose decrypted token_data is authorized like a card (spec §8). */
export const WALLET_METHODS: ReadonlySet<PaymentMethod> = new Set(['APPLE_PAY', 'GOOGLE_PAY']);

export const isRedirectMethod = (m: PaymentMethod): boolean => REDIRECT_CURRENCIES[m] !== undefined;

/** The currencies a non-card method accepts; undefined for methods that take any enabled currency. */
export function methodCurrencies(m: PaymentMethod): readonly string[] | undefined {
  return REDIRECT_CURRENCIES[m] ?? ASYNC_CURRENCIES[m];
}

/** Methods this gateway can take payments with today. */
export const ENABLED_METHODS: ReadonlySet<PaymentMethod> = new Set<PaymentMethod>([
  'BANKCARD',
  ...(Object.keys(REDIRECT_CURRENCIES) as PaymentMethod[]),
  ...(Object.keys(ASYNC_CURRENCIES) as PaymentMethod[]),
  ...WALLET_METHODS,
]);
