/**
 * OPENKKA_GOOGLE_PAY_ROOT_KEYS: Google's published root keys format is read as it is (entries
 * for other protocols included), and a file that cannot be used stops the start with a message
 * naming the entry, rather than refusing every payment later.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseRootKeys,
  readRootKeysFile,
  rootKeysDocument,
} from '../../../src/modules/wallets/google-pay/root-keys.ts';

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const spki = (key = p256()) => key.export({ type: 'spki', format: 'der' }).toString('base64');

describe('root keys in Google’s format', () => {
  it('reads every entry, with or without keyExpiration, for any protocol', () => {
    const json = JSON.stringify({
      keys: [
        { keyValue: spki(), protocolVersion: 'ECv1' },
        { keyValue: spki(), protocolVersion: 'ECv2', keyExpiration: '2154841200000' },
        { keyValue: spki(), protocolVersion: 'ECv2SigningOnly', keyExpiration: '2154841200000' },
      ],
    });
    const roots = parseRootKeys(json, 'test');
    expect(roots.map((r) => [r.protocolVersion, r.expiresAt])).toEqual([
      ['ECv1', undefined],
      ['ECv2', 2154841200000],
      ['ECv2SigningOnly', 2154841200000],
    ]);
  });

  it('reads back what rootKeysDocument writes', () => {
    const key = p256();
    const [root] = parseRootKeys(rootKeysDocument([{ publicKey: key, expiresAt: 5 }]), 'test');
    expect(root!.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')).toBe(spki(key));
    expect(root!.expiresAt).toBe(5);
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['no keys array', '{"keys":{}}', /has no "keys" array/],
    [
      'a key that is not base64 SPKI',
      JSON.stringify({ keys: [{ keyValue: 'AAAA', protocolVersion: 'ECv2' }] }),
      /keys\[0\]\.keyValue/,
    ],
    [
      'an RSA key',
      JSON.stringify({
        keys: [
          {
            keyValue: generateKeyPairSync('rsa', { modulusLength: 1024 })
              .publicKey.export({ type: 'spki', format: 'der' })
              .toString('base64'),
            protocolVersion: 'ECv2',
          },
        ],
      }),
      /keys\[0\]\.keyValue is not a base64 EC P-256/,
    ],
    [
      'a P-384 key',
      JSON.stringify({
        keys: [
          {
            keyValue: spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey),
            protocolVersion: 'ECv2',
          },
        ],
      }),
      /keys\[0\]\.keyValue/,
    ],
    [
      'a numeric keyExpiration',
      JSON.stringify({ keys: [{ keyValue: spki(), protocolVersion: 'ECv2', keyExpiration: 5 }] }),
      /keys\[0\]\.keyExpiration/,
    ],
    ['no protocolVersion', JSON.stringify({ keys: [{ keyValue: spki() }] }), /keys\[0\]\.protocolVersion/],
    [
      'no ECv2 key',
      JSON.stringify({ keys: [{ keyValue: spki(), protocolVersion: 'ECv1' }] }),
      /holds no ECv2 key/,
    ],
  ])('refuses %s, naming what is wrong', (_name, json, message) => {
    expect(() => parseRootKeys(json, 'the file')).toThrow(message);
  });

  it('names the variable and the path when the file cannot be read', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'openkka-roots-')), 'keys.json');
    expect(() => readRootKeysFile(missing)).toThrow(/OPENKKA_GOOGLE_PAY_ROOT_KEYS: cannot read .*keys\.json/);
    writeFileSync(missing, '[]');
    expect(() => readRootKeysFile(missing)).toThrow(
      /OPENKKA_GOOGLE_PAY_ROOT_KEYS \(.*keys\.json\) has no "keys" array/,
    );
  });
});
