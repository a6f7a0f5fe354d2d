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

/** Methods this gateway can take payments with today. */
export const ENABLED_METHODS: ReadonlySet<PaymentMethod> = new Set(['BANKCARD']);
