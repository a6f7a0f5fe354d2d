/**
 * Where a shopper's browser goes back to the shop, from every page openkka shows (checkout,
 * 3-D Secure, a redirect method's bank page): the merchant's return_url or cancel_url with
 * openkka's parameters added. The shop's own URL is kept as it was written. A parameter the
 * shop put in it is never replaced, and each parameter openkka adds is added only when the URL
 * does not already use that name: PayKKa's v1.2 WooCommerce plugin returns to
 * `…?wc-api=…&order_id=<its order>` and looks its order up by that order_id.
 */

/** `url` with each of `params` whose name it does not use yet appended, in the order given. */
export function backToShop(url: string, params: Readonly<Record<string, string>>): string {
  const target = new URL(url);
  const added = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (!target.searchParams.has(name)) added.append(name, value);
  }
  if (added.size === 0) return target.toString();
  // Appended to the query as written: going through searchParams would re-encode the shop's
  // own parameters (`%20` to `+`, `?flag` to `?flag=`).
  const query = target.search.slice(1);
  const joiner = query === '' || query.endsWith('&') ? '' : '&';
  target.search = `${query}${joiner}${added.toString()}`;
  return target.toString();
}

/** After a payment: return_url with trans_id, order_id and status. */
export function paymentReturnUrl(order: {
  return_url: string | null;
  trans_id: string;
  order_id: string;
  status: string;
}): string {
  // Only a merchant-initiated payment has no return_url, and it never shows the shopper a page.
  return backToShop(order.return_url ?? 'about:blank', {
    trans_id: order.trans_id,
    order_id: order.order_id,
    status: order.status,
  });
}
