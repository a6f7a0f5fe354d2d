/** A test token for this store: signed by its sandbox root, encrypted to its recipient key. */
import { createPublicKey } from 'node:crypto';
import type { Store } from '../../../store/db.ts';
import { ensureGooglePayRecipientKey, ensureGooglePaySandboxRoot } from '../../../vault/google-pay-keys.ts';
import type { Vault } from '../../../vault/vault.ts';
import { uncompressedPoint } from './recipient.ts';
import { mintTestToken, type TestTokenOptions } from './test-token.ts';

export async function mintSandboxToken(
  store: Store,
  vault: Vault,
  options: Omit<TestTokenOptions, 'rootKey' | 'recipientPoint'> & Partial<TestTokenOptions>,
): Promise<string> {
  const recipient = await ensureGooglePayRecipientKey(store, vault);
  return mintTestToken({
    rootKey: await ensureGooglePaySandboxRoot(store, vault),
    recipientPoint: uncompressedPoint(createPublicKey(recipient)),
    ...options,
  });
}
