/**
 * The Google Pay keys a gateway process verifies and decrypts with: the trusted root keys
 * (Google's, from OPENKKA_GOOGLE_PAY_ROOT_KEYS, or the store's sandbox root) and openkka's
 * recipient key. They are read (or made) once from the store and then kept in memory: neither
 * changes while the gateway runs (a master-key rotation re-seals them, unchanged).
 */
import { createECDH, createPublicKey, type ECDH, type KeyObject } from 'node:crypto';
import { PROTOCOL_VERSION } from '../../../core/input/google-pay-token.ts';
import type { Store } from '../../../store/db.ts';
import { ensureGooglePayRecipientKey, ensureGooglePaySandboxRoot } from '../../../vault/google-pay-keys.ts';
import type { Vault } from '../../../vault/vault.ts';
import type { RootKey } from './root-keys.ts';

export interface GooglePayKeys {
  /** Google's root signing keys (OPENKKA_GOOGLE_PAY_ROOT_KEYS) or the sandbox root. */
  roots(): Promise<readonly RootKey[]>;
  /** ECDH with openkka's recipient private key. */
  recipient(): Promise<ECDH>;
}

export function ecdhOf(privateKey: KeyObject): ECDH {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
  return ecdh;
}

/** `make()` once, its promise shared; a failure is not kept, so the next call tries again. */
function memoized<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= make().catch((err) => {
      promise = undefined;
      throw err;
    });
    return promise;
  };
}

/** The keys as a gateway holds them: read (or made) once from the store, then kept in memory. */
export function storedGooglePayKeys(store: Store, vault: Vault, configuredRoots?: RootKey[]): GooglePayKeys {
  const sandboxRoots = memoized(async (): Promise<readonly RootKey[]> => {
    const root = await ensureGooglePaySandboxRoot(store, vault);
    return [{ publicKey: createPublicKey(root), protocolVersion: PROTOCOL_VERSION, expiresAt: undefined }];
  });
  return {
    roots: configuredRoots ? async () => configuredRoots : sandboxRoots,
    recipient: memoized(async () => ecdhOf(await ensureGooglePayRecipientKey(store, vault))),
  };
}
