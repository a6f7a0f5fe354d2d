// A merchant's plain-JavaScript ES module, run in a project that installed the packed tarballs:
// one signed payment with a notify_url served by node:http alone, whose notification it
// verifies with webhooks.verify (and a tampered copy of it, which must be refused). Prints one
// JSON line with what happened.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { OpenKKA, OpenKKASignatureError } from '@openkka/sdk';

const { OPENKKA_URL, MERCHANT_ID, MERCHANT_KEY_FILE, PLATFORM_KEY_FILE, TRANS_ID } = process.env;
const openkka = new OpenKKA({
  baseUrl: OPENKKA_URL,
  merchantId: MERCHANT_ID,
  privateKey: readFileSync(MERCHANT_KEY_FILE, 'utf8'),
  platformPublicKey: readFileSync(PLATFORM_KEY_FILE, 'utf8'),
});

function verify(raw, headers) {
  try {
    return { notification: openkka.webhooks.verify(raw, headers) };
  } catch (err) {
    if (err instanceof OpenKKASignatureError) return { refused: err.httpStatus };
    throw err;
  }
}

let received;
const notified = new Promise((resolve) => {
  received = resolve;
});
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const { notification, refused } = verify(raw, req.headers);
    if (!notification) {
      res.writeHead(refused).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ret_code: '000000', ret_msg: 'Success' }));
    const tampered = verify(raw.toString('utf8').replace(/"amount":\d+/, '"amount":1'), req.headers);
    received({ notify_type: notification.notify_type, trans_id: notification.trans_id, tampered });
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));

const order = await openkka.payments.create({
  trans_id: TRANS_ID,
  payment_type: 'PURCHASE',
  currency: 'USD',
  amount: 1000,
  return_url: 'https://shop.example/return',
  notify_url: `http://127.0.0.1:${receiver.address().port}/notify`,
  payment: {
    payment_method: 'BANKCARD',
    card_no: '4242424242424242',
    exp_month: '12',
    exp_year: String(new Date().getUTCFullYear() + 2),
    cvv: '123',
  },
});
const notification = await notified;
receiver.close();
process.stdout.write(
  `${JSON.stringify({ node: process.version, status: order.status, order_id: order.order_id, notification })}\n`,
);
