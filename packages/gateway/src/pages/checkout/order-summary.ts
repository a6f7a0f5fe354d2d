/**
 * The session's goods and who they are for, on the checkout page and in the drop-in's frame:
 * each line's picture (https only), name, a line of its description as plain text, quantity ×
 * unit price and line total; then a short bill-to and ship-to (name, city, country: never the
 * e-mail address or phone number). Every value the merchant sent is escaped here.
 */
import type { Locale } from '../../domain/locale.ts';
import { type Address, type GoodsItem, lineTotal, type OrderDetails } from '../../domain/order-details.ts';
import { escapeHtml, formatAmount } from '../layout.ts';
import { CHECKOUT_TEXT } from './page-text.ts';

export const ORDER_SUMMARY_STYLE = `
  .goods { list-style: none; margin: 18px 0 0; padding: 0; }
  .goods li { display: flex; gap: 12px; align-items: center; padding: 8px 0; }
  .goods li + li { border-top: 1px solid #eef0f3; }
  .goods .picture { flex: 0 0 48px; height: 48px; border-radius: 6px; background: #eef0f3; object-fit: cover; }
  .goods .text { flex: 1; min-width: 0; display: flex; flex-direction: column; }
  .goods .name { font-weight: 600; overflow-wrap: anywhere; }
  .goods .description, .goods .quantity { color: #5b6475; font-size: .85rem; }
  .goods .description { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .goods .line-total { font-weight: 600; white-space: nowrap; }
  .parties { font-size: .9rem; margin: 12px 0; }
  .parties dd { font-weight: 400; overflow-wrap: anywhere; }
`;

/** How much of a description the page shows: a hint of the product, not its page. */
const SHOWN_DESCRIPTION = 120;

/** More picture hosts than this and the policy names https: instead (a short header). */
const MAX_PICTURE_ORIGINS = 8;

/** What PayKKa's WooCommerce plugin puts in a ship-to it could not fill: not worth showing. */
const FILLERS = new Set(['n/a', '000000']);

/** The picture a line shows: https only, so the page loads nothing over plain http. */
function shownPicture(item: GoodsItem): URL | undefined {
  if (item.picture_url === undefined) return undefined;
  const url = new URL(item.picture_url);
  return url.protocol === 'https:' ? url : undefined;
}

/**
 * The img-src sources the page's Content-Security-Policy must allow for the pictures it shows:
 * their https origins (docs/decisions.md#checkout-sessions), none when nothing is shown.
 */
export function pictureSources(details: OrderDetails | null): string[] {
  const origins = new Set<string>();
  for (const item of details?.goods ?? []) {
    const url = shownPicture(item);
    if (url) origins.add(url.origin);
  }
  return origins.size > MAX_PICTURE_ORIGINS ? ['https:'] : [...origins];
}

/** A description as one line of plain text: HTML tags dropped, common entities read. */
export function plainDescription(html: string): string {
  const text = html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_, entity: string) => {
      const e = entity.toLowerCase();
      if (e.startsWith('#')) {
        const code = e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }[e] ?? ' ';
    })
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(text);
  return chars.length > SHOWN_DESCRIPTION ? `${chars.slice(0, SHOWN_DESCRIPTION - 1).join('')}…` : text;
}

const regionNames: Partial<Record<Locale, Intl.DisplayNames>> = {};

/** "United Kingdom" or "英国" for GB; the code itself when the runtime knows no name. */
function countryName(code: string, locale: Locale): string {
  regionNames[locale] ??= new Intl.DisplayNames([locale === 'zh' ? 'zh-CN' : 'en'], { type: 'region' });
  try {
    return regionNames[locale].of(code) ?? code;
  } catch {
    return code;
  }
}

/** "Ada Lovelace, London, United Kingdom": who and roughly where, nothing to reach them by. */
export function partyLine(address: Address, locale: Locale): string {
  const shown = (v: string | undefined) => (v !== undefined && !FILLERS.has(v.toLowerCase()) ? v : undefined);
  const name = [address.first_name, address.middle_name, address.last_name].map(shown).filter(Boolean);
  const parts = [
    name.join(' '),
    shown(address.city),
    address.country === undefined ? undefined : countryName(address.country, locale),
  ].filter((p): p is string => p !== undefined && p !== '');
  return parts.join(CHECKOUT_TEXT[locale].listSeparator);
}

function goodsLine(item: GoodsItem, currency: string, locale: Locale, pictures: boolean): string {
  const t = CHECKOUT_TEXT[locale];
  const picture = shownPicture(item);
  const image = !pictures
    ? ''
    : picture
      ? `<img class="picture" src="${escapeHtml(picture.href)}" alt="" width="48" height="48" loading="lazy">`
      : '<span class="picture" aria-hidden="true"></span>';
  const description = item.description === undefined ? '' : plainDescription(item.description);
  const unit = formatAmount(item.price, currency);
  return `
      <li>${image}
        <span class="text">
          <span class="name">${escapeHtml(item.name)}</span>
          ${description ? `<span class="description">${escapeHtml(description)}</span>` : ''}
          <span class="quantity">${escapeHtml(t.quantityTimes(item.quantity, unit))}</span>
        </span>
        <span class="line-total">${escapeHtml(formatAmount(lineTotal(item), currency))}</span>
      </li>`;
}

/**
 * The two parts of the summary, each empty when the session has nothing for it: `goods` goes
 * above the page's total, `parties` below it.
 */
export function orderSummary(
  details: OrderDetails | null,
  currency: string,
  locale: Locale,
): { goods: string; parties: string } {
  const t = CHECKOUT_TEXT[locale];
  const goods = details?.goods ?? [];
  const pictures = goods.some((item) => shownPicture(item) !== undefined);
  const list =
    goods.length === 0
      ? ''
      : `<ul class="goods" id="goods" aria-label="${escapeHtml(t.goods)}">${goods
          .map((item) => goodsLine(item, currency, locale, pictures))
          .join('')}
    </ul>`;
  const rows = [
    details?.bill && ['bill-to', t.billTo, partyLine(details.bill, locale)],
    details?.shipping && ['ship-to', t.shipTo, partyLine(details.shipping, locale)],
  ].filter((row): row is string[] => Array.isArray(row) && row[2] !== '');
  const parties =
    rows.length === 0
      ? ''
      : `<dl class="parties" id="parties">${rows
          .map(
            ([id, label, line]) => `<dt>${escapeHtml(label!)}</dt><dd id="${id}">${escapeHtml(line!)}</dd>`,
          )
          .join('')}</dl>`;
  return { goods: list, parties };
}
