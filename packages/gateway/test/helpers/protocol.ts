/**
 * What the protocol tests share: a real gateway on a clock the test moves by hand, requests
 * signed by hand (so they can be broken on purpose), and the checks every response must pass:
 * the envelope shape, the protocol headers and a platform signature that verifies (docs/signing.md, docs/api.md#the-envelope).
 */
import { createSign, type KeyObject } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { OpenKKA } from '@openkka/sdk';
import { expect } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { REQUEST_CODES } from '../../src/domain/errors.ts';
import { cardPayment } from './cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from './gateway.ts';
import { newKeyPair } from './keys.ts';
import { type RawResponse, rawPost, responseSignatureValid, signBody } from './raw.ts';

export const MINUTE = 60_000;

/** Every ret_code openkka may answer for a refused request (the catalogue, minus system error). */
const DOCUMENTED_REFUSALS = new Map(
  Object.values(REQUEST_CODES)
    .filter(
      (entry) => entry.code !== REQUEST_CODES.SUCCESS.code && entry.code !== REQUEST_CODES.SYSTEM_ERROR.code,
    )
    .map((entry) => [`${entry.http} ${entry.code}`, entry]),
);

export interface SendOptions {
  /** Who signs and over which timestamp; defaults to the body's own merchant_id and timestamp. */
  signer?: { merchantId?: string; key?: KeyObject; timestamp?: string | number };
  /** Replaces the computed signature header; `null` sends none. */
  signature?: string | null;
  /** Extra or replacing headers (content-type, version…); `null` removes one. */
  headers?: Record<string, string | null>;
  /** Changes the bytes after they were signed. */
  tamper?: (text: string) => string;
}

export class Protocol {
  // One key pair for the merchants of a file: RSA key generation would otherwise dominate the run.
  // Tests about another merchant's key use gw.createMerchant(), which makes a fresh pair.
  private readonly sharedKeys = newKeyPair();

  private constructor(
    readonly gw: TestGateway,
    readonly clock: ManualClock,
  ) {}

  /** A gateway whose clock starts at the real time (cards' expiry is judged against it) and then stands still. */
  static async start(): Promise<Protocol> {
    const clock = new ManualClock(Date.now());
    return new Protocol(await startGateway({ clock }), clock);
  }

  close(): Promise<void> {
    return this.gw.close();
  }

  /** A new enabled merchant (its own id, the file's shared key pair), so order counts per test are exact. */
  async merchant(): Promise<TestMerchant> {
    const { merchant } = await this.gw.merchants.create({
      name: 'Protocol test merchant',
      publicKeyPem: this.sharedKeys.publicKeyPem,
    });
    return {
      ...this.sharedKeys,
      merchantId: merchant.merchant_id,
      clientKey: merchant.client_key,
      client: new OpenKKA({
        baseUrl: this.gw.baseUrl,
        merchantId: merchant.merchant_id,
        privateKey: this.sharedKeys.privateKeyPem,
        platformPublicKey: this.gw.platformPublicKeyPem,
        now: () => this.clock.now(),
      }),
    };
  }

  /** A payment body for `merchant`, stamped with the gateway's current time. */
  payment(
    merchant: { merchantId: string },
    overrides: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return { merchant_id: merchant.merchantId, timestamp: this.clock.now(), ...cardPayment(), ...overrides };
  }

  /**
   * Posts `body` (an object is serialised compactly; a string is sent as is), signed with the
   * merchant's key over the body's merchant_id and timestamp unless `options` say otherwise.
   */
  async send(
    merchant: TestMerchant,
    path: string,
    body: Record<string, unknown> | string,
    options: SendOptions = {},
  ): Promise<RawResponse> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const parsed = typeof body === 'string' ? readObject(body) : body;
    const merchantId = options.signer?.merchantId ?? stringOr(parsed?.merchant_id, merchant.merchantId);
    const timestamp = options.signer?.timestamp ?? stringOr(parsed?.timestamp, String(this.clock.now()));
    const signature =
      options.signature === undefined
        ? signBody(merchantId, timestamp, text, options.signer?.key ?? merchant.privateKey)
        : options.signature;
    const headers: Record<string, string | null> = {
      type: 'RSA256',
      version: 'v1.2',
      ...(signature === null ? {} : { signature }),
      ...options.headers,
    };
    const sent = Object.fromEntries(
      Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== null),
    );
    return rawPost(this.gw.baseUrl, path, options.tamper ? options.tamper(text) : text, sent);
  }

  /** Any method, any bytes, no signing: for what no client should send. */
  async request(
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> {
    const res = await fetch(`${this.gw.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: readObject(text) ?? {} };
  }

  /**
   * POST over node:http, which (unlike fetch) can leave out the content-type or send the body
   * chunked, without a Content-Length (when given as several chunks).
   */
  httpPost(path: string, body: Buffer | Buffer[], headers: Record<string, string>): Promise<RawResponse> {
    const chunks = Array.isArray(body) ? body : [body];
    const lengths = Array.isArray(body) ? {} : { 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${this.gw.baseUrl}${path}`,
        { method: 'POST', headers: { ...lengths, ...headers } },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (typeof value === 'string') responseHeaders.set(name, value);
            }
            resolve({
              status: res.statusCode!,
              headers: responseHeaders,
              text,
              json: readObject(text) ?? {},
            });
          });
        },
      );
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  /** Orders in the store, in all or for one merchant. */
  async orderCount(merchantId?: string): Promise<number> {
    let query = this.gw.runtime.store.writer.selectFrom('orders').select((eb) => eb.fn.countAll().as('n'));
    if (merchantId !== undefined) query = query.where('merchant_id', '=', merchantId);
    const row = await query.executeTakeFirstOrThrow();
    // PostgreSQL answers count(*) as a string.
    return Number(row.n);
  }

  /** The protocol headers every API response carries, with the timestamp of the gateway clock. */
  expectProtocolHeaders(res: RawResponse): void {
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('type')).toBe('RSA256');
    expect(res.headers.get('version')).toBe('v1.2');
    expect(res.headers.get('timestamp')).toMatch(/^\d+$/);
    expect(Number(res.headers.get('timestamp'))).toBe(this.clock.now());
    expect(res.headers.get('signature')).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  }

  /** The response is signed by the platform for `merchantId`, and for nobody else. */
  expectSignedFor(res: RawResponse, merchantId: string): void {
    expect(responseSignatureValid(res, merchantId, this.gw.platformPublicKeyPem)).toBe(true);
    expect(responseSignatureValid(res, `${merchantId}0`, this.gw.platformPublicKeyPem)).toBe(false);
  }

  /** A request-level refusal: exact status and code, the bare `{ret_code, ret_msg}` envelope, signed. */
  expectRefused(res: RawResponse, http: number, code: string, merchantId: string): void {
    expect({ status: res.status, ret_code: res.json.ret_code }).toEqual({ status: http, ret_code: code });
    expect(Object.keys(res.json).sort()).toEqual(['ret_code', 'ret_msg']);
    expect(res.json.ret_msg).toEqual(expect.any(String));
    expect(DOCUMENTED_REFUSALS.has(`${http} ${code}`)).toBe(true);
    this.expectProtocolHeaders(res);
    this.expectSignedFor(res, merchantId);
  }

  /** A 200 success envelope, signed for `merchantId`; returns `data`. */
  expectOk(res: RawResponse, merchantId: string): Record<string, unknown> {
    expect({ status: res.status, ret_code: res.json.ret_code, ret_msg: res.json.ret_msg }).toEqual({
      status: 200,
      ret_code: '000000',
      ret_msg: 'Success',
    });
    this.expectProtocolHeaders(res);
    this.expectSignedFor(res, merchantId);
    const data = res.json.data as Record<string, unknown>;
    expect(String(data.timestamp)).toBe(res.headers.get('timestamp'));
    return data;
  }

  /**
   * After a refused payment request: the merchant has no order, and the same trans_id still
   * makes a successful payment when sent properly.
   */
  async expectNothingStoredAndTransIdFree(
    merchant: TestMerchant,
    body: Record<string, unknown>,
  ): Promise<void> {
    expect(await this.orderCount(merchant.merchantId)).toBe(0);
    const retry = { ...body, merchant_id: merchant.merchantId, timestamp: this.clock.now() };
    const data = this.expectOk(await this.send(merchant, '/apis/payments', retry), merchant.merchantId);
    expect({ trans_id: data.trans_id, status: data.status }).toEqual({
      trans_id: body.trans_id,
      status: 'SUCCESS',
    });
    expect(await this.orderCount(merchant.merchantId)).toBe(1);
  }
}

/** The request signature of docs/signing.md over raw bytes, which need not be valid UTF-8. */
export function signBytes(
  merchantId: string,
  timestamp: string | number,
  body: Buffer,
  key: KeyObject,
): string {
  return createSign('sha256')
    .update(`merchantId=${merchantId}&timestamp=${timestamp}&requestBody=`)
    .update(body)
    .sign(key, 'base64');
}

function readObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}
