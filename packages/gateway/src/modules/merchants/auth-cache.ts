/**
 * PostgreSQL only: what request authentication reads (the merchant and its parsed keys), kept
 * in memory while a dedicated connection LISTENs on `openkka_merchants`. The store notifies
 * that channel when any change to a merchant or its keys commits (migration 007), and the
 * entry is dropped as the notification arrives: a `merchant disable` or `remove-key` from the
 * CLI applies once PostgreSQL has delivered it, a fraction of a millisecond after its commit.
 *
 * Nothing is cached while the connection is not listening (before it is up, after it fails,
 * until it is back): then every request reads the store, as on SQLite. A lookup that began
 * before a notification is not cached, since it may have read the state before the change.
 */
import pg from 'pg';
import type { MerchantWithKeys } from './service.ts';

const CHANNEL = 'openkka_merchants';
const RECONNECT_MS = 1_000;

export class MerchantAuthCache {
  private readonly entries = new Map<string, MerchantWithKeys>();
  /** Bumped by every notification and every loss of the connection. */
  private generation = 0;
  private client: pg.Client | undefined;
  private listening = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly url: string) {}

  /** Starts listening in the background; until it is, nothing is cached. */
  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.forget();
    await this.client?.end().catch(() => {});
  }

  /** Whether answers are being kept (the connection is listening). */
  get active(): boolean {
    return this.listening;
  }

  /** Drops a merchant at once after a change made by this process (its notification follows). */
  invalidate(merchantId: string): void {
    this.generation++;
    this.entries.delete(merchantId);
  }

  /** The cached answer, or the loader's (kept only if nothing changed while it ran). */
  async get(
    merchantId: string,
    load: () => Promise<MerchantWithKeys | undefined>,
  ): Promise<MerchantWithKeys | undefined> {
    const cached = this.listening ? this.entries.get(merchantId) : undefined;
    if (cached) return cached;
    const generation = this.generation;
    const loaded = await load();
    if (loaded && this.listening && generation === this.generation) this.entries.set(merchantId, loaded);
    return loaded;
  }

  private forget(): void {
    this.listening = false;
    this.generation++;
    this.entries.clear();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    this.client = client;
    let gone = false;
    const lost = () => {
      if (gone || this.client !== client) return;
      gone = true;
      this.forget();
      client.end().catch(() => {});
      if (!this.stopped) this.retry = setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL) return;
      this.generation++;
      if (message.payload) this.entries.delete(message.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      if (this.client === client && !this.stopped) this.listening = true;
    } catch {
      lost();
    }
  }
}
