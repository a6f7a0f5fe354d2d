/**
 * The order object of docs/api.md#initiate-transaction-payments as the API returns it, its times written in `zone`. Never more of
 * the PAN than bin and last4.
 */
import type { Order } from '@openkka/sdk';
import { balances } from '../../domain/order.ts';
import type { OrderDetails } from '../../domain/order-details.ts';
import { formatTime } from '../../domain/time.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import { amountsOf, type OrderRow } from './order-row.ts';

/** The SDK's Order less the timestamp the envelope adds: a field out of step fails to compile. */
export type OrderView = Omit<Order, 'timestamp'>;

/**
 * An order as a query reads it: with the goods, bill and shipping of the checkout session it
 * was paid through, when there is one (other answers have none and leave them out).
 */
export type QueriedOrder = OrderRow & { order_details?: OrderDetails | null };

/** Adds to an answer the goods, bill and shipping that were sent; the others stay absent. */
export function withOrderDetails<V extends Pick<OrderView, 'goods' | 'bill' | 'shipping'>>(
  view: V,
  details: OrderDetails | null | undefined,
): V {
  if (details?.goods) view.goods = details.goods;
  if (details?.bill) view.bill = details.bill;
  if (details?.shipping) view.shipping = details.shipping;
  return view;
}

export function orderView(row: QueriedOrder, zone: TimeZone): OrderView {
  const view: OrderView = {
    error_code: row.error_code,
    error_description: row.error_description,
    merchant_id: row.merchant_id,
    trans_id: row.trans_id,
    order_id: row.order_id,
    status: row.status,
    payment_type: row.payment_type,
    authorisation_type: row.authorisation_type,
    capture_method: row.capture_method,
    amount: row.amount,
    currency: row.currency,
    expire_time: formatTime(row.expire_at, zone),
    payment: { payment_method: row.payment_method },
    balances: balances(amountsOf(row)),
  };
  if (row.pay_finish_at !== null) view.pay_finish_time = formatTime(row.pay_finish_at, zone);
  if (row.shopper_reference !== null) view.shopper_reference = row.shopper_reference;
  if (row.token !== null) view.token = row.token;
  if (row.authentication_result !== null) {
    // The column also holds a redirect method's page, answered as the top-level redirect_url.
    const result = JSON.parse(row.authentication_result);
    if (typeof result.redirect_url === 'string') view.redirect_url = result.redirect_url;
    else view.authentication_result = result;
  }
  if (row.recurring_agreement_id !== null) view.recurring_agreement_id = row.recurring_agreement_id;
  if (row.session_id) view.session_id = row.session_id;
  // The three are set together (a card's, a token's or none): the brand check only narrows the type.
  if (row.card_bin !== null && row.card_last4 !== null && row.card_brand !== null) {
    view.card_info = { bin: row.card_bin, last4: row.card_last4, card_brand: row.card_brand };
  }
  return withOrderDetails(view, row.order_details);
}
