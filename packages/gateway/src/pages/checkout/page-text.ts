/** Every word of the checkout page, in English and Chinese. */
import type { Locale } from '../../domain/locale.ts';

export interface CheckoutText {
  title: string;
  pay: (merchant: string) => string;
  total: string;
  expires: string;
  cardNumber: string;
  expiry: string;
  expiryPlaceholder: string;
  cvv: string;
  holder: string;
  payButton: (amount: string) => string;
  consentCardOnFile: (merchant: string) => string;
  consentSubscription: (merchant: string) => string;
  orPayWith: string;
  payWith: (method: string) => string;
  cancel: (merchant: string) => string;
  footer: string;
  formError: string;
  errors: {
    card_no: { invalid: string; unsupported: string };
    exp: { invalid: string; expired: string };
    cvv: { invalid: string };
    consent: { required: string };
    method: { invalid: string };
  };
  expiredTitle: string;
  expiredBody: string;
  canceledTitle: string;
  canceledBody: string;
  unavailableBody: string;
  missingTitle: string;
  missingBody: string;
  backToShop: (merchant: string) => string;
  /** The session's goods and who they are for (pages/checkout/order-summary.ts). */
  goods: string;
  quantityTimes: (quantity: number, price: string) => string;
  billTo: string;
  shipTo: string;
  /** Between the parts of a bill-to or ship-to line: name, city, country. */
  listSeparator: string;
  /** The card frame on the merchant's page: its title, and a request that failed on the way. */
  frameTitle: string;
  tryAgain: string;
}

export const CHECKOUT_TEXT: Record<Locale, CheckoutText> = {
  en: {
    title: 'Checkout',
    pay: (merchant) => `Pay ${merchant}`,
    total: 'Total',
    expires: 'Complete your payment before',
    cardNumber: 'Card number',
    expiry: 'Expiry date',
    expiryPlaceholder: 'MM / YY',
    cvv: 'Security code (CVV)',
    holder: 'Name on card',
    payButton: (amount) => `Pay ${amount}`,
    consentCardOnFile: (merchant) => `Save my card with ${merchant} for future payments`,
    consentSubscription: (merchant) =>
      `I agree that ${merchant} stores my card and charges it for this subscription`,
    orPayWith: 'or pay with',
    payWith: (method) => `Pay with ${method}`,
    cancel: (merchant) => `Cancel and return to ${merchant}`,
    footer: 'Payments by openkka · test mode',
    formError: 'Please check the highlighted fields.',
    errors: {
      card_no: { invalid: 'Card number is not valid.', unsupported: 'This card brand is not accepted.' },
      exp: { invalid: 'Enter the expiry date as MM / YY.', expired: 'This card has expired.' },
      cvv: { invalid: 'Security code is not valid.' },
      consent: { required: 'Please agree to store your card to start the subscription.' },
      method: { invalid: 'This payment method is not available.' },
    },
    expiredTitle: 'This checkout has expired',
    expiredBody:
      'The time to pay has run out. Nothing was charged. Please return to the shop and start again.',
    canceledTitle: 'Checkout canceled',
    canceledBody: 'This checkout was canceled. Nothing was charged.',
    unavailableBody: 'This payment cannot be completed here. Nothing was charged. Please return to the shop.',
    missingTitle: 'Checkout not found',
    missingBody: 'This checkout page does not exist.',
    backToShop: (merchant) => `Return to ${merchant}`,
    goods: 'Your order',
    quantityTimes: (quantity, price) => `${quantity} × ${price}`,
    billTo: 'Bill to',
    shipTo: 'Ship to',
    listSeparator: ', ',
    frameTitle: 'Card payment',
    tryAgain: 'The payment could not be sent. Please try again.',
  },
  zh: {
    title: '收银台',
    pay: (merchant) => `向 ${merchant} 付款`,
    total: '应付金额',
    expires: '请在此时间前完成付款',
    cardNumber: '卡号',
    expiry: '有效期',
    expiryPlaceholder: '月 / 年',
    cvv: '安全码（CVV）',
    holder: '持卡人姓名',
    payButton: (amount) => `支付 ${amount}`,
    consentCardOnFile: (merchant) => `保存我的银行卡，以便今后在 ${merchant} 付款`,
    consentSubscription: (merchant) => `我同意 ${merchant} 保存我的银行卡并用于此订阅的扣款`,
    orPayWith: '或使用以下方式付款',
    payWith: (method) => `使用 ${method} 付款`,
    cancel: (merchant) => `取消并返回 ${merchant}`,
    footer: '由 openkka 提供支付服务 · 测试模式',
    formError: '请检查标出的字段。',
    errors: {
      card_no: { invalid: '卡号无效。', unsupported: '不支持此卡组织。' },
      exp: { invalid: '请按 月 / 年 格式填写有效期。', expired: '此卡已过期。' },
      cvv: { invalid: '安全码无效。' },
      consent: { required: '开通订阅需要您同意保存银行卡。' },
      method: { invalid: '此支付方式不可用。' },
    },
    expiredTitle: '此收银台已过期',
    expiredBody: '付款时间已过，未扣任何款项。请返回商店重新下单。',
    canceledTitle: '已取消付款',
    canceledBody: '此次付款已取消，未扣任何款项。',
    unavailableBody: '此笔付款无法在此完成，未扣任何款项。请返回商店。',
    missingTitle: '未找到收银台',
    missingBody: '此付款页面不存在。',
    backToShop: (merchant) => `返回 ${merchant}`,
    goods: '您的订单',
    quantityTimes: (quantity, price) => `${quantity} 件 × ${price}`,
    billTo: '账单地址',
    shipTo: '收货地址',
    listSeparator: '，',
    frameTitle: '银行卡付款',
    tryAgain: '付款请求未能发出，请重试。',
  },
};
