/**
 * The `goods`, `bill` and `shipping` of a checkout session (docs/api.md#goods-bill-to-and-ship-to),
 * as PayKKa's v1.2 and v3 WooCommerce plugins send them: nested members may be null or empty
 * (absent), unknown members are ignored, and every value that is kept is checked, so the
 * checkout page and the queries only ever carry what fits. `customer` is not read.
 */
import { z } from 'zod';
import { ApiError } from '../../domain/errors.ts';
import {
  type Address,
  type BillingAddress,
  type GoodsItem,
  MAX_DESCRIPTION,
  MAX_DETAILS_BYTES,
  MAX_GOODS,
  type OrderDetails,
} from '../../domain/order-details.ts';
import { optionalText, optionalUrl, orAbsent, text } from './fields.ts';

/** Most of one line's quantity: far above any cart, low enough that no total overflows soon. */
const MAX_QUANTITY = 1_000_000;

// Surrounding spaces are dropped, so a value of spaces is as absent as an empty one; a number
// is read as its text (a postcode or a phone number sent as a JSON number).
const tidy = (v: unknown) =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : v;

const loose = (max: number) => z.preprocess(tidy, optionalText(max));

/** A whole number of minor units or items: a JSON integer or a string of digits. */
function wholeNumber(min: number, max: number, unit: string) {
  const message = `must be an integer from ${min} to ${max}${unit}`;
  return z
    .unknown()
    .optional()
    .transform((value, ctx) => {
      const input = value === '' || value === null ? undefined : value;
      const n = typeof input === 'string' && /^\d{1,16}$/.test(input) ? Number(input) : input;
      if (typeof n === 'number' && Number.isSafeInteger(n) && n >= min && n <= max) return n;
      ctx.issues.push({
        code: 'custom',
        message: input === undefined ? 'is required' : message,
        input: value,
      });
      return z.NEVER;
    });
}

/** A product id: text, or a JSON number read as its digits (PayKKa's plugins send one). */
const productId = loose(64);

/** Any length is taken; the first MAX_DESCRIPTION characters are kept (whole code points). */
const description = z.preprocess(
  tidy,
  optionalText(Number.MAX_SAFE_INTEGER).transform((v) =>
    v === undefined ? undefined : Array.from(v).slice(0, MAX_DESCRIPTION).join(''),
  ),
);

const goodsItem = z
  .object(
    {
      id: productId,
      name: z.preprocess(tidy, text(256)),
      description,
      category: loose(128),
      brand: loose(128),
      link: z.preprocess(tidy, optionalUrl(1024)),
      price: wholeNumber(0, Number.MAX_SAFE_INTEGER, ' in minor units'),
      quantity: wholeNumber(1, MAX_QUANTITY, ''),
      delivery_date: loose(64),
      picture_url: z.preprocess(tidy, optionalUrl(1024)),
    },
    { error: 'must be an object' },
  )
  .superRefine((item, ctx) => {
    // Only once both are numbers: a refusal of either is already the message.
    const { price, quantity } = item;
    if (
      typeof price === 'number' &&
      typeof quantity === 'number' &&
      !Number.isSafeInteger(price * quantity)
    ) {
      ctx.addIssue({
        code: 'custom',
        message: `price × quantity must not exceed ${Number.MAX_SAFE_INTEGER}`,
      });
    }
  })
  .transform((item): GoodsItem => compact(item) as GoodsItem);

const country = z.preprocess(
  (v) => (tidy(v) === '' ? undefined : tidy(v)),
  z
    .string({ error: 'must be a string' })
    .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166 alpha-2 code (GB)')
    .transform((c) => c.toUpperCase())
    .optional()
    .nullable()
    .transform((c) => c ?? undefined),
);

const email = z.preprocess(
  tidy,
  optionalText(256).refine(
    (v) => v === undefined || /^[^\s@]+@[^\s@]+$/.test(v),
    'must be an e-mail address',
  ),
);

const addressFields = {
  first_name: loose(128),
  middle_name: loose(128),
  last_name: loose(128),
  address_line1: loose(256),
  address_line2: loose(256),
  country,
  state: loose(128),
  city: loose(128),
  postal_code: loose(32),
  email,
  // PayKKa's plugin cuts the area code to 10 characters "as the API requires".
  area_code: loose(10),
  phone_number: loose(32),
};

/** An address with nothing in it is no address. */
const asAddress = <T extends object>(a: T): T | undefined => {
  const kept = compact(a);
  return Object.keys(kept).length > 0 ? (kept as T) : undefined;
};

const shipping = z
  .object(addressFields, { error: 'must be an object' })
  .transform((a) => asAddress<Address>(a));

const bill = z
  .object(
    { ...addressFields, billing_address_collection: loose(32), descriptor: loose(128) },
    { error: 'must be an object' },
  )
  .transform((a) => asAddress<BillingAddress>(a));

/** The three fields of a session request's schema. */
export const orderDetailsFields = {
  goods: orAbsent(
    z.array(goodsItem, { error: 'must be an array' }).max(MAX_GOODS, `must list at most ${MAX_GOODS} items`),
  ),
  bill: orAbsent(bill),
  shipping: orAbsent(shipping),
};

/** What the three fields kept, or null when they say nothing; refused when too large to keep. */
export function orderDetailsOf(fields: {
  goods?: GoodsItem[] | undefined;
  bill?: BillingAddress | undefined;
  shipping?: Address | undefined;
}): OrderDetails | null {
  const details: OrderDetails = compact({
    goods: fields.goods && fields.goods.length > 0 ? fields.goods : undefined,
    bill: fields.bill,
    shipping: fields.shipping,
  });
  if (Object.keys(details).length === 0) return null;
  const bytes = Buffer.byteLength(JSON.stringify(details));
  if (bytes > MAX_DETAILS_BYTES) {
    throw new ApiError(
      'INVALID_REQUEST',
      `goods, bill and shipping must be at most ${MAX_DETAILS_BYTES} bytes together as JSON, not ${bytes}`,
    );
  }
  return details;
}

/** The object without its undefined members, so absent fields are not stored or answered. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
