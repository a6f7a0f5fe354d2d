/**
 * The ceiling: the least a server speaking docs/signing.md must do per request, on bare `node:http` in
 * its own process. It reads the body, verifies the merchant's signature (RSA-SHA256 over the
 * string-to-sign), and answers a padded envelope signed with its own platform key on the thread
 * pool, with the signature headers. No framework, no validation, no store, no acquirer: what
 * openkka reaches of this is how much its own work costs.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import {
  API_VERSION,
  decodeSignatureHeader,
  SIGNATURE_TYPE,
  signAsync,
  stringToSign,
  toPublicKey,
  verifySignature,
} from '@openkka/sdk/signing';
import { type CeilingAnswer, type CeilingRequest, ceilingAnswer, envelopeText } from './ceiling-answer.ts';
import type { CeilingSetup, FromCeiling } from './protocol.ts';

if (!process.send) throw new Error('the ceiling server runs as a child of `openkka bench`');
const send = (message: FromCeiling) => process.send!(message);

const refused = (code: string, msg: string): CeilingAnswer => ({
  http: 401,
  data: null,
  retCode: code,
  retMsg: msg,
});

function serve(setup: CeilingSetup): http.Server {
  const merchantKey = toPublicKey(setup.merchantPublicKeyPem);
  const platformKey: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  let counter = 10_000_000_000_000;
  const nextId = () => String(++counter);

  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: CeilingRequest & { timestamp?: unknown } = {};
      try {
        body = JSON.parse(raw.toString('utf8')) as typeof body;
      } catch {
        // answered below as a refusal: nothing verifies against a body that is not JSON
      }
      const merchantId = typeof body.merchant_id === 'string' ? body.merchant_id : '';
      const header = req.headers.signature;
      const signature = typeof header === 'string' ? decodeSignatureHeader(header) : null;
      const verified =
        signature !== null &&
        verifySignature(stringToSign(merchantId, String(body.timestamp), raw), signature, merchantKey);
      const answer = verified
        ? ceilingAnswer(req.url ?? '/', body, nextId)
        : refused('206003', 'signature verification failed');
      const timestamp = Date.now();
      const text = envelopeText(answer, timestamp, setup.answerBytes);
      signAsync(stringToSign(merchantId, timestamp, text), platformKey).then(
        (sig) => {
          res.writeHead(answer.http, {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(text),
            signature: sig,
            type: SIGNATURE_TYPE,
            version: API_VERSION,
            timestamp: String(timestamp),
          });
          res.end(text);
        },
        () => {
          res.writeHead(500).end();
        },
      );
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
