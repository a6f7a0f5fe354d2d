/**
 * What request authentication reads (the merchant and its parsed keys), kept in memory for as
 * long as the store can tell this process that it changed. Each store tells it its own way:
 * PostgreSQL by notification (auth-cache-pg.ts), SQLite by its data version
 * (auth-cache-sqlite.ts). A change made through this process drops the entry at once.
 *
 * A lookup that was running when a change became known is not kept: it may have read the state
 * before the change.
 */
import type { KeyObject } from 'node:crypto';
import type { MerchantRow } from './repo.ts';

/** What authentication needs of a merchant: its row (any status) and its parsed public keys. */
export interface MerchantWithKeys {
  merchant: MerchantRow;
  keys: KeyObject[];
}

export abstract class MerchantAuthCache {
  private readonly entries = new Map<string, MerchantWithKeys>();
  /** Bumped by every change this cache hears of and every loss of the means to hear of one. */
  private generation = 0;

  /** Whether answers are being kept (the store can tell us of changes right now). */
  abstract get active(): boolean;

  start(): void {}

  async stop(): Promise<void> {}

  /** Called before every lookup: the place to learn of changes the store has not pushed. */
  protected refresh(): void {}

  /** Drops a merchant after a change made by this process (or heard of from the store). */
  invalidate(merchantId: string): void {
    this.generation++;
    this.entries.delete(merchantId);
  }

  /** Drops every entry: something changed, and what is not known. */
  protected forget(): void {
    this.generation++;
    this.entries.clear();
  }

  /** The kept answer, or the loader's (kept only if nothing changed while it ran). */
  async get(
    merchantId: string,
    load: () => Promise<MerchantWithKeys | undefined>,
  ): Promise<MerchantWithKeys | undefined> {
    this.refresh();
    const cached = this.active ? this.entries.get(merchantId) : undefined;
    if (cached) return cached;
    const generation = this.generation;
    const loaded = await load();
    this.refresh();
    if (loaded && this.active && generation === this.generation) this.entries.set(merchantId, loaded);
    return loaded;
  }
}
