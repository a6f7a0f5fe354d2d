/**
 * Client keys name a merchant to browser libraries (encrypted-card.js). They are public by
 * design, like a publishable key: knowing one lets a page encrypt cards for that merchant and
 * nothing else, since every payment is still signed with the merchant's private key. After a
 * rotation the previous key keeps working until its grace period ends.
 */
import { randomBytes } from 'node:crypto';

/** `ck_` + 32 lower-case hex characters (128 random bits). */
export const CLIENT_KEY_PATTERN = /^ck_[0-9a-f]{32}$/;

export function newClientKey(): string {
  return `ck_${randomBytes(16).toString('hex')}`;
}

/** How long a rotated-out client key keeps working unless the rotation says otherwise: one blob lifetime. */
export const DEFAULT_CLIENT_KEY_GRACE_MS = 24 * 60 * 60_000;

export interface ClientKeys {
  client_key: string;
  previous_client_key: string | null;
  previous_client_key_expires_at: number | null;
}

/** Whether the merchant answers to `clientKey` at `now`: its current key, or the previous one in its grace period. */
export function holdsClientKey(merchant: ClientKeys, clientKey: string, now: number): boolean {
  if (clientKey === merchant.client_key) return true;
  return (
    merchant.previous_client_key !== null &&
    clientKey === merchant.previous_client_key &&
    merchant.previous_client_key_expires_at !== null &&
    now < merchant.previous_client_key_expires_at
  );
}
