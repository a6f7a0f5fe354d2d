/**
 * A real gateway for a test: the production buildApp over a fresh store, listening on port 0,
 * with merchants whose keys are made here and an SDK client for each.
 */
import { OpenKKA } from '@openkka/sdk';
import pino from 'pino';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import type { Acquirer } from '../../src/acquirer/types.ts';
import { type App, buildApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { type Clock, systemClock } from '../../src/domain/clock.ts';
import type { HostLookup } from '../../src/modules/notifications/outbound/resolver.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { listen } from '../../src/server.ts';
import { newKeyPair, type TestKeyPair } from './keys.ts';
import { createTestStore, type TestStore } from './test-store.ts';

export interface TestMerchant extends TestKeyPair {
  merchantId: string;
  /** The public key browser libraries name the merchant by. */
  clientKey: string;
  client: OpenKKA;
}

export interface TestGateway extends App {
  baseUrl: string;
  store: TestStore;
  runtime: Runtime;
  config: Config;
  platformPublicKeyPem: string;
  createMerchant(options?: { name?: string; notifyUrl?: string }): Promise<TestMerchant>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  clock?: Clock;
  acquirer?: Acquirer;
  /** Environment overrides, read as the server reads its own (e.g. OPENKKA_ACQUIRER_TIMEOUT). */
  env?: Record<string, string>;
  /** Where log lines go; silent unless given. */
  logStream?: NodeJS.WritableStream;
  /** Draws order ids in place of newOrderId. */
  orderIds?: (now: number) => string;
  /** Answers for DNS when the outbound policy resolves a notify_url's host. */
  lookup?: HostLookup;
}

/**
 * The rate limits and the connection cap are off in tests unless a test sets them: many tests
 * send hundreds of requests at once from 127.0.0.1 (test/security/ tests the limits themselves).
 */
export const LIMITS_OFF = {
  OPENKKA_RATE_LIMIT_IP: '0',
  OPENKKA_RATE_LIMIT_MERCHANT: '0',
  OPENKKA_MAX_CONNECTIONS_PER_IP: '0',
};

export async function startGateway(options: GatewayOptions = {}): Promise<TestGateway> {
  const store = await createTestStore();
  const config = loadConfig({ ...LIMITS_OFF, ...store.env, ...options.env });
  const runtime = await openRuntime(config);
  const clock = options.clock ?? systemClock;
  const logger = options.logStream ? pino({ level: 'info' }, options.logStream) : pino({ level: 'silent' });
  const built = buildApp({
    ...runtime,
    acquirer:
      options.acquirer ??
      new SimulatedAcquirer({ clock, refundFailureDelayMs: config.simRefundFailureDelayMs }),
    clock,
    logger,
    settings: config,
    ...(options.orderIds ? { orderIds: options.orderIds } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  const baseUrl = await listen(built.app, '127.0.0.1', 0);

  return {
    ...built,
    baseUrl,
    store,
    runtime,
    config,
    platformPublicKeyPem: runtime.platformPublicKeyPem,
    async createMerchant({ name = 'Test merchant', notifyUrl } = {}) {
      const keys = newKeyPair();
      const { merchant } = await built.merchants.create({ name, publicKeyPem: keys.publicKeyPem, notifyUrl });
      const client = new OpenKKA({
        baseUrl,
        merchantId: merchant.merchant_id,
        privateKey: keys.privateKeyPem,
        platformPublicKey: runtime.platformPublicKeyPem,
        now: () => clock.now(),
      });
      return { ...keys, merchantId: merchant.merchant_id, clientKey: merchant.client_key, client };
    },
    async close() {
      await built.app.close();
      await runtime.store.close();
      await store.drop();
    },
  };
}
