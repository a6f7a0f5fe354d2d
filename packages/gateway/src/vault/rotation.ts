/**
 * Master key rotation while the gateway runs. Every few seconds it:
 *
 * 1. re-reads the keyring file when it changed (`openkka keys rotate-master` appends a primary,
 *    `retire-master` removes an old key), refusing a keyring that lost a key the store needs;
 * 2. brings the store's data keys under the keyring's primary: every data key is re-wrapped,
 *    and a new card data key becomes the primary (one compare-and-set on `data_keys`);
 * 3. adopts the store's current data keys, so keys another process made are known here too;
 * 4. while older card data keys remain, runs a re-encryption pass over the card records and
 *    sealed settings, then a scan: an older card data key that protects nothing any more (and
 *    was superseded long enough ago that no process can still be encrypting under it) is
 *    deleted. A master key that wraps no data key is then retirable (see status.ts).
 *
 * Every step is idempotent and every write a compare-and-set, so several gateway processes on
 * one store may all run this and converge. Tests call the steps directly.
 */
import { statSync } from 'node:fs';
import type { Clock } from '../domain/clock.ts';
import type { Store } from '../store/db.ts';
import {
  type CardTable,
  cardTables,
  countCardRecords,
  type RewrapResult,
  resealSettings,
  rewrapCards,
  sealedSettingsByKey,
} from './card-records.ts';
import { type DataKeys, masterKeysInUse, readDataKeys, rotateUnder, updateDataKeys } from './data-keys.ts';
import { type Keyring, readKeyringFile, sameKeyring } from './keyring.ts';
import type { Vault } from './vault.ts';

/** How often a running gateway looks at the keyring file and the store's data keys. */
export const KEYRING_POLL_MS = 5_000;
/**
 * A superseded card data key is kept at least this long after its successor appeared, even
 * when a scan finds nothing under it: long enough for every process to have adopted the new
 * key (they look every KEYRING_POLL_MS) and to have finished writing anything encrypted before.
 */
export const RETIRE_GRACE_MS = 2 * 60_000;
/** Least time between two re-encryption passes while a rotation is unfinished. */
export const PASS_INTERVAL_MS = 60_000;

export interface RotationLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface KeyRotationOptions {
  store: Store;
  vault: Vault;
  clock: Clock;
  log?: RotationLog | undefined;
  /** Tables holding card records; by default every table with a `card_ciphertext` column. */
  tables?: readonly CardTable[] | undefined;
  graceMs?: number | undefined;
  passIntervalMs?: number | undefined;
  batchSize?: number | undefined;
}

export interface PassResult extends RewrapResult {
  /** Sealed settings moved to the primary card data key. */
  resealed: string[];
  /** Card data keys deleted after the scan. */
  deleted: string[];
  /** Card records per card data key still listed, after the pass. */
  remaining: Record<string, number>;
}

const silent: RotationLog = { info() {}, warn() {}, error() {} };

export class KeyRotation {
  private readonly store: Store;
  private readonly vault: Vault;
  private readonly clock: Clock;
  private readonly log: RotationLog;
  private readonly graceMs: number;
  private readonly passIntervalMs: number;
  private readonly batchSize: number;
  private readonly tables: readonly CardTable[] | undefined;
  private fileSignature: string | undefined;
  private lastPassAt = Number.NEGATIVE_INFINITY;
  private lastProblem: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(options: KeyRotationOptions) {
    this.store = options.store;
    this.vault = options.vault;
    this.clock = options.clock;
    this.log = options.log ?? silent;
    this.graceMs = options.graceMs ?? RETIRE_GRACE_MS;
    this.passIntervalMs = options.passIntervalMs ?? PASS_INTERVAL_MS;
    this.batchSize = options.batchSize ?? 200;
    this.tables = options.tables;
  }

  /** One round: follow the keyring, and run a pass if a rotation is unfinished and one is due. */
  async runOnce(): Promise<PassResult | undefined> {
    const changed = await this.followKeyring();
    if (this.vault.dataKeys.card_keys.length < 2) return undefined;
    if (!changed && this.clock.now() - this.lastPassAt < this.passIntervalMs) return undefined;
    return this.reencrypt();
  }

  /**
   * Steps 1–3: adopts a changed keyring file, re-wraps the store's data keys under its primary
   * (adding a new primary card data key), and adopts the store's keys. Returns whether the
   * vault's keys changed.
   */
  async followKeyring(): Promise<boolean> {
    let keyring = this.vault.keyring;
    let signature: string | undefined;
    const candidate = this.changedKeyringFile();
    if (candidate) {
      const refusal = await this.refusal(candidate.keyring);
      if (refusal) {
        // Looked at again only once the file changes again.
        this.fileSignature = candidate.signature;
        this.problem(refusal);
      } else {
        keyring = candidate.keyring;
        signature = candidate.signature;
      }
    }
    const before = JSON.stringify(this.vault.dataKeys);
    const stored = await updateDataKeys(
      this.store,
      (keys) => (holdsAll(keyring, keys) ? rotateUnder(keys, keyring, this.clock.now()) : undefined),
      () => {
        throw new Error('the store has lost its data_keys setting');
      },
    );
    const changed = await this.vault.refresh(keyring, stored);
    if (signature !== undefined) {
      this.fileSignature = signature;
      this.log.info(
        { primary_master_key: keyring.primaryId, master_keys: [...keyring.keys.keys()] },
        'master keyring changed',
      );
    }
    if (JSON.stringify(stored.keys) !== before) {
      this.log.info(
        {
          primary_master_key: keyring.primaryId,
          primary_card_key: this.vault.primaryCardKeyId,
          card_keys: stored.keys.card_keys.map((k) => k.id),
        },
        'data keys changed',
      );
    }
    this.lastProblem = undefined;
    return changed;
  }

  /** Step 4: re-encrypts what is under older card data keys, then deletes those left empty. */
  async reencrypt(): Promise<PassResult> {
    this.lastPassAt = this.clock.now();
    const tables = this.tables ?? (await cardTables(this.store));
    const rewrap = await rewrapCards(this.store, this.vault, tables, this.batchSize);
    const resealed = await resealSettings(this.store, this.vault);
    const keys = this.vault.dataKeys;
    const ids = keys.card_keys.map((k) => k.id);
    const counts = await countCardRecords(this.store, tables, ids);
    const sealed = await sealedSettingsByKey(this.store, this.vault);
    const now = this.clock.now();
    const empty = new Set(
      keys.card_keys
        .slice(0, -1)
        .filter(
          (k, i) =>
            counts.byKey.get(k.id) === 0 &&
            !sealed.has(k.id) &&
            now >= keys.card_keys[i + 1]!.created_at + this.graceMs,
        )
        .map((k) => k.id),
    );
    let deleted: string[] = [];
    if (empty.size > 0) {
      const stored = await updateDataKeys(
        this.store,
        (current) => {
          const primary = current.card_keys[current.card_keys.length - 1]!;
          const kept = current.card_keys.filter((k) => k === primary || !empty.has(k.id));
          deleted = current.card_keys.filter((k) => !kept.includes(k)).map((k) => k.id);
          return deleted.length > 0 ? { ...current, card_keys: kept } : undefined;
        },
        () => {
          throw new Error('the store has lost its data_keys setting');
        },
      );
      await this.vault.refresh(this.vault.keyring, stored);
      if (deleted.length > 0)
        this.log.info({ deleted }, 'card data keys deleted: nothing is left under them');
    }
    const remaining: Record<string, number> = {};
    for (const k of this.vault.dataKeys.card_keys) remaining[k.id] = counts.byKey.get(k.id) ?? 0;
    if (rewrap.failed > 0) {
      this.problem(`${rewrap.failed} card records could not be decrypted by the re-encryption pass`);
    }
    return { ...rewrap, resealed, deleted, remaining };
  }

  start(intervalMs = KEYRING_POLL_MS): void {
    this.timer = setInterval(() => {
      if (this.running) return; // a slow pass is never overlapped by the next round
      this.running = this.runOnce()
        .catch((err: unknown) => this.problem((err as Error).message))
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** The keyring file's content when the file changed since last adopted, and differs from the keyring in use. */
  private changedKeyringFile(): { keyring: Keyring; signature: string } | undefined {
    const current = this.vault.keyring;
    if (!current.file) return undefined;
    const stat = statSync(current.file, { throwIfNoEntry: false });
    if (!stat) {
      this.problem(`the keyring file ${current.file} is gone; keeping the keyring read before`);
      return undefined;
    }
    const signature = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (signature === this.fileSignature) return undefined;
    let keyring: Keyring;
    try {
      keyring = readKeyringFile(current.file);
    } catch (err) {
      this.fileSignature = signature;
      this.problem(`${(err as Error).message}; keeping the keyring read before`);
      return undefined;
    }
    if (sameKeyring(keyring, current)) {
      this.fileSignature = signature;
      return undefined;
    }
    return { keyring, signature };
  }

  /** Why `next` must not replace the keyring in use, if it must not. */
  private async refusal(next: Keyring): Promise<string | undefined> {
    for (const [id, key] of this.vault.keyring.keys) {
      const other = next.keys.get(id);
      if (other && !other.equals(key)) {
        return `${next.source} gives master key "${id}" a different key; keeping the keyring read before`;
      }
    }
    const stored = await readDataKeys(this.store);
    const needed = [...masterKeysInUse(stored?.keys ?? this.vault.dataKeys)];
    const missing = needed.filter((id) => !next.keys.has(id));
    if (missing.length > 0) {
      return `${next.source} no longer holds master key "${missing.join('", "')}", which the store's data keys are wrapped by; keeping the keyring read before`;
    }
    return undefined;
  }

  /** Logs a problem once until it changes, not on every round. */
  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.log.error({}, `key rotation: ${message}`);
  }
}

/** Whether `keyring` holds every master key the data keys are under (else it is not ours to rotate with). */
function holdsAll(keyring: Keyring, keys: DataKeys): boolean {
  return [...masterKeysInUse(keys)].every((id) => keyring.keys.has(id));
}
