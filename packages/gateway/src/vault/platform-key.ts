/**
 * The platform key pair signs every response and notification. It is created once per store
 * (kept encrypted in `settings`, so every gateway process on one database signs alike) unless
 * OPENKKA_PLATFORM_KEY_FILE names a PEM private key to use instead.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Store } from '../store/db.ts';
import { getSetting, putSettingOnce } from '../store/settings.ts';
import type { Vault } from './vault.ts';

export interface PlatformKey {
  privateKey: KeyObject;
  publicKeyPem: string;
}

/** The setting holding the sealed private key, and the purpose it is sealed for (its AAD). */
export const PLATFORM_KEY_SETTING = 'platform_key';
export const PLATFORM_KEY_PURPOSE = 'platform-key';
const SETTING = PLATFORM_KEY_SETTING;
const PURPOSE = PLATFORM_KEY_PURPOSE;

export async function loadPlatformKey(store: Store, vault: Vault, file?: string): Promise<PlatformKey> {
  const pem = file ? readFileSync(file, 'utf8') : await loadOrCreatePem(store, vault);
  const privateKey = createPrivateKey(pem);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem };
}

async function loadOrCreatePem(store: Store, vault: Vault): Promise<string> {
  const existing = await getSetting(store, SETTING);
  if (existing) return vault.openText(existing, PURPOSE);
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return vault.openText(await putSettingOnce(store, SETTING, vault.sealText(pem, PURPOSE)), PURPOSE);
}
