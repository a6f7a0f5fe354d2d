/**
 * The gateway keys as one process uses them: the current public key for `GET /cp/keys/…`, and
 * each key's ECDH private half for decrypting card fields. The list lives sealed in the store
 * (vault/card-encryption-keys.ts); this keeps it unsealed in memory and reads it again at most
 * every few seconds, so a key another process (or `openkka keys rotate-card-encryption`) made
 * is served and accepted here too, without a read per payment.
 */
import { createECDH, type ECDH, type KeyObject } from 'node:crypto';
import type { GatewayPublicKey, P256GatewayKey, X25519GatewayKey } from '@openkka/sdk/card-encryption';
import type { Clock } from '../../domain/clock.ts';
import type { Store } from '../../store/db.ts';
import {
  currentGatewayKey,
  decryptsUntil,
  ensureGatewayKeys,
  type GatewayKey,
  readGatewayKeys,
  type StoredGatewayKeys,
  x25519Of,
} from '../../vault/card-encryption-keys.ts';
import type { Vault } from '../../vault/vault.ts';

/** How old the copy in memory may be before the store is read again. */
export const GATEWAY_KEYS_MAX_AGE_MS = 5_000;
/** At most one extra read per this long for a kid not known here (a key made elsewhere a moment ago). */
const UNKNOWN_KID_READ_MS = 1_000;

export interface DecryptingKey {
  kid: string;
  /** ECDH over P-256 with the key's private half: `computeSecret(epk point)`. */
  ecdh: ECDH;
  /** The private key of its X25519 half, for `diffieHellman`. */
  x25519: KeyObject;
  /** Epoch ms from which the key no longer decrypts (Infinity while current). */
  decryptsUntil: number;
}

interface Loaded {
  sealed: string;
  /** The current key's halves, the preferred (X25519) first. */
  current: GatewayPublicKey[];
  byKid: ReadonlyMap<string, DecryptingKey>;
}

/** The P-256 half of a gateway key, as browsers get it. */
export function publicKeyOf(key: GatewayKey): P256GatewayKey {
  const { kty, crv, x, y } = key.jwk;
  return { kty, crv, x, y, kid: key.kid, use: 'enc', alg: 'ECDH-ES' };
}

/** The X25519 half of a gateway key, under the same kid. */
export function x25519PublicKeyOf(key: GatewayKey): X25519GatewayKey {
  return { kty: 'OKP', crv: 'X25519', x: x25519Of(key.jwk).x, kid: key.kid, use: 'enc', alg: 'ECDH-ES' };
}

/** Both halves, the one cheaper to decrypt first: the order browsers should choose in. */
export function publicKeysOf(key: GatewayKey): GatewayPublicKey[] {
  return [x25519PublicKeyOf(key), publicKeyOf(key)];
}

export function decryptingKey(key: GatewayKey): DecryptingKey {
  // createECDH rather than a KeyObject: computeSecret takes the peer's point as bytes, which
  // spares the import of a key object per payment (half the cost of the agreement itself).
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(key.jwk.d, 'base64url'));
  return { kid: key.kid, ecdh, x25519: x25519Of(key.jwk).privateKey, decryptsUntil: decryptsUntil(key) };
}

function load(stored: StoredGatewayKeys): Loaded {
  const byKid = new Map(stored.keys.map((key) => [key.kid, decryptingKey(key)] as const));
  return { sealed: stored.sealed, current: publicKeysOf(currentGatewayKey(stored.keys)), byKid };
}

export class GatewayKeys {
  private loaded: Loaded | undefined;
  /** performance.now() of the last read: cache age is measured on a clock tests do not move. */
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly vault: Vault,
    private readonly clock: Clock,
  ) {}

  /** The P-256 half of the key browsers encrypt to now (see currentKeys). */
  async current(): Promise<P256GatewayKey> {
    return (await this.currentKeys()).find((k): k is P256GatewayKey => k.crv === 'P-256')!;
  }

  /** The halves of the key browsers encrypt to now, preferred first; the store's first gateway key is made on first use. */
  async currentKeys(): Promise<GatewayPublicKey[]> {
    if (!this.loaded || performance.now() - this.readAt > GATEWAY_KEYS_MAX_AGE_MS) await this.read(true);
    // The read shared above may have been a decrypting one, which makes no key: read again.
    if (!this.loaded) await this.read(true);
    if (!this.loaded) throw new Error('the store has no gateway key and none could be made');
    return this.loaded.current;
  }

  /** The key named `kid` while it still decrypts, or undefined (unknown, or retired by now). */
  async forKid(kid: string): Promise<DecryptingKey | undefined> {
    const age = performance.now() - this.readAt;
    if (age > GATEWAY_KEYS_MAX_AGE_MS || (!this.loaded?.byKid.has(kid) && age > UNKNOWN_KID_READ_MS)) {
      await this.read(false);
    }
    const key = this.loaded?.byKid.get(kid);
    return key && this.clock.now() < key.decryptsUntil ? key : undefined;
  }

  /** One read at a time; callers arriving meanwhile share it. */
  private read(create: boolean): Promise<void> {
    this.reading ??= (async () => {
      try {
        const stored = create
          ? await ensureGatewayKeys(this.store, this.vault, this.clock.now())
          : await readGatewayKeys(this.store, this.vault);
        this.readAt = performance.now();
        // Unchanged (the common case): keep the ECDH objects already made.
        if (stored && stored.sealed !== this.loaded?.sealed) this.loaded = load(stored);
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }
}
