/**
 * Finding 8: the SDK believed any answer whose signature verified, so an attacker in the middle
 * could hand it a genuine answer captured for another request (order A's for a query of order
 * B; over v1.2 the answer's signature covers nothing of the request) or one signed long ago.
 * Here a tiny HTTP proxy between the SDK and a real gateway passes every request on and keeps
 * every answer; told to, it answers with a kept one instead, and the SDK refuses it with
 * OpenKKAResponseMismatchError (docs/security.md, "Answers the SDK accepts").
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenKKA, OpenKKAResponseMismatchError, type Protocol } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';

/** An answer as it crossed the wire: kept to be sent again. */
interface Kept {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const clock = new ManualClock(Date.now());
let gw: TestGateway;
let merchant: TestMerchant;
let proxy: Server;
let proxyUrl: string;
/** Every answer the proxy passed on, by the trans_id its request named. */
const kept = new Map<string, Kept>();
/** When set, the proxy answers every request with this instead of the gateway's answer. */
let forged: Kept | undefined;

beforeAll(async () => {
  gw = await startGateway({ clock });
  merchant = await gw.createMerchant();
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      // What the SDK signs and sends; hop-by-hop headers are the proxy's own business.
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && /^(content-type|signature|type|version|x-paykka-.*)$/.test(name)) {
          headers[name] = value;
        }
      }
      const answer = await fetch(gw.baseUrl + (req.url ?? '/'), { method: 'POST', headers, body });
      const genuine: Kept = {
        status: answer.status,
        headers: {},
        body: Buffer.from(await answer.arrayBuffer()),
      };
      answer.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') {
          genuine.headers[name] = value;
        }
      });
      kept.set(String(JSON.parse(body.toString('utf8')).trans_id), genuine);
      const sent = forged ?? genuine;
      res.writeHead(sent.status, sent.headers).end(sent.body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await gw?.close();
});

/** A client of the merchant that reaches the gateway through the proxy, on the gateway's clock. */
const throughProxy = (protocol: Protocol) =>
  new OpenKKA<Protocol>({
    baseUrl: proxyUrl,
    merchantId: merchant.merchantId,
    privateKey: merchant.privateKeyPem,
    platformPublicKey: gw.platformPublicKeyPem,
    protocol,
    maxRetries: 0,
    now: () => clock.now(),
  });

let seq = 0;

describe.each(['v1.2', 'v3'] as const)('over %s, the SDK behind an attacker in the middle', (protocol) => {
  it("refuses order A's genuine answer to a query for order B, and A's own answer 6 minutes later", async () => {
    const client = throughProxy(protocol);
    const a = `sdk-answers-a-${seq++}`;
    const b = `sdk-answers-b-${seq++}`;
    await merchant.client.payments.create(cardPayment({ trans_id: a }));
    await merchant.client.payments.create(cardPayment({ trans_id: b }));
    expect((await client.payments.query({ trans_id: a })).trans_id).toBe(a);

    forged = kept.get(a);
    try {
      const error = await client.payments.query({ trans_id: b }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenKKAResponseMismatchError);
      expect(error).toMatchObject({ kind: 'other-request', field: 'trans_id' });

      clock.advance(6 * 60_000);
      const stale = await client.payments.query({ trans_id: a }).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(OpenKKAResponseMismatchError);
      expect(stale).toMatchObject({ kind: 'stale', field: 'timestamp' });
    } finally {
      forged = undefined;
    }
    // Without the attacker, the same client gets B's answer and believes it.
    expect((await client.payments.query({ trans_id: b })).trans_id).toBe(b);
  });
});
