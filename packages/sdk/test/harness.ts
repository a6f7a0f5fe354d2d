/**
 * The setup every SDK test file shares: a merchant and a platform key pair made once per file,
 * a fake gateway started per test and closed after it, and a client pointed at it. Calling
 * `useFakeGateway()` at the top of a test file registers the hooks.
 */
import { afterEach, beforeAll } from 'vitest';
import { OpenKKA, type OpenKKAOptions } from '../src/index.ts';
import {
  type FakeGateway,
  type KeyPair,
  type ReceivedRequest,
  type Reply,
  rsaKeyPair,
  startFakeGateway,
} from './fake-gateway.ts';

export type Replier = (request: ReceivedRequest, index: number) => Reply;

export interface FakeGatewayHarness {
  /** Filled in before the first test runs. */
  keys: { merchant: KeyPair; platform: KeyPair };
  /** A fake gateway answering with `reply`, closed after the test. */
  start(reply: Replier): Promise<FakeGateway>;
  /** A client of merchant `M100` at `baseUrl` whose sleeps are recorded, not waited. */
  client(baseUrl: string, options?: Partial<OpenKKAOptions>): { client: OpenKKA; sleeps: number[] };
  /** Both: a fake gateway answering with `reply` and a client pointed at it. */
  clientFor(
    reply: Replier,
    options?: Partial<OpenKKAOptions>,
  ): Promise<{ client: OpenKKA; gateway: FakeGateway; sleeps: number[] }>;
}

export function useFakeGateway(): FakeGatewayHarness {
  const keys = {} as FakeGatewayHarness['keys'];
  let running: FakeGateway | undefined;

  beforeAll(() => {
    keys.merchant = rsaKeyPair();
    keys.platform = rsaKeyPair();
  });

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  const start = async (reply: Replier) => {
    running = await startFakeGateway({
      merchantPublicKey: keys.merchant.publicKey,
      platformPrivateKey: keys.platform.privateKey,
      reply,
    });
    return running;
  };

  const client = (baseUrl: string, options: Partial<OpenKKAOptions> = {}) => {
    const sleeps: number[] = [];
    const openkka = new OpenKKA({
      baseUrl,
      merchantId: 'M100',
      privateKey: keys.merchant.privateKey,
      platformPublicKey: keys.platform.publicKey,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });
    return { client: openkka, sleeps };
  };

  return {
    keys,
    start,
    client,
    clientFor: async (reply, options) => {
      const gateway = await start(reply);
      return { gateway, ...client(gateway.url, options) };
    },
  };
}
