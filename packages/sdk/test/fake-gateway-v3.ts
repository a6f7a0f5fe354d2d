/**
 * A real HTTP server standing in for a PayKKa v3 gateway in SDK tests. Like fake-gateway.ts it
 * checks each request's signature with its own string to sign (five lines built here, not with
 * the SDK's v3StringToSign), and answers with scripted replies signed the v3 way: the
 * `x-paykka-*` headers over `POST`, the request's path, the answer's timestamp and nonce, and the
 * answer's body.
 */
import { type KeyObject, randomInt, sign, verify } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface V3ReceivedRequest {
  /** The request's path, query string included. */
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  /** `x-paykka-sign`, decoded, verifies with the merchant key over this request's five lines. */
  signatureValid: boolean;
  appId: string;
  timestamp: string;
  nonce: string;
}

export interface V3Reply {
  status?: number;
  /** Serialised as the answer's body (ignored when `rawBody` is given). */
  envelope?: unknown;
  rawBody?: string;
  /** Key that signs the answer; `null` sends no `x-paykka-sign`. Default: the platform key. */
  signWith?: KeyObject | null;
  /** Body actually sent, differing from the body that was signed. */
  tamperedBody?: string;
  /** Signs the answer over this path instead of the request's. */
  signedPath?: string;
  /** Headers left out of the answer after signing. */
  omit?: readonly string[];
  /** `x-paykka-sign-alg` sent (default `SHA256_WITH_RSA`). */
  alg?: string;
  /** Sent without percent-encoding (PayKKa's clients encode; a plain base64 is valid too). */
  plainSignature?: boolean;
  /** Closes the connection without answering, after the request was read (a lost answer). */
  drop?: boolean;
  /**
   * The answer's `x-paykka-timestamp` (ms). Default: the request's own, as a gateway whose
   * clock agrees with the client's would answer, so tests that set the client's clock get
   * fresh answers.
   */
  answeredAt?: number;
}

export interface V3FakeGateway {
  url: string;
  received: V3ReceivedRequest[];
  close(): Promise<void>;
}

/** `METHOD\nPATH\nTIMESTAMP\nNONCE\nBODY`, an empty part replaced by one space (docs/signing.md#v3). */
export function fiveLines(path: string, timestamp: string, nonce: string, body: string): Buffer {
  const parts = ['POST', path, timestamp, nonce, body].map((part) => (part === '' ? ' ' : part));
  return Buffer.from(parts.join('\n'), 'utf8');
}

export function v3SignedBy(
  key: KeyObject,
  path: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return sign('sha256', fiveLines(path, timestamp, nonce, body), key).toString('base64');
}

const text = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';

export function v3Ok(data: unknown): V3Reply {
  return { envelope: { ret_code: '000000', ret_msg: 'Success', data } };
}

export function v3Refusal(status: number, retCode: string, retMsg: string): V3Reply {
  return { status, envelope: { ret_code: retCode, ret_msg: retMsg } };
}

export async function startV3FakeGateway(options: {
  merchantPublicKey: KeyObject;
  platformPrivateKey: KeyObject;
  reply: (request: V3ReceivedRequest, index: number) => V3Reply;
}): Promise<V3FakeGateway> {
  const received: V3ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').split('?')[0]!;
      const timestamp = text(req.headers['x-paykka-timestamp']);
      const nonce = text(req.headers['x-paykka-nonce']);
      const header = text(req.headers['x-paykka-sign']);
      const signatureValid = verify(
        'sha256',
        fiveLines(path, timestamp, nonce, raw),
        options.merchantPublicKey,
        Buffer.from(decodeURIComponent(header), 'base64'),
      );
      const request: V3ReceivedRequest = {
        url: req.url ?? '',
        headers: req.headers,
        raw,
        body: JSON.parse(raw) as Record<string, unknown>,
        signatureValid,
        appId: text(req.headers['x-paykka-appid']),
        timestamp,
        nonce,
      };
      received.push(request);

      const reply = options.reply(request, received.length - 1);
      if (reply.drop) {
        req.socket.destroy();
        return;
      }
      const body = reply.rawBody ?? JSON.stringify(reply.envelope);
      const answeredAt = String(reply.answeredAt ?? (/^\d+$/.test(timestamp) ? timestamp : Date.now()));
      const answerNonce = `${randomInt(1e7, 1e8)}${randomInt(1e7, 1e8)}`;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-paykka-appid': request.appId,
        'x-paykka-timestamp': answeredAt,
        'x-paykka-nonce': answerNonce,
        'x-paykka-sign-alg': reply.alg ?? 'SHA256_WITH_RSA',
      };
      const key = reply.signWith === undefined ? options.platformPrivateKey : reply.signWith;
      if (key) {
        const signature = v3SignedBy(key, reply.signedPath ?? path, answeredAt, answerNonce, body);
        headers['x-paykka-sign'] = reply.plainSignature ? signature : encodeURIComponent(signature);
      }
      for (const name of reply.omit ?? []) delete headers[name];
      res.writeHead(reply.status ?? 200, headers);
      res.end(reply.tamperedBody ?? body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
