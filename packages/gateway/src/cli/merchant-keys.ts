/** Key pairs the CLI creates for merchants (demo merchant, --generate-key). */
import { generateKeyPair } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../store/private-files.ts';

export interface GeneratedKey {
  publicKeyPem: string;
  privateKeyFile: string;
}

/** Writes the private key (PKCS#8 PEM, mode 0600) into `dir` and returns the public half. */
export async function generateMerchantKey(dir: string, fileName: string): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  // A dir made here is the operator's alone; one that exists is theirs and keeps its mode.
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const privateKeyFile = resolve(join(dir, fileName));
  // 'wx': never replace an existing private key.
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: PRIVATE_FILE_MODE,
    flag: 'wx',
  });
  return { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKeyFile };
}
