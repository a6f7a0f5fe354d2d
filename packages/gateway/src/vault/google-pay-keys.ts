/**
 * The Google Pay keys openkka keeps in its store, each one setting sealed under the primary
 * card data key (`Vault.sealText`) like the platform key, and re-sealed by the key rotation
 * (card-records.ts lists them). Both are made on first use; the first writer wins among
 * processes sharing a store.
 *
 * - The recipient key: the EC P-256 pair whose public half merchants register with Google
 *   (`openkka keys google-pay`); Google encrypts payment data to it.
 * - The sandbox root key: stands in for Google's root signing key until
 *   OPENKKA_GOOGLE_PAY_ROOT_KEYS names Google's published keys. `openkka google-pay
 *   test-token` signs with it; nothing outside this store can, as its private half never leaves it.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Store } from '../store/db.ts';
import { getSetting, putSettingOnce } from '../store/settings.ts';
import type { Vault } from './vault.ts';

export const GOOGLE_PAY_RECIPIENT_KEY_SETTING = 'google_pay_recipient_key';
export const GOOGLE_PAY_RECIPIENT_KEY_PURPOSE = 'google-pay-recipient-key';
export const GOOGLE_PAY_SANDBOX_ROOT_SETTING = 'google_pay_sandbox_root_key';
export const GOOGLE_PAY_SANDBOX_ROOT_PURPOSE = 'google-pay-sandbox-root-key';

/** An EC P-256 private key as PKCS#8 PEM, made now, or the one the store already holds. */
async function ensureKey(store: Store, vault: Vault, name: string, purpose: string): Promise<KeyObject> {
  const existing = await getSetting(store, name);
  const sealed =
    existing ??
    (await putSettingOnce(
      store,
      name,
      vault.sealText(
        generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
        purpose,
      ),
    ));
  return createPrivateKey(vault.openText(sealed, purpose));
}

/** The private key Google Pay tokens for openkka are encrypted to. */
export function ensureGooglePayRecipientKey(store: Store, vault: Vault): Promise<KeyObject> {
  return ensureKey(store, vault, GOOGLE_PAY_RECIPIENT_KEY_SETTING, GOOGLE_PAY_RECIPIENT_KEY_PURPOSE);
}

/** The private key of the sandbox's stand-in for Google's root signing key. */
export function ensureGooglePaySandboxRoot(store: Store, vault: Vault): Promise<KeyObject> {
  return ensureKey(store, vault, GOOGLE_PAY_SANDBOX_ROOT_SETTING, GOOGLE_PAY_SANDBOX_ROOT_PURPOSE);
}
