// docs/signing.md publishes a worked signature example; this recomputes it with the SDK's signing code.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  decodeSignatureHeader,
  encodeV3Signature,
  signSync,
  stringToSign,
  v3StringToSign,
  verifySignature,
} from '@openkka/sdk/signing';
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

describe('the v3 test vector in docs/signing.md', () => {
  const path = vector('v3-path');
  const v3Timestamp = vector('v3-timestamp');
  const nonce = vector('v3-nonce');
  const v3Body = vector('v3-body');
  const signed = () => v3StringToSign('POST', path, v3Timestamp, nonce, v3Body);

  it("is a query for the documented merchant, compact as PayKKa's plugin sends it", () => {
    expect(JSON.parse(v3Body)).toMatchObject({ merchant_id: merchantId });
    expect(v3Body).not.toContain('\n');
    expect(nonce).toMatch(/^\d{16}$/);
  });

  it('documents the five lines v3StringToSign joins, with no line feed at the end', () => {
    expect(signed().toString('utf8')).toBe(vector('v3-string-to-sign'));
    expect(signed().toString('utf8').endsWith('\n')).toBe(false);
  });

  it('replaces an empty part by one space', () => {
    expect(v3StringToSign('POST', path, v3Timestamp, nonce, '').toString('utf8')).toBe(
      `POST\n${path}\n${v3Timestamp}\n${nonce}\n `,
    );
  });

  it('documents the signature of the test key, and its percent-encoded header', () => {
    const signature = signSync(signed(), createPrivateKey(privateKeyPem));
    expect(signature).toBe(vector('v3-signature'));
    expect(encodeV3Signature(signature)).toBe(vector('v3-sign-header'));
    expect(decodeSignatureHeader(vector('v3-sign-header'))?.toString('base64')).toBe(signature);
  });

  it('verifies with the public key, and not once any part changes', () => {
    const publicKey = createPublicKey(publicKeyPem);
    const signature = Buffer.from(vector('v3-signature'), 'base64');
    expect(verifySignature(signed(), signature, publicKey)).toBe(true);
    for (const changed of [
      v3StringToSign('POST', '/v3/payment/acq/refund', v3Timestamp, nonce, v3Body),
      v3StringToSign('POST', path, `${v3Timestamp}1`, nonce, v3Body),
      v3StringToSign('POST', path, v3Timestamp, `${nonce}1`, v3Body),
      v3StringToSign('POST', path, v3Timestamp, nonce, `${v3Body} `),
    ]) {
      expect(verifySignature(changed, signature, publicKey)).toBe(false);
    }
  });
});
