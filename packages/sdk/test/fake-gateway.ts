/**
 * A real HTTP server standing in for the gateway in SDK tests. It checks each request's
 * signature with its own string-to-sign (not the SDK's), so a bug in the SDK's signing
 * cannot hide behind the same bug in the verifier, and answers with scripted replies.
 */
import { generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function rsaKeyPair(): KeyPair {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

export interface ReceivedRequest {
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  /** Whether the `signature` header verifies with the merchant public key over the raw body. */
  signatureValid: boolean;
}

export interface Reply {
  status?: number;
  /** Serialised as the response body (ignored when `rawBody` is given). */
  envelope?: unknown;
  rawBody?: string;
  /** Key that signs the response; `null` sends no signature header. Default: the platform key. */
  signWith?: KeyObject | null;
  /** Body actually sent, differing from the body that was signed. */
  tamperedBody?: string;
  /** Transforms the base64 signature before it goes into the header. */
  encodeSignature?: (base64: string) => string;
  omitTimestamp?: boolean;
  /**
   * The answer's signed timestamp (ms). Default: the request's own `timestamp`, as a gateway
   * whose clock agrees with the client's would answer, so tests that set the client's clock
   * get fresh answers.
   */
  answeredAt?: number;
}

export interface FakeGateway {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export function signedBy(key: KeyObject, merchantId: string, timestamp: string, body: string): string {
  const data = Buffer.from(`merchantId=${merchantId}&timestamp=${timestamp}&requestBody=${body}`, 'utf8');
  return sign('sha256', data, key).toString('base64');
}

export function ok(data: unknown): Reply {
  return { envelope: { ret_code: '000000', ret_msg: 'Success', data } };
}

export async function startFakeGateway(options: {
  merchantPublicKey: KeyObject;
  platformPrivateKey: KeyObject;
  reply: (request: ReceivedRequest, index: number) => Reply;
}): Promise<FakeGateway> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw) as Record<string, unknown>;
      const merchantId = String(body['merchant_id']);
      const signed = `merchantId=${merchantId}&timestamp=${String(body['timestamp'])}&requestBody=${raw}`;
      const header = String(req.headers['signature'] ?? '');
      const signatureValid = verify(
        'sha256',
        Buffer.from(signed, 'utf8'),
        options.merchantPublicKey,
        Buffer.from(header, 'base64'),
      );
      const request = { url: req.url ?? '', headers: req.headers, raw, body, signatureValid };
      received.push(request);

      const reply = options.reply(request, received.length - 1);
      const text = reply.rawBody ?? JSON.stringify(reply.envelope);
      const sentAt = body['timestamp'];
      const timestamp = String(reply.answeredAt ?? (typeof sentAt === 'number' ? sentAt : Date.now()));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (!reply.omitTimestamp) headers['timestamp'] = timestamp;
      const key = reply.signWith === undefined ? options.platformPrivateKey : reply.signWith;
      if (key) {
        const signature = signedBy(key, merchantId, timestamp, text);
        headers['signature'] = reply.encodeSignature ? reply.encodeSignature(signature) : signature;
      }
      res.writeHead(reply.status ?? 200, headers);
      res.end(reply.tamperedBody ?? text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An order as the gateway would answer it; tests override what they care about. */
export function orderData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamp: 1_700_000_000_000,
    error_code: '0000',
    error_description: 'request success',
    merchant_id: 'M100',
    trans_id: 'T-1',
    order_id: 'GW1000001',
    status: 'SUCCESS',
    authorisation_type: 'FINAL_AUTH',
    capture_method: 'AUTOMATIC',
    amount: 1250,
    currency: 'USD',
    payment: { payment_method: 'BANKCARD' },
    card_info: { bin: '424242', last4: '4242', card_brand: 'VISA' },
    balances: {
      authed_amount: 1250,
      captured_amount: 1250,
      able_to_capture_amount: 0,
      voided_amount: 0,
      able_to_void_amount: 0,
      refunded_amount: 0,
      able_to_refund_amount: 1250,
      refunding_amount: 0,
    },
    ...overrides,
  };
}

/** A refund as the gateway would answer it; tests override what they care about. */
export function refundData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamp: 1_700_000_000_000,
    error_code: '0000',
    error_description: 'request success',
    merchant_id: 'M100',
    refund_trans_id: 'R-1',
    refund_order_id: 'RG1000001',
    ori_order_id: 'GW1000001',
    status: 'SUCCESS',
    amount: 500,
    currency: 'USD',
    ...overrides,
  };
}
