/**
 * Redirect payment methods and SEPA (docs/three-ds.md). A redirect order (iDEAL, Sofort, EPS, P24,
 * Bancontact, Alipay+, WeChat Pay) is recorded PROCESSING with `redirect_url`, an openkka page
 * standing in for the shopper's bank or wallet app, where the shopper approves, declines or
 * cancels; the outcome goes through the AuthorizationRecorder like a card's, so events and
 * notifications follow, and the browser returns to return_url. A SEPA order has no page: it
 * settles to SUCCESS once the bank's settlement delay has passed.
 */
import { randomBytes } from 'node:crypto';
import type { AuthorizationRecorder } from '../../core/orders/authorization.ts';
import type { OrderRow } from '../../core/orders/order-row.ts';
import { type OrderRepo, STILL_PROCESSING } from '../../core/orders/repo.ts';
import { paymentReturnUrl } from '../../domain/back-to-shop.ts';
import type { Clock } from '../../domain/clock.ts';
import type { BusinessCodeName } from '../../domain/errors.ts';
import { isRedirectMethod, type PaymentMethod, REDIRECT_CURRENCIES } from '../../domain/payment-methods.ts';
import type { Store } from '../../store/db.ts';
import type { Vault } from '../../vault/vault.ts';

export type RedirectAction = 'approve' | 'decline' | 'cancel';

export interface RedirectDeps {
  store: Store;
  orders: OrderRepo;
  recorder: AuthorizationRecorder;
  vault: Vault;
  clock: Clock;
  settings: { sepaSettlementDelayMs: number };
}

const REDIRECT_METHODS = Object.keys(REDIRECT_CURRENCIES) as PaymentMethod[];

export class RedirectService {
  constructor(private readonly deps: RedirectDeps) {}

  /** The order as inserted: a redirect method's carries its page's URL. */
  prepare(order: OrderRow, publicUrl: string): OrderRow {
    if (!isRedirectMethod(order.payment_method as PaymentMethod)) return order;
    const url = `${publicUrl}/redirect/${this.pageId(order.order_id)}`;
    return { ...order, authentication_result: JSON.stringify({ redirect_url: url }) };
  }

  /** The page's id: the order id with a keyed MAC, so ids cannot be guessed from order ids. */
  pageId(orderId: string): string {
    return `${orderId}.${this.mac(orderId)}`;
  }

  /** The redirect order a page id names, if the id is genuine. */
  async page(pageId: string): Promise<OrderRow | undefined> {
    const [orderId, mac] = pageId.split('.');
    if (!orderId || !mac || mac !== this.mac(orderId)) return undefined;
    const order = await this.deps.orders.byOrderIdAny(orderId);
    return order && isRedirectMethod(order.payment_method as PaymentMethod) ? order : undefined;
  }

  /** The shopper's answer; undefined for an unknown page. Returns the URL to send the browser to. */
  async submit(
    pageId: string,
    action: RedirectAction,
  ): Promise<{ url: string; order: OrderRow } | undefined> {
    const order = await this.page(pageId);
    if (!order) return undefined;
    if (order.status !== 'PROCESSING') return { url: paymentReturnUrl(order), order };
    // An answer after expire_time is too late even if the expiry job has not run yet.
    const late = this.deps.clock.now() >= order.expire_at;
    const done = late
      ? await this.decline(order.order_id, 'PAYMENT_EXPIRED')
      : action === 'approve'
        ? await this.deps.recorder.record(order.order_id, { outcome: 'APPROVED', acquirerRef: reference() })
        : await this.decline(order.order_id, action === 'cancel' ? 'SHOPPER_CANCELED' : 'DECLINED');
    return { url: paymentReturnUrl(done), order: done };
  }

  /** Redirect orders whose shopper never finished: FAILURE 5007 once expire_time has passed. */
  async expireDue(batch = 100): Promise<number> {
    const due = await this.due(REDIRECT_METHODS, 'expire_at', this.deps.clock.now(), batch);
    for (const orderId of due) await this.decline(orderId, 'PAYMENT_EXPIRED');
    return due.length;
  }

  /** SEPA orders whose settlement delay has passed: SUCCESS (or AUTHORIZED with MANUAL). */
  async settleSepa(batch = 100): Promise<number> {
    const cutoff = this.deps.clock.now() - this.deps.settings.sepaSettlementDelayMs;
    const due = await this.due(['SEPA'], 'created_at', cutoff, batch);
    for (const orderId of due) {
      await this.deps.recorder.record(orderId, { outcome: 'APPROVED', acquirerRef: reference() });
    }
    return due.length;
  }

  private decline(orderId: string, reason: BusinessCodeName): Promise<OrderRow> {
    return this.deps.recorder.record(orderId, { outcome: 'DECLINED', reason, acquirerRef: reference() });
  }

  private async due(
    methods: PaymentMethod[],
    column: 'expire_at' | 'created_at',
    upTo: number,
    limit: number,
  ): Promise<string[]> {
    const rows = await this.deps.store.reader
      .selectFrom('orders')
      .select('order_id')
      .where('status', '=', STILL_PROCESSING)
      .where('payment_method', 'in', methods)
      .where(column, '<=', upTo)
      .limit(limit)
      .execute();
    return rows.map((r) => r.order_id);
  }

  private mac(orderId: string): string {
    return this.deps.vault.fingerprint(`redirect-page/${orderId}`).slice(0, 22);
  }
}

function reference(): string {
  return `OFF${randomBytes(8).toString('hex').toUpperCase()}`;
}
