/**
 * Encrypted card fields (`payment.encrypted_card_no`, `encrypted_exp_month`,
 * `encrypted_exp_year`, `encrypted_cvv`), in one place: the gateway decrypts with the
 * functions here and the SDK encrypts with them, so the two can never disagree about the
 * format. openkka's browser library (`/cp/encrypted-card.js`) makes the same fields with
 * WebCrypto; docs/card-encryption.md describes the scheme for anyone writing another encoder.
 *
 * A card is encrypted as JWEs in compact serialization (RFC 7516):
 *
 *   BASE64URL(protected header) . "" . BASE64URL(IV) . BASE64URL(ciphertext) . BASE64URL(tag)
 *
 * - header: exactly `{"alg":"ECDH-ES","enc":"A256GCM","kid":<gateway key id>,"epk":<public JWK>}`,
 *   the ephemeral key on X25519 (`{"kty":"OKP","crv":"X25519","x"}`, RFC 8037) or on P-256
 *   (`{"kty":"EC","crv":"P-256","x","y"}`); the encrypted key is empty (ECDH-ES is direct key
 *   agreement, RFC 7518 §4.6). Every gateway key has a half on each curve under one `kid`:
 *   X25519 costs the gateway less than half a P-256 agreement, and P-256 is there for browsers
 *   whose WebCrypto has no X25519;
 * - content key: Concat KDF (RFC 7518 §4.6.2) over the ECDH shared secret of the ephemeral key
 *   `epk` and the gateway key `kid`, AlgorithmID "A256GCM", empty PartyUInfo and PartyVInfo,
 *   256 bits;
 * - AES-256-GCM with a random 96-bit IV and a 128-bit tag; the AAD is the header's base64url.
 *
 * Two layouts share that JWE. **Per card** (what openkka's library and encryptCard make): one
 * JWE whose plaintext is the whole card,
 * `{"card_no":"4242424242424242","exp_month":"12","exp_year":"2030","cvv":"123","generated_at":<epoch ms>,"client_key":"ck_…"}`
 * (`cvv` only when one was typed), given as the value of every field: the gateway opens one JWE
 * per payment. **Per field** (the first layout, still read): one JWE per field, plaintext
 * `{"field":"card_no","value":"4242424242424242","generated_at":<epoch ms>,"client_key":"ck_…"}`;
 * the four fields of one card share one ephemeral key, so one header and one content key (each
 * field has its own IV), and the gateway refuses fields that were not made together.
 *
 * In both, the names, the time and the client key sit inside the ciphertext, so a value cannot
 * be moved to another field, kept beyond its lifetime, or used by another merchant.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { OpenKKAApiError, OpenKKAConnectionError, OpenKKAError, OpenKKASignatureError } from './errors.ts';
import {
  decodeSignatureHeader,
  type PublicKeyInput,
  stringToSign,
  toPublicKey,
  verifySignature,
} from './signing.ts';

export const CARD_FIELD_NAMES = ['card_no', 'exp_month', 'exp_year', 'cvv'] as const;
export type CardFieldName = (typeof CARD_FIELD_NAMES)[number];

/** What one encrypted field holds once decrypted. */
export interface CardFieldPayload {
  field: CardFieldName;
  value: string;
  /** When it was encrypted, epoch ms, by the encrypting side's clock. */
  generated_at: number;
  /** The client key of the merchant it was encrypted for. */
  client_key: string;
}

/** What the one JWE of the per-card layout holds once decrypted: the card, as typed. */
export interface CardPayload {
  card_no: string;
  exp_month: string;
  exp_year: string;
  /** Absent when no CVV was typed. */
  cvv?: string;
  /** When it was encrypted, epoch ms, by the encrypting side's clock. */
  generated_at: number;
  /** The client key of the merchant it was encrypted for. */
  client_key: string;
}

/** How a card's fields are laid out: one JWE for the whole card, or one JWE per field. */
export type CardEncryptionLayout = 'per-card' | 'per-field';

/** A gateway key's P-256 half, as `GET /cp/keys/{clientKey}` answers it. */
export interface P256GatewayKey {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  use?: 'enc';
  alg?: 'ECDH-ES';
}

/** A gateway key's X25519 half (RFC 8037), under the same `kid`. */
export interface X25519GatewayKey {
  kty: 'OKP';
  crv: 'X25519';
  x: string;
  kid: string;
  use?: 'enc';
  alg?: 'ECDH-ES';
}

/** A gateway's public key on either curve. */
export type GatewayPublicKey = P256GatewayKey | X25519GatewayKey;
export type GatewayKeyCurve = GatewayPublicKey['crv'];

/** The encrypted fields of one card, named as `payment` names them. */
export interface EncryptedCardFields {
  encrypted_card_no: string;
  encrypted_exp_month: string;
  encrypted_exp_year: string;
  /** Absent when no CVV was given. */
  encrypted_cvv?: string;
}

export interface CardToEncrypt {
  number: string;
  expiryMonth: string | number;
  expiryYear: string | number;
  cvv?: string;
}

export interface EncryptCardOptions {
  /** The gateway key from `fetchGatewayKey` (or `openkka keys card-encryption --json`). */
  key: GatewayPublicKey;
  /** The merchant's client key (`openkka merchant create` prints it). */
  clientKey: string;
  card: CardToEncrypt;
  /** Epoch ms written as the fields' generation time; default now. */
  now?: number;
  /**
   * `per-card` (the default, what openkka's browser library makes): one JWE for the card, the
   * same string in every field. `per-field`: one JWE per field, the first layout.
   */
  layout?: CardEncryptionLayout;
}

const ALG = 'ECDH-ES';
const ENC = 'A256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const COORDINATE_BYTES = 32;
/** Longest plaintext a field may hold: a field name, a value of at most 64 characters, a time and a client key fit well within. */
const MAX_PLAINTEXT_BYTES = 512;

/** 32-bit big-endian length, then the bytes: Concat KDF's encoding of each OtherInfo part. */
function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * Concat KDF with SHA-256 (NIST SP 800-56A §5.8.1, as RFC 7518 §4.6.2 uses it): the key of
 * `keyBits` for `enc` from the shared secret `z`.
 */
export function concatKdf(
  z: Buffer,
  enc: string,
  keyBits: number,
  apu: Buffer = Buffer.alloc(0),
  apv: Buffer = Buffer.alloc(0),
): Buffer {
  const suppPubInfo = Buffer.alloc(4);
  suppPubInfo.writeUInt32BE(keyBits);
  const otherInfo = Buffer.concat([
    lengthPrefixed(Buffer.from(enc, 'ascii')),
    lengthPrefixed(apu),
    lengthPrefixed(apv),
    suppPubInfo,
  ]);
  const rounds = Math.ceil(keyBits / 256);
  const blocks: Buffer[] = [];
  for (let round = 1; round <= rounds; round++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(round);
    blocks.push(createHash('sha256').update(counter).update(z).update(otherInfo).digest());
  }
  return Buffer.concat(blocks).subarray(0, keyBits / 8);
}

/** Concat KDF's OtherInfo for A256GCM with no PartyU/PartyV info: the same for every card. */
const A256GCM_OTHER_INFO = Buffer.concat([
  lengthPrefixed(Buffer.from(ENC, 'ascii')),
  lengthPrefixed(Buffer.alloc(0)),
  lengthPrefixed(Buffer.alloc(0)),
  Buffer.from([0, 0, 1, 0]),
]);
const ROUND_ONE = Buffer.from([0, 0, 0, 1]);

/** The A256GCM content key of an ECDH-ES JWE, from the ECDH shared secret (one Concat KDF round). */
export function contentKey(sharedSecret: Buffer): Buffer {
  return createHash('sha256').update(ROUND_ONE).update(sharedSecret).update(A256GCM_OTHER_INFO).digest();
}

/** The header of a card field: exactly these four members. */
export interface CardFieldHeader {
  alg: typeof ALG;
  enc: typeof ENC;
  kid: string;
  epk: { kty: 'EC'; crv: 'P-256'; x: string; y: string } | { kty: 'OKP'; crv: 'X25519'; x: string };
}

export interface ParsedJwe {
  /** The header exactly as sent: what the fields of one card must share. */
  protectedB64: string;
  /** Its ASCII bytes, the AAD: one copy for the fields of a card. */
  aad: Buffer;
  header: CardFieldHeader;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Decodes base64url only in its one canonical spelling, so no two strings mean the same bytes:
 * no padding, no length that leaves a lone character, and the bits the last character carries
 * past the final byte all zero (checked directly rather than by re-encoding: this runs for
 * every field of every encrypted card).
 */
function canonicalBase64url(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const tail = text.length % 4;
  if (tail === 1) return null;
  if (tail !== 0) {
    const last = BASE64URL.indexOf(text[text.length - 1]!);
    // Two characters carry one byte and 4 spare bits; three carry two bytes and 2 spare bits.
    if (last % (tail === 2 ? 16 : 4) !== 0) return null;
  }
  return Buffer.from(text, 'base64url');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasExactly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((k) => Object.hasOwn(value, k));
}

function coordinate(value: unknown): boolean {
  return typeof value === 'string' && canonicalBase64url(value)?.length === COORDINATE_BYTES;
}

/** The header, if it is exactly a card field's; null for anything else (never throws). */
export function parseCardFieldHeader(protectedB64: string): CardFieldHeader | null {
  const bytes = canonicalBase64url(protectedB64);
  if (!bytes || bytes.length === 0 || bytes.length > 1024) return null;
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (!isPlainObject(header) || !hasExactly(header, ['alg', 'enc', 'kid', 'epk'])) return null;
  // Anything else (RSA-OAEP, a key-wrapping ECDH, another cipher, compression) is not this scheme.
  if (header.alg !== ALG || header.enc !== ENC) return null;
  if (typeof header.kid !== 'string' || header.kid === '' || header.kid.length > 64) return null;
  const epk = header.epk;
  if (!isPlainObject(epk)) return null;
  const p256 =
    hasExactly(epk, ['kty', 'crv', 'x', 'y']) &&
    epk.kty === 'EC' &&
    epk.crv === 'P-256' &&
    coordinate(epk.x) &&
    coordinate(epk.y);
  const x25519 =
    hasExactly(epk, ['kty', 'crv', 'x']) && epk.kty === 'OKP' && epk.crv === 'X25519' && coordinate(epk.x);
  return p256 || x25519 ? (header as unknown as CardFieldHeader) : null;
}

/**
 * A card field's JWE taken apart, or null when it is not one (never throws). `sameCardAs`, a
 * field of the same card already parsed, spares parsing its header again when it is the same.
 */
export function parseCompactJwe(text: unknown, sameCardAs?: ParsedJwe): ParsedJwe | null {
  if (typeof text !== 'string' || text.length > 4096) return null;
  const parts = text.split('.');
  if (parts.length !== 5) return null;
  const [protectedB64, encryptedKey, ivB64, ciphertextB64, tagB64] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (encryptedKey !== '') return null;
  const same = sameCardAs?.protectedB64 === protectedB64;
  const header = same ? sameCardAs.header : parseCardFieldHeader(protectedB64);
  const iv = canonicalBase64url(ivB64);
  const ciphertext = canonicalBase64url(ciphertextB64);
  const tag = canonicalBase64url(tagB64);
  if (!header || iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES) return null;
  if (!ciphertext || ciphertext.length === 0 || ciphertext.length > MAX_PLAINTEXT_BYTES) return null;
  const aad = same ? sameCardAs.aad : Buffer.from(protectedB64, 'ascii');
  return { protectedB64, aad, header, iv, ciphertext, tag };
}

/** The plaintext, or null when the key is wrong or anything was altered (never throws). */
export function decryptJwe(cek: Buffer, jwe: ParsedJwe): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', cek, jwe.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(jwe.aad);
    decipher.setAuthTag(jwe.tag);
    // GCM is a stream cipher: update() yields the whole plaintext; final() only checks the tag.
    const plaintext = decipher.update(jwe.ciphertext);
    decipher.final();
    return plaintext;
  } catch {
    return null;
  }
}

/** The JSON object a plaintext holds, or null (never throws). */
function jsonObject(plaintext: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(plaintext.toString('utf8'));
    return isPlainObject(value) ? value : null;
  } catch {
    return null;
  }
}

const isCardValue = (value: unknown): value is string => typeof value === 'string' && value.length <= 64;
const isEpochMs = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The payload of a decrypted field, if it has exactly the expected shape (never throws). */
export function readCardFieldPayload(plaintext: Buffer): CardFieldPayload | null {
  const value = jsonObject(plaintext);
  if (!value || !hasExactly(value, ['field', 'value', 'generated_at', 'client_key'])) return null;
  if (!(CARD_FIELD_NAMES as readonly unknown[]).includes(value.field)) return null;
  if (!isCardValue(value.value) || !isEpochMs(value.generated_at) || !isCardValue(value.client_key))
    return null;
  return value as unknown as CardFieldPayload;
}

const CARD_MEMBERS = ['card_no', 'exp_month', 'exp_year', 'generated_at', 'client_key'] as const;
const CARD_MEMBERS_WITH_CVV = [...CARD_MEMBERS, 'cvv'] as const;

/** The payload of a per-card JWE, if it has exactly the expected shape (never throws). */
export function readCardPayload(plaintext: Buffer): CardPayload | null {
  const value = jsonObject(plaintext);
  if (!value || !hasExactly(value, value.cvv === undefined ? CARD_MEMBERS : CARD_MEMBERS_WITH_CVV))
    return null;
  if (!isCardValue(value.card_no) || !isCardValue(value.exp_month) || !isCardValue(value.exp_year))
    return null;
  if (value.cvv !== undefined && !isCardValue(value.cvv)) return null;
  if (!isEpochMs(value.generated_at) || !isCardValue(value.client_key)) return null;
  return value as unknown as CardPayload;
}

function encryptPayload(protectedB64: string, cek: Buffer, payload: CardFieldPayload | CardPayload): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', cek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(protectedB64, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return [
    protectedB64,
    '',
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

/**
 * A fresh key pair, its public half as a JWK. Generated straight to JWKs and the private key
 * imported from its JWK, never exported from a generated key object: Node (20.x and later) can
 * deadlock exporting a key whose generation job a garbage collection frees during the export
 * (the job's destructor takes the lock the export holds, on the same thread); it hung a load
 * generator about once in forty runs.
 */
function ephemeralPair(
  type: 'x25519' | 'ec',
  options: { namedCurve?: string } = {},
): { privateKey: KeyObject; publicKey: JsonWebKey } {
  const generate = generateKeyPairSync as unknown as (
    t: string,
    o: object,
  ) => { privateKey: JsonWebKey; publicKey: JsonWebKey };
  const jwk = { format: 'jwk' };
  const pair = generate(type, { ...options, publicKeyEncoding: jwk, privateKeyEncoding: jwk });
  return { privateKey: createPrivateKey({ key: pair.privateKey, format: 'jwk' }), publicKey: pair.publicKey };
}

/** The gateway key as a key object, and a fresh ephemeral key pair on its curve. */
function agreement(key: GatewayPublicKey): {
  gatewayKey: KeyObject;
  ephemeral: KeyObject;
  epk: CardFieldHeader['epk'];
} {
  if (typeof key.kid !== 'string') throw new OpenKKAError('the gateway key has no kid');
  if (key.kty === 'OKP' && key.crv === 'X25519') {
    const gatewayKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: key.x }, format: 'jwk' });
    const { privateKey, publicKey } = ephemeralPair('x25519');
    return { gatewayKey, ephemeral: privateKey, epk: { kty: 'OKP', crv: 'X25519', x: publicKey.x! } };
  }
  if (key.kty === 'EC' && key.crv === 'P-256') {
    const gatewayKey = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: key.x, y: key.y },
      format: 'jwk',
    });
    const { privateKey, publicKey } = ephemeralPair('ec', { namedCurve: 'P-256' });
    return {
      gatewayKey,
      ephemeral: privateKey,
      epk: { kty: 'EC', crv: 'P-256', x: publicKey.x!, y: publicKey.y! },
    };
  }
  throw new OpenKKAError('the gateway key must be an X25519 (OKP) or P-256 (EC) public JWK with a kid');
}

/**
 * Encrypts one card's fields to a gateway key for a merchant's client key, as the browser
 * library does: for tests and server-side tools. Card data encrypted here is still card data
 * until it leaves: PCI DSS applies to whatever handles the plain values.
 */
export function encryptCard(options: EncryptCardOptions): EncryptedCardFields {
  const { key, clientKey, card } = options;
  const { gatewayKey, ephemeral, epk } = agreement(key);
  const header: CardFieldHeader = { alg: ALG, enc: ENC, kid: key.kid, epk };
  const protectedB64 = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  const cek = contentKey(diffieHellman({ privateKey: ephemeral, publicKey: gatewayKey }));
  const generated_at = options.now ?? Date.now();
  const values = {
    card_no: card.number,
    exp_month: String(card.expiryMonth),
    exp_year: String(card.expiryYear),
    ...(card.cvv === undefined ? {} : { cvv: card.cvv }),
  };
  if (options.layout === 'per-field') {
    const field = (name: CardFieldName, value: string) =>
      encryptPayload(protectedB64, cek, { field: name, value, generated_at, client_key: clientKey });
    return {
      encrypted_card_no: field('card_no', values.card_no),
      encrypted_exp_month: field('exp_month', values.exp_month),
      encrypted_exp_year: field('exp_year', values.exp_year),
      ...(values.cvv === undefined ? {} : { encrypted_cvv: field('cvv', values.cvv) }),
    };
  }
  const jwe = encryptPayload(protectedB64, cek, { ...values, generated_at, client_key: clientKey });
  return {
    encrypted_card_no: jwe,
    encrypted_exp_month: jwe,
    encrypted_exp_year: jwe,
    ...(values.cvv === undefined ? {} : { encrypted_cvv: jwe }),
  };
}

export interface FetchGatewayKeyOptions {
  /** Scheme and host of the gateway (optionally with a base path). */
  baseUrl: string;
  clientKey: string;
  /**
   * The platform public key (`openkka keys platform`): when given, the answer's signature is
   * checked before the key is trusted.
   */
  platformPublicKey?: PublicKeyInput;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** The curve wanted; default the gateway's first choice (X25519, the cheaper to decrypt). */
  curve?: GatewayKeyCurve;
}

/**
 * The gateway key a merchant's cards are encrypted to, from `GET /cp/keys/{clientKey}`: of
 * `data.keys` (most preferred first), the first on the curve asked for; a gateway that answers
 * only `data.key` (P-256) is read too.
 */
export async function fetchGatewayKey(options: FetchGatewayKeyOptions): Promise<GatewayPublicKey> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/cp/keys/${encodeURIComponent(options.clientKey)}`;
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(url);
    text = await response.text();
  } catch (err) {
    throw new OpenKKAConnectionError(`GET ${url} failed`, err);
  }
  if (options.platformPublicKey !== undefined) {
    const signature = decodeSignatureHeader(response.headers.get('signature') ?? '');
    const timestamp = response.headers.get('timestamp') ?? '';
    const signed = stringToSign('', timestamp, text);
    if (!signature || !verifySignature(signed, signature, toPublicKey(options.platformPublicKey))) {
      throw new OpenKKASignatureError(
        'the gateway key answer is not signed by the platform key',
        response.status,
      );
    }
  }
  let body: {
    ret_code?: string;
    ret_msg?: string;
    data?: { key?: GatewayPublicKey; keys?: GatewayPublicKey[] };
  };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new OpenKKAError(`GET ${url} answered HTTP ${response.status} with a body that is not JSON`);
  }
  if (body.ret_code !== '000000' || !body.data?.key) {
    throw new OpenKKAApiError(String(body.ret_code), String(body.ret_msg), response.status);
  }
  const offered = Array.isArray(body.data.keys) ? body.data.keys : [body.data.key];
  const key = offered.find((k) => options.curve === undefined || k?.crv === options.curve);
  if (!key) throw new OpenKKAError(`GET ${url} offers no gateway key on ${options.curve}`);
  return key;
}
