/**
 * The gateway the shopper-facing feature tests (3-D Secure, checkout) run against: one
 * merchant named MERCHANT_NAME whose notify_url is a live receiver, a counting acquirer, and a
 * client that checks every response signature.
 */
import type { OpenKKA } from '@openkka/sdk';
import type { Clock } from '../../src/domain/clock.ts';
import { type Receiver, startReceiver } from '../notifications/receiver.ts';
import { type GatewayOptions, startGateway, type TestGateway, type TestMerchant } from './gateway.ts';
import { CountingAcquirer, strictClient } from './payments.ts';

export const MERCHANT_NAME = 'Lotus Tea House';

export interface ShopperGateway {
  gw: TestGateway;
  merchant: TestMerchant;
  client: OpenKKA;
  acquirer: CountingAcquirer;
  inbox: Receiver;
  close(): Promise<void>;
}

export async function startShopperGateway(
  options: { clock?: Clock; env?: GatewayOptions['env'] } = {},
): Promise<ShopperGateway> {
  const acquirer = new CountingAcquirer();
  const gw = await startGateway({ acquirer, ...options });
  const inbox = await startReceiver();
  const merchant = await gw.createMerchant({ name: MERCHANT_NAME, notifyUrl: inbox.url });
  // The SDK client signs with the gateway's clock, which may be a ManualClock.
  const client = options.clock ? merchant.client : strictClient(gw, merchant);
  return {
    gw,
    merchant,
    client,
    acquirer,
    inbox,
    async close() {
      await gw.close();
      await inbox.close();
    },
  };
}
