/**
 * A merchant's notification endpoint for tests: a real HTTP server on 127.0.0.1 that records
 * every request and answers as `respond` says, so a test can make deliveries fail on purpose.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CEILING_MS } from '../helpers/eventually.ts';

/**
 * How the receiver answers one request:
 * - `ok`: 200 `{"ret_code":"000000","ret_msg":"Success"}` (the only acknowledgement, docs/notifications.md)
 * - `http500`: 500 with a small JSON body
 * - `wrong-body`: 200 `{"ret_code":"999999"}`
 * - `unauthorized`: 401 `{"ret_code":"401","ret_msg":"Invalid signature"}`, PayKKa's plugin's refusal of a bad signature
 * - `hang`: never answers (the gateway's timeout has to end it)
 * - `destroy`: destroys the socket without answering
 */
export type Behaviour = 'ok' | 'http500' | 'wrong-body' | 'unauthorized' | 'hang' | 'destroy';

export interface ReceivedRequest {
  method: string;
  /** Path and query of the request. */
  path: string;
  /** Node's lower-cased request headers. */
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed body, or undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read notification fields directly
  body: any;
  /** When the request arrived, by the receiver's `now` (Date.now unless given). */
  at: number;
  /** How the receiver answered it. */
  behaviour: Behaviour;
}

/** Decides the answer; `n` counts requests received so far, this one included (1 = the first). */
export type Respond = (req: ReceivedRequest, n: number) => Behaviour;

export interface ReceiverOptions {
  respond?: Respond;
  /** Clock for `at`, e.g. a ManualClock's now. */
  now?: () => number;
}

export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:41234/notify; any path on the server is accepted. */
  url: string;
  /** Every request, in arrival order. */
  received: ReceivedRequest[];
  /** Settable at any time; applies to requests arriving afterwards. Defaults to always 'ok'. */
  respond: Respond;
  /** notify_ids of the requests answered 'ok', in arrival order (repeats kept). */
  acknowledgedIds(): string[];
  /** Polls until `predicate(received)` holds; rejects after timeoutMs with what was received. */
  waitFor(
    predicate: (received: ReceivedRequest[]) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedRequest[]>;
  /** Stops the server, cutting any connection left hanging. */
  close(): Promise<void>;
}

export const ACK_BODY = '{"ret_code":"000000","ret_msg":"Success"}';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, behaviour: Behaviour): void {
  switch (behaviour) {
    case 'ok':
      res.writeHead(200, { 'content-type': 'application/json' }).end(ACK_BODY);
      return;
    case 'wrong-body':
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ret_code":"999999"}');
      return;
    case 'unauthorized':
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"ret_code":"401","ret_msg":"Invalid signature"}');
      return;
    case 'http500':
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"receiver failure"}');
      return;
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'hang':
      return;
  }
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const now = options.now ?? Date.now;
  const received: ReceivedRequest[] = [];

  const server = createServer((req, res) => {
    readBody(req).then(
      (rawBody) => {
        const record: ReceivedRequest = {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: req.headers,
          rawBody,
          body: parse(rawBody),
          at: now(),
          behaviour: 'ok',
        };
        received.push(record);
        let behaviour: Behaviour;
        try {
          behaviour = receiver.respond(record, received.length);
        } catch {
          behaviour = 'http500';
        }
        record.behaviour = behaviour;
        answer(res, behaviour);
      },
      () => res.socket?.destroy(),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    respond: options.respond ?? (() => 'ok'),
    acknowledgedIds() {
      return received
        .filter((r) => r.behaviour === 'ok' && typeof r.body?.notify_id === 'string')
        .map((r) => r.body.notify_id as string);
    },
    async waitFor(predicate, timeoutMs = CEILING_MS) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          const seen = received.map(
            (r) => `${r.body?.notify_type ?? '?'} ${r.body?.notify_id ?? '?'} (${r.behaviour})`,
          );
          throw new Error(
            `receiver: condition not met within ${timeoutMs} ms; received [${seen.join(', ')}]`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return received;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return receiver;
}
