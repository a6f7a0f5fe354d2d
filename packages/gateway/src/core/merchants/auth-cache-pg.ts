/**
 * PostgreSQL: authentication's reads kept while a dedicated connection LISTENs on
 * `openkka_merchants`. The store notifies that channel when any change to a merchant or its
 * keys commits (migration 007), and the entry is dropped as the notification arrives: a
 * `merchant disable` or `remove-key` from the CLI applies once PostgreSQL has delivered it, a
 * fraction of a millisecond after its commit.
 *
 * Nothing is kept while the connection is not listening (before it is up, after it fails,
 * until it is back): then every request reads the store.
 */
import pg from 'pg';
import { MerchantAuthCache } from './auth-cache.ts';

const CHANNEL = 'openkka_merchants';
const RECONNECT_MS = 1_000;

export class ListeningAuthCache extends MerchantAuthCache {
  private client: pg.Client | undefined;
  private listening = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly url: string) {
    super();
  }

  /** Starts listening in the background; until it is, nothing is kept. */
  override start(): void {
    void this.connect();
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.deaf();
    await this.client?.end().catch(() => {});
  }

  get active(): boolean {
    return this.listening;
  }

  private deaf(): void {
    this.listening = false;
    this.forget();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    this.client = client;
    let gone = false;
    const lost = () => {
      if (gone || this.client !== client) return;
      gone = true;
      this.deaf();
      client.end().catch(() => {});
      if (!this.stopped) this.retry = setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL) return;
      if (message.payload) this.invalidate(message.payload);
      else this.forget();
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
