/**
 * Merchants and their signing keys. What request authentication needs (status, key ids, parsed
 * keys) is kept in memory for as long as the store can tell this process of a change
 * (auth-cache.ts), and read again after one: a merchant the CLI disables, or a key it removes,
 * is refused by a running server as soon as the change is known. A key's PEM never changes for
 * its id, so each key is read and parsed once, the first time its id is seen.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { CLIENT_KEY_PATTERN, holdsClientKey, newClientKey } from '../../domain/client-key.ts';
import type { Clock } from '../../domain/clock.ts';
import { HEADER_TOKEN, newKeyId, newMerchantId } from '../../domain/ids.ts';
import { isWire, WIRES, type Wire } from '../../domain/wire.ts';
import type { MerchantAuthCache, MerchantWithKeys } from './auth-cache.ts';
import type { MerchantKeyRow, MerchantRepo, MerchantRow } from './repo.ts';

/** At most two active keys: the current one and the next, during a rotation. */
export const MAX_KEYS = 2;

export class MerchantError extends Error {}

export class MerchantService {
  private readonly parsed = new Map<string, KeyObject>();

  constructor(
    private readonly repo: MerchantRepo,
    private readonly clock: Clock,
    /** Authentication's reads, kept while the store can tell of changes. */
    private readonly authCache?: MerchantAuthCache,
  ) {}

  async create(input: { name: string; publicKeyPem: string; notifyUrl?: string | undefined }): Promise<{
    merchant: MerchantRow;
    keyId: string;
  }> {
    if (input.name.trim() === '') throw new MerchantError('merchant name must not be empty');
    const publicKeyPem = normalisePublicKey(input.publicKeyPem);
    if (input.notifyUrl !== undefined) assertHttpUrl(input.notifyUrl);
    const now = this.clock.now();
    const merchant: MerchantRow = {
      merchant_id: newMerchantId(),
      name: input.name.trim(),
      status: 'ACTIVE',
      notify_url: input.notifyUrl ?? null,
      uses_checkout: false,
      app_id: null,
      notify_protocol: null,
      created_at: now,
      client_key: newClientKey(),
      previous_client_key: null,
      previous_client_key_expires_at: null,
    };
    const key: MerchantKeyRow = {
      key_id: newKeyId(),
      merchant_id: merchant.merchant_id,
      public_key_pem: publicKeyPem,
      created_at: now,
    };
    await this.repo.insert(merchant, key);
    return { merchant, keyId: key.key_id };
  }

  list(): Promise<MerchantRow[]> {
    return this.repo.list();
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  /** Whether authentication's reads are being kept in memory (on PostgreSQL, while listening). */
  get authCached(): boolean {
    return this.authCache?.active ?? false;
  }

  async setEnabled(merchantId: string, enabled: boolean): Promise<void> {
    const done = await this.repo.setStatus(merchantId, enabled ? 'ACTIVE' : 'DISABLED', this.clock.now());
    // After the commit: a lookup running meanwhile is then not kept (see auth-cache.ts).
    this.authCache?.invalidate(merchantId);
    if (!done) throw new MerchantError(`no merchant ${merchantId}`);
  }

  /**
   * Before a merchant's first checkout session: from then on its direct payments check their
   * trans_id against its sessions. Other processes hear of it as of any merchant change.
   */
  async markUsesCheckout(merchantId: string): Promise<void> {
    if (await this.repo.markUsesCheckout(merchantId)) this.authCache?.invalidate(merchantId);
  }

  async setNotifyUrl(merchantId: string, url: string | undefined): Promise<void> {
    if (url !== undefined) assertHttpUrl(url);
    const done = await this.repo.setNotifyUrl(merchantId, url ?? null, this.clock.now());
    this.authCache?.invalidate(merchantId);
    if (!done) throw new MerchantError(`no merchant ${merchantId}`);
  }

  /**
   * Sends all the merchant's notifications in one protocol (docs/notifications.md#v3-deliveries),
   * or with null each in the wire its order was created over. Read at every delivery, so it
   * applies to notifications already queued too.
   */
  async setNotifyProtocol(merchantId: string, protocol: Wire | null): Promise<void> {
    if (protocol !== null && !isWire(protocol)) {
      throw new MerchantError(`a notify protocol is ${WIRES.join(' or ')}, not ${String(protocol)}`);
    }
    const done = await this.repo.setNotifyProtocol(merchantId, protocol, this.clock.now());
    this.authCache?.invalidate(merchantId);
    if (!done) throw new MerchantError(`no merchant ${merchantId}`);
  }

  /**
   * Gives the merchant a PayKKa v3 app id of its own (docs/signing.md#v3), or with null takes it
   * back to its merchant id. An app id names one merchant: one that is another merchant's app id
   * or merchant id is refused.
   */
  async setAppId(merchantId: string, appId: string | null): Promise<void> {
    await this.mustExist(merchantId);
    if (appId !== null) {
      if (!HEADER_TOKEN.test(appId)) throw new MerchantError('an app id is 1 to 64 visible ASCII characters');
      const holder = (await this.repo.merchantIdByAppId(appId)) ?? ((await this.repo.find(appId)) && appId);
      if (holder && holder !== merchantId) throw new MerchantError(`app id ${appId} names another merchant`);
    }
    try {
      await this.repo.setAppId(merchantId, appId === merchantId ? null : appId, this.clock.now());
    } catch {
      // The unique index: another merchant took it between the check and the update.
      throw new MerchantError(`app id ${appId} names another merchant`);
    }
    this.authCache?.invalidate(merchantId);
  }

  /** The merchant a v3 request's app id names: one that took it, else the merchant with that id. */
  async forAppId(appId: string): Promise<MerchantWithKeys | undefined> {
    const direct = await this.forAuth(appId);
    if (direct && direct.merchant.app_id === null) return direct;
    const merchantId = await this.repo.merchantIdByAppId(appId);
    return merchantId === undefined ? undefined : this.forAuth(merchantId);
  }

  async addKey(merchantId: string, publicKeyPem: string): Promise<string> {
    await this.mustExist(merchantId);
    const pem = normalisePublicKey(publicKeyPem);
    const keys = await this.repo.keys(merchantId);
    if (keys.length >= MAX_KEYS) {
      throw new MerchantError(`merchant ${merchantId} already has ${MAX_KEYS} keys; remove one first`);
    }
    const keyId = newKeyId();
    await this.repo.addKey({
      key_id: keyId,
      merchant_id: merchantId,
      public_key_pem: pem,
      created_at: this.clock.now(),
    });
    this.authCache?.invalidate(merchantId);
    return keyId;
  }

  async removeKey(merchantId: string, keyId: string): Promise<void> {
    await this.mustExist(merchantId);
    const removed = await this.repo.removeKey(merchantId, keyId);
    this.authCache?.invalidate(merchantId);
    if (!removed) throw new MerchantError(`merchant ${merchantId} has no key ${keyId}`);
  }

  /**
   * A new client key for the merchant. The one it replaces keeps working for `graceMs` (0: not
   * at all), so pages already showing the card form, and cards encrypted on them, still pay;
   * a previous key still in its grace period is dropped.
   */
  async rotateClientKey(merchantId: string, graceMs: number): Promise<MerchantRow> {
    if (!Number.isSafeInteger(graceMs) || graceMs < 0)
      throw new MerchantError('the grace period must not be negative');
    const now = this.clock.now();
    const rotated = await this.repo.rotateClientKey(
      merchantId,
      newClientKey(),
      graceMs > 0 ? now + graceMs : null,
      now,
    );
    this.authCache?.invalidate(merchantId);
    if (!rotated) throw new MerchantError(`no merchant ${merchantId}`);
    return rotated;
  }

  /**
   * The active merchant that answers to `clientKey` now (its current key, or the previous one
   * in its grace period); undefined for anything else, malformed keys included, so a caller
   * cannot tell a disabled merchant's key from one that never existed.
   */
  async byClientKey(clientKey: string): Promise<MerchantRow | undefined> {
    if (!CLIENT_KEY_PATTERN.test(clientKey)) return undefined;
    const merchant = await this.repo.findByClientKey(clientKey);
    if (merchant?.status !== 'ACTIVE') return undefined;
    return holdsClientKey(merchant, clientKey, this.clock.now()) ? merchant : undefined;
  }

  async find(merchantId: string): Promise<MerchantRow> {
    const merchant = await this.repo.find(merchantId);
    if (!merchant) throw new MerchantError(`no merchant ${merchantId}`);
    return merchant;
  }

  async keys(merchantId: string): Promise<MerchantKeyRow[]> {
    await this.mustExist(merchantId);
    return this.repo.keys(merchantId);
  }

  /** For request authentication: the merchant (any status) and its parsed public keys. */
  forAuth(merchantId: string): Promise<MerchantWithKeys | undefined> {
    return this.authCache
      ? this.authCache.get(merchantId, () => this.readForAuth(merchantId))
      : this.readForAuth(merchantId);
  }

  private async readForAuth(merchantId: string): Promise<MerchantWithKeys | undefined> {
    const found = await this.repo.findWithKeyIds(merchantId);
    if (!found) return undefined;
    if (found.keyIds.some((id) => !this.parsed.has(id))) {
      for (const row of await this.repo.keys(merchantId)) this.parse(row);
    }
    // A key removed between the two reads has no parsed entry here and is left out.
    const keys = found.keyIds.flatMap((id) => this.parsed.get(id) ?? []);
    return { merchant: found.merchant, keys };
  }

  private parse(row: MerchantKeyRow): KeyObject {
    let key = this.parsed.get(row.key_id);
    if (!key) {
      key = createPublicKey(row.public_key_pem);
      this.parsed.set(row.key_id, key);
    }
    return key;
  }

  private async mustExist(merchantId: string): Promise<void> {
    if (!(await this.repo.find(merchantId))) throw new MerchantError(`no merchant ${merchantId}`);
  }
}

/** Accepts a PEM public key (or the private key, from which the public half is taken) and stores SPKI PEM. */
function normalisePublicKey(text: string): string {
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    throw new MerchantError('the key is not a PEM-encoded RSA public key');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new MerchantError('the key must be an RSA key (SHA256withRSA)');
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new MerchantError(`the RSA key must have at least 2048 bits (has ${bits})`);
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

function assertHttpUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MerchantError(`notify URL ${value} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MerchantError('notify URL must be http or https');
  }
}
