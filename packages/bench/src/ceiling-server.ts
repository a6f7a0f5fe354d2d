/**
 * The ceiling: the least a server speaking docs/signing.md must do per request, on bare `node:http` in
 * its own process. It reads the body, verifies the merchant's signature (RSA-SHA256 over the
 * string-to-sign), and answers a padded envelope signed with its own platform key on the thread
 * pool, with the signature headers. No framework, no validation, no store, no acquirer: what
 * openkka reaches of this is how much its own work costs.
 *
 * It speaks both wires, each by its paths: v1.2 (`/apis/payments…`: the `signature` header over
 * `merchantId=…&timestamp=…&requestBody=…`, answered with `data.timestamp` and the `signature`,
 * `type`, `version`, `timestamp` headers) and v3 (`/v3/payment/acq/…`: the `x-paykka-*` headers
 * over `POST\npath\ntimestamp\nnonce\nbody`, answered without `data.timestamp`, signed the same
 * way over the answer with a fresh nonce). On v3 it does not claim nonces: like the orders, they
 * are store work, the gateway's to pay for (docs/benchmarks.md#paykka-v3).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import {
  API_VERSION,
  decodeSignatureHeader,
  newNonce,
  SIGNATURE_TYPE,
  signAsync,
  stringToSign,
  toPublicKey,
  V3_HEADERS,
  V3_SIGN_ALG,
  v3StringToSign,
  verifySignature,
} from '@openkka/sdk/signing';
import {
  type CeilingAnswer,
  type CeilingRequest,
  ceilingAnswer,
  envelopeText,
  V3_PREFIX,
} from './ceiling-answer.ts';
import type { CeilingSetup, FromCeiling } from './protocol.ts';

if (!process.send) throw new Error('the ceiling server runs as a child of `openkka bench`');
const send = (message: FromCeiling) => process.send!(message);

const refused = (code: string, msg: string): CeilingAnswer => ({
  http: 401,
  data: null,
  retCode: code,
  retMsg: msg,
});

const headerText = (value: string | string[] | undefined) => (typeof value === 'string' ? value : '');

type Reply = (status: number, headers: Record<string, string | number>, text: string) => void;

function serve(setup: CeilingSetup): http.Server {
  const merchantKey = toPublicKey(setup.merchantPublicKeyPem);
  const platformKey: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  let counter = 10_000_000_000_000;
  const nextId = () => String(++counter);
  const answerOf = (verified: boolean, path: string, body: CeilingRequest) =>
    verified ? ceilingAnswer(path, body, nextId) : refused('206003', 'signature verification failed');

  /** v1.2: the signature over merchant id, the body's timestamp and the body. */
  const v12 = (req: http.IncomingMessage, raw: Buffer, body: CeilingRequest, reply: Reply) => {
    const merchantId = typeof body.merchant_id === 'string' ? body.merchant_id : '';
    const header = req.headers.signature;
    const signature = typeof header === 'string' ? decodeSignatureHeader(header) : null;
    const timestamp = (body as { timestamp?: unknown }).timestamp;
    const verified =
      signature !== null &&
      verifySignature(stringToSign(merchantId, String(timestamp), raw), signature, merchantKey);
    const answer = answerOf(verified, req.url ?? '/', body);
    const now = Date.now();
    const text = envelopeText(answer, now, setup.answerBytes);
    signAsync(stringToSign(merchantId, now, text), platformKey).then(
      (sig) =>
        reply(
          answer.http,
          {
            signature: sig,
            type: SIGNATURE_TYPE,
            version: API_VERSION,
            timestamp: String(now),
          },
          text,
        ),
      () => reply(500, {}, ''),
    );
  };

  /** v3: the signature over method, path, the headers' timestamp and nonce, and the body. */
  const v3 = (req: http.IncomingMessage, path: string, raw: Buffer, body: CeilingRequest, reply: Reply) => {
    const appId = headerText(req.headers[V3_HEADERS.appId]);
    const timestamp = headerText(req.headers[V3_HEADERS.timestamp]);
    const nonce = headerText(req.headers[V3_HEADERS.nonce]);
    const signature = decodeSignatureHeader(headerText(req.headers[V3_HEADERS.sign]));
    const verified =
      signature !== null &&
      appId !== '' &&
      timestamp !== '' &&
      nonce !== '' &&
      verifySignature(
        v3StringToSign(req.method ?? 'POST', path, timestamp, nonce, raw),
        signature,
        merchantKey,
      );
    const answer = answerOf(verified, path, body);
    const now = String(Date.now());
    const answerNonce = newNonce();
    const text = envelopeText(answer, null, setup.answerBytes);
    signAsync(v3StringToSign(req.method ?? 'POST', path, now, answerNonce, text), platformKey).then(
      (sig) =>
        reply(
          answer.http,
          {
            ...(appId === '' ? {} : { [V3_HEADERS.appId]: appId }),
            [V3_HEADERS.timestamp]: now,
            [V3_HEADERS.nonce]: answerNonce,
            [V3_HEADERS.signAlg]: V3_SIGN_ALG,
            [V3_HEADERS.sign]: encodeURIComponent(sig),
          },
          text,
        ),
      () => reply(500, {}, ''),
    );
  };

  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: CeilingRequest = {};
      try {
        body = JSON.parse(raw.toString('utf8')) as CeilingRequest;
      } catch {
        // answered below as a refusal: nothing verifies against a body that is not JSON
      }
      const reply: Reply = (status, headers, text) => {
        if (status === 500) return void res.writeHead(500).end();
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          ...headers,
        });
        res.end(text);
      };
      const path = (req.url ?? '/').split('?')[0]!;
      if (path.startsWith(`${V3_PREFIX}/`)) v3(req, path, raw, body, reply);
      else v12(req, raw, body, reply);
    });
  });
}

process.once('message', (setup: CeilingSetup) => {
  try {
    const server = serve(setup);
    server.keepAliveTimeout = 75_000;
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      send({ type: 'listening', url: `http://127.0.0.1:${port}` });
    });
  } catch (err) {
    send({ type: 'failed', message: (err as Error).message });
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
