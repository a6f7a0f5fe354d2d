/**
 * A guard against a deadlock in Node's crypto that stalled the encrypted mixes' signing about
 * once in forty runs. The SDK's `encryptCard` makes each body's ephemeral key with
 * `generateKeyPairSync` and at once exports its public half as a JWK. Node (20.x, and the
 * current source) holds the key's mutex while the export allocates its strings; if that
 * allocation starts a garbage collection which collects the (already unreachable) key
 * generation job of that same key, the job's destructor (`~KeyPairGenConfig`) locks the same
 * mutex on the same thread and waits for ever: the load generator's main thread sat in
 * `futex_wait` under `ExportJWKEdKey` → `Heap::CollectGarbage` → `~KeyGenJob`, with no CPU.
 *
 * The key pairs made here never share a mutex with a generation job: the job encodes the
 * pair as JWKs inside itself (while it is alive), and the key objects are imported afresh from
 * them, so a later export locks a mutex no job's destructor knows. `installSafeKeyPairGeneration`
 * puts this in front of `node:crypto`'s `generateKeyPairSync` for the load generator's process
 * (the SDK, which the bench must not change, imports it from there), for the two calls
 * `encryptCard` makes; every other call goes to Node's own. It costs about 40 µs per X25519 key,
 * outside every timed window.
 */
import crypto, { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

export interface KeyObjectPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const original = crypto.generateKeyPairSync;

/** A fresh X25519 or P-256 key pair whose key objects no generation job holds. */
export function ephemeralKeyPair(type: 'x25519'): KeyObjectPair;
export function ephemeralKeyPair(type: 'ec', options: { namedCurve: string }): KeyObjectPair;
export function ephemeralKeyPair(type: 'x25519' | 'ec', options?: { namedCurve: string }): KeyObjectPair {
  const generate = original as unknown as (t: string, o: object) => { privateKey: JsonWebKey };
  const { privateKey: jwk } = generate(type, {
    ...options,
    publicKeyEncoding: { format: 'jwk' },
    privateKeyEncoding: { format: 'jwk' },
  });
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** The calls `encryptCard` makes: key objects (no encodings) on X25519 or a named curve. */
function isEphemeralRequest(type: unknown, options: unknown): boolean {
  const given = (options ?? {}) as Record<string, unknown>;
  if ('publicKeyEncoding' in given || 'privateKeyEncoding' in given) return false;
  if (type === 'x25519') return Object.keys(given).length === 0;
  return type === 'ec' && typeof given.namedCurve === 'string' && Object.keys(given).length === 1;
}

/** `generateKeyPairSync` with the two ephemeral-key calls made safe; the rest unchanged. */
export const safeGenerateKeyPairSync = ((type: unknown, options?: unknown) =>
  isEphemeralRequest(type, options)
    ? type === 'x25519'
      ? ephemeralKeyPair('x25519')
      : ephemeralKeyPair('ec', options as { namedCurve: string })
    : (original as (t: unknown, o: unknown) => unknown)(type, options)) as typeof crypto.generateKeyPairSync;

/** Makes this process's `node:crypto` (CommonJS and ES module importers alike) use it. */
export function installSafeKeyPairGeneration(): void {
  crypto.generateKeyPairSync = safeGenerateKeyPairSync;
  syncBuiltinESMExports();
}
