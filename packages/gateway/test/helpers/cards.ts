/** Request bodies for tests. */
export const FUTURE_YEAR = String(new Date().getUTCFullYear() + 3);

export function cardPayment(overrides: Record<string, unknown> = {}, card: Record<string, unknown> = {}) {
  return {
    trans_id: `t-${Math.random().toString(36).slice(2)}`,
    payment_type: 'PURCHASE' as const,
    currency: 'USD',
    amount: 1000,
    return_url: 'https://shop.example/return',
    ...overrides,
    payment: {
      payment_method: 'BANKCARD',
      card_no: '4242424242424242',
      exp_month: '12',
      exp_year: FUTURE_YEAR,
      cvv: '123',
      ...card,
    },
  };
}
