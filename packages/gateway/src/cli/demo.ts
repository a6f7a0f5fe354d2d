/**
 * The demo merchant `openkka start` creates on an empty store, and the copy-paste example it
 * prints: a first signed payment with nothing but bash, openssl and curl (docs/signing.md alone).
 */
import { existsSync } from 'node:fs';
import type { MerchantService } from '../core/merchants/service.ts';
import type { Store } from '../store/db.ts';
import { getSetting, putSettingOnce } from '../store/settings.ts';
import { generateMerchantKey } from './merchant-keys.ts';

export interface DemoMerchant {
  merchantId: string;
  keyFile: string;
}

const SETTING = 'demo_merchant';

export async function ensureDemoMerchant(
  store: Store,
  merchants: MerchantService,
  dataDir: string,
): Promise<DemoMerchant | undefined> {
  if ((await merchants.count()) === 0) {
    const key = await generateMerchantKey(dataDir, 'demo-merchant-private-key.pem');
    const { merchant } = await merchants.create({ name: 'Demo merchant', publicKeyPem: key.publicKeyPem });
    await putSettingOnce(
      store,
      SETTING,
      JSON.stringify({ merchantId: merchant.merchant_id, keyFile: key.privateKeyFile }),
    );
  }
  const saved = await getSetting(store, SETTING);
  if (!saved) return undefined;
  const demo = JSON.parse(saved) as DemoMerchant;
  // The key file lives in one data dir; another machine sharing the database may not have it.
  return existsSync(demo.keyFile) ? demo : undefined;
}

/** A shell snippet that signs and sends one payment exactly as docs/signing.md describes. */
export function paymentExample(baseUrl: string, demo: DemoMerchant, expYear: number): string {
  const body =
    `{"merchant_id":"'$MID'","trans_id":"demo-'$TS-$RANDOM'","timestamp":'$TS',` +
    `"payment_type":"PURCHASE","currency":"USD","amount":1000,"return_url":"https://example.com/return",` +
    `"payment":{"payment_method":"BANKCARD","card_no":"4242424242424242","exp_month":"12","exp_year":"${expYear}","cvv":"123"}}`;
  return signedCurl(baseUrl, demo, body, '/apis/payments');
}

/**
 * The same for a hosted checkout session: its answer carries `session_url`, a page where the
 * newcomer pays in a browser with a test card (4242 4242 4242 4242, any future date).
 */
export function sessionExample(baseUrl: string, demo: DemoMerchant): string {
  const body =
    `{"merchant_id":"'$MID'","trans_id":"demo-cs-'$TS-$RANDOM'","timestamp":'$TS',` +
    `"session_mode":"HOSTED","currency":"EUR","amount":2500,"return_url":"https://example.com/return",` +
    `"display_merchant_name":"Demo shop"}`;
  return signedCurl(baseUrl, demo, body, '/apis/payments/session');
}

function signedCurl(baseUrl: string, demo: DemoMerchant, body: string, path: string): string {
  return [
    `MID=${demo.merchantId} KEY='${demo.keyFile}' URL=${baseUrl}`,
    'TS=$(($(date +%s) * 1000))',
    `BODY='${body}'`,
    `SIG=$(printf '%s' "merchantId=$MID&timestamp=$TS&requestBody=$BODY" | openssl dgst -sha256 -sign "$KEY" | base64 | tr -d '\\n')`,
    `curl -s "$URL${path}" -H 'content-type: application/json' -H "signature: $SIG" -H 'type: RSA256' -H 'version: v1.2' -d "$BODY"; echo`,
  ].join('\n');
}
