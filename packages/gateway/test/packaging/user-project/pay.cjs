// The same merchant in CommonJS: require() gets the SDK's CommonJS build. A signed payment, then
// a signed query for it. Prints one JSON line.
const { readFileSync } = require('node:fs');
const { OpenKKA, OpenKKAApiError } = require('@openkka/sdk');
const { stringToSign } = require('@openkka/sdk/signing');

const { OPENKKA_URL, MERCHANT_ID, MERCHANT_KEY_FILE, PLATFORM_KEY_FILE, TRANS_ID } = process.env;

async function main() {
  const openkka = new OpenKKA({
    baseUrl: OPENKKA_URL,
    merchantId: MERCHANT_ID,
    privateKey: readFileSync(MERCHANT_KEY_FILE, 'utf8'),
    platformPublicKey: readFileSync(PLATFORM_KEY_FILE, 'utf8'),
  });
  const order = await openkka.payments.create({
    trans_id: TRANS_ID,
    payment_type: 'PURCHASE',
    currency: 'EUR',
    amount: 2500,
    return_url: 'https://shop.example/return',
    payment: {
      payment_method: 'BANKCARD',
      card_no: '4242424242424242',
      exp_month: '12',
      exp_year: String(new Date().getUTCFullYear() + 2),
      cvv: '123',
    },
  });
  const queried = await openkka.payments.query({ trans_id: TRANS_ID });
  // A refusal arrives as the SDK's own error class, from the same CommonJS build.
  const refusal = await openkka.payments.query({ trans_id: `${TRANS_ID}-unknown` }).catch((err) => err);
  process.stdout.write(
    `${JSON.stringify({
      node: process.version,
      status: order.status,
      queried: { order_id: queried.order_id, amount: queried.amount },
      refusal: { isApiError: refusal instanceof OpenKKAApiError, retCode: refusal.retCode },
      signs: stringToSign(MERCHANT_ID, 1, '{}').toString('utf8'),
    })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
});
