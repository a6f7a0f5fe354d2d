/**
 * A merchant key pair made for the operator on the dashboard: the public half is stored like
 * any uploaded key, the private half goes back in that one answer and is kept nowhere.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

export interface MadeKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

export async function newMerchantKeyPair(): Promise<MadeKeyPair> {
  // On the thread pool: 2048-bit RSA takes long enough to stall the event loop.
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
