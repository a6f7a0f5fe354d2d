/** Card brand marks as inline SVG (no external assets), shown beside the card number as it is typed. */
import type { CardBrand } from '../../domain/card.ts';

const box = (fill: string, label: string, color = '#fff') =>
  `<svg viewBox="0 0 48 30" role="img" aria-label="${label}"><rect width="48" height="30" rx="4" fill="${fill}"/>` +
  `<text x="24" y="19.5" text-anchor="middle" font-family="Arial,sans-serif" font-size="10" font-weight="700" fill="${color}">${label}</text></svg>`;

export const BRAND_ICONS: Record<CardBrand, string> = {
  VISA: box('#1a1f71', 'VISA'),
  MASTERCARD:
    '<svg viewBox="0 0 48 30" role="img" aria-label="MASTERCARD"><rect width="48" height="30" rx="4" fill="#222"/>' +
    '<circle cx="19" cy="15" r="9" fill="#eb001b"/><circle cx="29" cy="15" r="9" fill="#f79e1b" fill-opacity=".9"/></svg>',
  AMEX: box('#2e77bc', 'AMEX'),
  DISCOVER: box('#fff', 'DISC', '#e55c20').replace('<rect', '<rect stroke="#c5cad3"'),
  JCB: box('#0b4ea2', 'JCB'),
  DINERS: box('#0079be', 'DINERS'),
  UNIONPAY: box('#d10429', 'UnionPay'),
  EFTPOS: box('#231f20', 'eftpos'),
};
