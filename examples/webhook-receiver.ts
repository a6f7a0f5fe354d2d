/**
 * A minimal notification receiver on plain node:http.
 *
 * It reads the raw body, verifies its signature with the platform public key (@openkka/sdk),
 * whether the gateway sent it as PayKKa v1.2 or v3, and only then acknowledges with
 * {"ret_code":"000000","ret_msg":"Success"}. Anything that does not verify gets HTTP 401 and
 * is not acknowledged, so it is never mistaken for the gateway.
 *
 *   PLATFORM_PUBLIC_KEY_FILE=platform-public.pem PORT=3000 npx tsx examples/webhook-receiver.ts
 *
 * Optional: MERCHANT_ID refuses notifications addressed to any other merchant, HOST changes
 * the listening address (default 127.0.0.1).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRefundNotification, type Notification, OpenKKAError, verifyWebhook } from '@openkka/sdk';

const keyFile = process.env.PLATFORM_PUBLIC_KEY_FILE;
if (!keyFile) {
  console.error('Set PLATFORM_PUBLIC_KEY_FILE to the platform public key (npx openkka keys platform).');
  process.exit(1);
}
const platformPublicKey = readFileSync(keyFile, 'utf8');
const merchantId = process.env.MERCHANT_ID || undefined;
const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);

/** Notifications are small; anything bigger is not one. */
const MAX_BODY_BYTES = 64 * 1024;
const ACK = JSON.stringify({ ret_code: '000000', ret_msg: 'Success' });

/**
 * notify_ids already handled. Delivery is at least once: the same notification can arrive
 * again (a lost acknowledgement, an operator's redelivery), always with the same notify_id.
 * This set lives in memory and is gone after a restart; a real receiver stores the notify_id
 * durably, in the same transaction as the work the notification triggers (for example a
 * unique column in a processed_notifications table), so a repeat is recognised and skipped.
 */
const handled = new Set<string>();

/**
 * Your business logic. Keep it quick: the gateway waits at most 10 s (OPENKKA_NOTIFY_TIMEOUT)
 * for the answer. A notify_type this code does not know is acknowledged all the same, or the
 * gateway would retry it for days.
 */
function handle(n: Notification): void {
  if (isRefundNotification(n)) {
    // REFUND.SUCCESS | REFUND.FAILURE: status and amount are the refund's.
    console.log(
      `${n.notify_type} ${n.refund_order_id} of ${n.order_id}: ${n.status} ${n.amount} ${n.currency}`,
    );
    return;
  }
  // PAYMENT.AUTHORIZATION | PAYMENT.SUCCESS | PAYMENT.FAILURE | PAYMENT.CANCELED
  console.log(`${n.notify_type} ${n.order_id} (${n.trans_id}): ${n.status} ${n.amount} ${n.currency}`);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : null));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return reply(res, 405, '{"error":"POST only"}');
  const raw = await readBody(req);
  if (raw === null) return reply(res, 413, '{"error":"body too large"}');

  let notification: Notification;
  try {
    // The raw bytes, exactly as received: parsing and re-serialising would break the signature.
    // A v3 notification is signed over the path it was sent to as well; v1.2 ignores `path`.
    notification = verifyWebhook(raw, req.headers, platformPublicKey, {
      path: req.url ?? '/',
      ...(merchantId ? { merchantId } : {}),
    });
  } catch (err) {
    if (!(err instanceof OpenKKAError)) throw err;
    console.warn(`refused: ${err.message}`);
    return reply(res, 401, JSON.stringify({ error: 'notification not verified' }));
  }

  if (handled.has(notification.notify_id)) {
    console.log(`repeat of ${notification.notify_id}: acknowledged again, not handled again`);
  } else {
    handle(notification);
    handled.add(notification.notify_id);
  }
  reply(res, 200, ACK);
}

const server = createServer((req, res) => {
  onRequest(req, res).catch((err: unknown) => {
    // Not acknowledged: the gateway retries later.
    console.error(err);
    if (!res.headersSent) reply(res, 500, '{"error":"internal"}');
  });
});

server.listen(port, host, () => {
  const { address, port: bound } = server.address() as AddressInfo;
  console.log(`webhook receiver listening on http://${address}:${bound}/`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
