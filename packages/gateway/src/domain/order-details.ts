/**
 * What a checkout session says was bought and for whom: its `goods`, `bill` and `shipping` as
 * the merchant sent them, checked and normalised (docs/api.md#goods-bill-to-and-ship-to). Kept
 * with the session, shown on its page, answered by session and order queries. Absent fields
 * are left out, never stored as empty strings or nulls.
 */

/** One line of `goods[]`: its price in minor units of the session's currency. */
export interface GoodsItem {
  /** The merchant's product id, as text (PayKKa's plugins send a number). */
  id?: string;
  name: string;
  /** Plain text or HTML, kept to its first MAX_DESCRIPTION characters. */
  description?: string;
  category?: string;
  brand?: string;
  link?: string;
  price: number;
  quantity: number;
  delivery_date?: string;
  picture_url?: string;
}

/** `shipping`, and the address part of `bill`. */
export interface Address {
  first_name?: string;
  middle_name?: string;
  last_name?: string;
  address_line1?: string;
  address_line2?: string;
  /** ISO 3166 alpha-2, upper case. */
  country?: string;
  state?: string;
  city?: string;
  postal_code?: string;
  email?: string;
  area_code?: string;
  phone_number?: string;
}

export interface BillingAddress extends Address {
  billing_address_collection?: string;
  descriptor?: string;
}

export interface OrderDetails {
  goods?: GoodsItem[];
  bill?: BillingAddress;
  shipping?: Address;
}

/** At most this many goods lines: a cart, not a catalogue. */
export const MAX_GOODS = 100;

/** The stored details, as JSON, at most this many bytes: a bound on each session's row. */
export const MAX_DETAILS_BYTES = 32 * 1024;

/**
 * A description is kept to its first characters: PayKKa's WooCommerce plugin sends a
 * product's whole description, of any length, and refusing it would refuse the shop's checkout.
 */
export const MAX_DESCRIPTION = 300;

export function lineTotal(item: GoodsItem): number {
  return item.price * item.quantity;
}

/** The stored JSON read back; null (no details sent) stays null. */
export function readOrderDetails(json: string | null): OrderDetails | null {
  return json === null ? null : (JSON.parse(json) as OrderDetails);
}

/** The JSON column's text: null when nothing was sent. */
export function storedOrderDetails(details: OrderDetails | null): string | null {
  return details === null ? null : JSON.stringify(details);
}
