/**
 * `openkka keys google-pay` and `openkka google-pay test-token` as real processes, on the store
 * of a running gateway: the key the CLI prints is the one the gateway decrypts with, and the
 * tokens it mints pay (or are refused, as asked) through the real HTTP API.
 */
import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uncompressedPoint } from '../../src/modules/wallets/google-pay/recipient.ts';
import { ensureGooglePayRecipientKey } from '../../src/vault/google-pay-keys.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { strictClient } from '../helpers/payments.ts';
import { killChildren, type RunResult, runCli } from './run-cli.ts';

let gw: TestGateway;
let merchant: TestMerchant;

beforeAll(async () => {
  gw = await startGateway();
  merchant = await gw.createMerchant();
});
afterAll(async () => {
  killChildren();
  await gw?.close();
});

const cli = (...args: string[]) => runCli(args, gw.store.env);

function ok(result: RunResult): string {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe('openkka keys google-pay', () => {
  it('prints the recipient public key the gateway decrypts with, the same every time', async () => {
    const printed = JSON.parse(ok(await cli('keys', 'google-pay', '--json')));
    const held = await ensureGooglePayRecipientKey(gw.runtime.store, gw.runtime.vault);
    expect(printed).toEqual({
      public_key: uncompressedPoint(createPublicKey(held)).toString('base64'),
      gateway: 'openkka',
      gateway_alias: 'paykkaeu',
      recipient_ids: ['gateway:openkka', 'gateway:paykkaeu'],
      root_keys: null,
    });
    expect(ok(await cli('keys', 'google-pay'))).toContain(printed.public_key);
  });
});

describe('openkka google-pay test-token', () => {
  const pay = async (...args: string[]) => {
    const body = JSON.parse(ok(await cli('google-pay', 'test-token', '--amount', '1500', ...args)));
    return strictClient(gw, merchant).payments.create(body);
  };

  it('mints a token that pays: a /payments body with --amount', async () => {
    const order = await pay('--card', '4242424242424242', '--currency', 'EUR');
    expect(order).toMatchObject({
      status: 'SUCCESS',
      currency: 'EUR',
      payment: { payment_method: 'GOOGLE_PAY' },
    });
  });

  it('PAN_ONLY with a card that asks for 3-D Secure → PROCESSING with a challenge', async () => {
    const order = await pay('--card', '4000002760003184', '--auth-method', 'PAN_ONLY');
    expect(order.status).toBe('PROCESSING');
    expect(order.authentication_result?.authentication_url).toMatch(/^http/);
  });

  it('--expired → 5024, --recipient another → 5022', async () => {
    expect((await pay('--card', '4242424242424242', '--expired')).error_code).toBe('5024');
    expect((await pay('--card', '4242424242424242', '--recipient', 'gateway:other')).error_code).toBe('5022');
  });

  it('without --amount prints the token string alone', async () => {
    const token = JSON.parse(ok(await cli('google-pay', 'test-token', '--card', '5555555555554444')));
    expect(token).toMatchObject({
      protocolVersion: 'ECv2',
      intermediateSigningKey: { signatures: [expect.any(String)] },
    });
  });

  it('refuses bad flags with a message and no output', async () => {
    for (const args of [
      ['--card', '42'],
      ['--card', '4242424242424242', '--auth-method', 'CVV'],
    ]) {
      const result = await cli('google-pay', 'test-token', ...args);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^openkka: --(card|auth-method)/);
    }
  });
});
