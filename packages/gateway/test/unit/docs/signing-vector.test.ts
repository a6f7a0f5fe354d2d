// docs/signing.md publishes a worked signature example; this recomputes it with the SDK's signing code.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signSync, stringToSign, verifySignature } from '@openkka/sdk/signing';
import { describe, expect, it } from 'vitest';

const signingDoc = readFileSync(new URL('../../../../../docs/signing.md', import.meta.url), 'utf8');

/** The fenced block right after `<!-- vector:<name> -->`, exactly its lines (no final line feed). */
function vector(name: string): string {
  const pattern = new RegExp(`<!-- vector:${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\`\\n`);
  const match = pattern.exec(signingDoc);
  if (!match) throw new Error(`docs/signing.md has no code block marked vector:${name}`);
  return match[1]!;
}

const privateKeyPem = vector('private-key');
const publicKeyPem = vector('public-key');
const merchantId = vector('merchant-id');
const timestamp = vector('timestamp');
const body = vector('body');
const documentedStringToSign = vector('string-to-sign');
const documentedSignature = vector('signature');

describe('the worked test vector in docs/signing.md', () => {
  it('is a pretty-printed request body carrying the documented merchant_id and timestamp', () => {
    expect(body).toContain('\n  "');
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(parsed.merchant_id).toBe(merchantId);
    expect(String(parsed.timestamp)).toBe(timestamp);
  });

  it('uses an RSA-2048 key pair whose halves belong together', () => {
    const privateKey = createPrivateKey(privateKeyPem);
    expect(privateKey.asymmetricKeyType).toBe('rsa');
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
    expect(derived.trim()).toBe(publicKeyPem);
  });

  it('documents the string-to-sign that stringToSign builds', () => {
    expect(stringToSign(merchantId, timestamp, body).toString('utf8')).toBe(documentedStringToSign);
    // A numeric timestamp, as a client holding the parsed value would pass it, gives the same bytes.
    expect(stringToSign(merchantId, Number(timestamp), Buffer.from(body)).toString('utf8')).toBe(
      documentedStringToSign,
    );
  });

  it('documents the signature that signing the string with the test private key yields', () => {
    const signature = signSync(stringToSign(merchantId, timestamp, body), createPrivateKey(privateKeyPem));
    expect(signature).toBe(documentedSignature);
  });

  it('verifies the documented signature with the documented public key, and nothing else', () => {
    const data = stringToSign(merchantId, timestamp, body);
    const publicKey = createPublicKey(publicKeyPem);
    const signature = Buffer.from(documentedSignature, 'base64');
    expect(verifySignature(data, signature, publicKey)).toBe(true);
    const tampered = stringToSign(merchantId, timestamp, body.replace('"amount": 1000', '"amount": 1001'));
    expect(verifySignature(tampered, signature, publicKey)).toBe(false);
  });
});
