/**
 * Merchants on the dashboard: created with a key pair made there (its private key shown on that
 * one answer, and it signs) or with a pasted public key; keys added and removed, notify URL,
 * disable and enable, client key rotation, each through MerchantService, refusals with its reason.
 */
import { randomBytes } from 'node:crypto';
import { OpenKKA, OpenKKAApiError } from '@openkka/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newFormId } from '../../src/modules/dashboard/sessions.ts';
import { cardPayment } from '../helpers/cards.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { login, type Operator } from './client.ts';

const TOKEN = randomBytes(32).toString('base64url');
let gw: TestGateway;
let operator: Operator;

beforeAll(async () => {
  gw = await startGateway({ env: { OPENKKA_ADMIN_TOKEN: TOKEN } });
  operator = await login(gw.baseUrl, TOKEN);
});
afterAll(async () => {
  await gw?.close();
});

const htmlText = (html: string) =>
  html.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));

const client = (merchantId: string, privateKey: string) =>
  new OpenKKA({
    baseUrl: gw.baseUrl,
    merchantId,
    privateKey,
    platformPublicKey: gw.platformPublicKeyPem,
    maxRetries: 0,
  });

async function created(form: Record<string, string>): Promise<{ id: string; html: string }> {
  const answer = await operator.post('/dashboard/merchants', { once: newFormId(), ...form });
  expect(answer.status, answer.body.slice(0, 300)).toBe(200);
  const id = /<h1>Merchant (\d+)<\/h1>/.exec(answer.body)![1]!;
  return { id, html: answer.body };
}

describe('creating a merchant', () => {
  it('with a key pair made there: the private key is shown once, and it signs', async () => {
    const { id, html } = await created({
      name: 'Bamboo & Co',
      notify_url: 'https://bamboo.example/notify',
      generate: '1',
    });
    expect(html).toContain('Copy the private key now');
    const privateKey = htmlText(/<pre id="private-key">([^<]+)<\/pre>/.exec(html)![1]!);
    expect(privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const merchant = await gw.merchants.find(id);
    expect(merchant).toMatchObject({
      name: 'Bamboo & Co',
      notify_url: 'https://bamboo.example/notify',
      status: 'ACTIVE',
    });
    const order = await client(id, privateKey).payments.create(cardPayment());
    expect(order.status).toBe('SUCCESS');
    // Only that answer had it: the merchant's page and the list never show a private key.
    for (const path of [`/dashboard/merchants/${id}`, '/dashboard/merchants']) {
      const page = await operator.get(path);
      expect(page.status).toBe(200);
      expect(page.body).not.toContain('PRIVATE KEY');
      expect(page.body).toContain('Bamboo &#38; Co');
    }
  });

  it('with a pasted public key', async () => {
    const keys = newKeyPair();
    const { id, html } = await created({ name: 'Pasted', public_key: keys.publicKeyPem });
    expect(html).not.toContain('PRIVATE KEY');
    expect((await client(id, keys.privateKeyPem).payments.create(cardPayment())).status).toBe('SUCCESS');
  });

  it('refuses what MerchantService refuses, saying why, and makes nothing', async () => {
    const before = (await gw.merchants.list()).length;
    for (const [form, reason] of [
      [{ name: ' ', generate: '1' }, 'merchant name must not be empty'],
      [{ name: 'Bad key', public_key: 'not a key' }, 'the key is not a PEM-encoded RSA public key'],
      [{ name: 'No key' }, 'paste a public key, or ask for a key pair to be made'],
      [
        { name: 'Bad URL', generate: '1', notify_url: 'ftp://x.example/' },
        'notify URL must be http or https',
      ],
    ] as const) {
      const answer = await operator.post('/dashboard/merchants', { once: newFormId(), ...form });
      expect(answer.status).toBe(400);
      expect(answer.body).toContain(reason);
    }
    expect(await gw.merchants.list()).toHaveLength(before);
  });

  it('makes one merchant of a form posted twice (a reload), showing its key once', async () => {
    const before = (await gw.merchants.list()).length;
    const form = { once: newFormId(), name: 'Reloaded', generate: '1' };
    expect((await operator.post('/dashboard/merchants', form)).status).toBe(200);
    const again = await operator.post('/dashboard/merchants', form);
    expect(again.status).toBe(409);
    expect(again.body).toContain('This form was sent already');
    expect(again.body).not.toContain('PRIVATE KEY');
    const missing = await operator.post('/dashboard/merchants', { name: 'No form id', generate: '1' });
    expect(missing.status).toBe(409);
    expect(await gw.merchants.list()).toHaveLength(before + 1);
  });

  it('refuses a create without the CSRF token', async () => {
    const before = (await gw.merchants.list()).length;
    const answer = await operator.post('/dashboard/merchants', {
      csrf: 'forged',
      name: 'Forged',
      generate: '1',
    });
    expect(answer.status).toBe(403);
    expect(await gw.merchants.list()).toHaveLength(before);
  });
});

describe('a merchant’s page', () => {
  it('adds and removes keys, sets the notify URL, disables, enables and rotates the client key', async () => {
    const keys = newKeyPair();
    const { id } = await created({ name: 'Changing', public_key: keys.publicKeyPem });
    const path = `/dashboard/merchants/${id}`;
    const saved = async (answer: { status: number; headers: Headers }) => {
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe(`${path}?done=saved`);
    };

    const once = newFormId();
    const added = await operator.post(`${path}/keys`, { generate: '1', once });
    expect(added.status).toBe(200);
    const second = htmlText(/<pre id="private-key">([^<]+)<\/pre>/.exec(added.body)![1]!);
    expect((await client(id, second).payments.create(cardPayment())).status).toBe('SUCCESS');
    // The same form posted again (a reload) adds nothing and shows no key.
    const again = await operator.post(`${path}/keys`, { generate: '1', once });
    expect(again.status).toBe(409);
    expect(again.body).not.toContain('PRIVATE KEY');
    expect(await gw.merchants.keys(id)).toHaveLength(2);
    const third = await operator.post(`${path}/keys`, {
      once: newFormId(),
      public_key: newKeyPair().publicKeyPem,
    });
    expect(third.status).toBe(400);
    expect(third.body).toContain('already has 2 keys; remove one first');

    const [first] = await gw.merchants.keys(id);
    await saved(await operator.post(`${path}/keys/${first!.key_id}/remove`));
    expect(await gw.merchants.keys(id)).toHaveLength(1);
    const refused = await client(id, keys.privateKeyPem)
      .payments.create(cardPayment())
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OpenKKAApiError);

    await saved(await operator.post(`${path}/notify-url`, { notify_url: 'https://changing.example/n' }));
    expect((await gw.merchants.find(id)).notify_url).toBe('https://changing.example/n');
    const badUrl = await operator.post(`${path}/notify-url`, { notify_url: 'javascript:alert(1)' });
    expect(badUrl.status).toBe(400);
    expect((await gw.merchants.find(id)).notify_url).toBe('https://changing.example/n');

    await saved(await operator.post(`${path}/status`, { enabled: '0' }));
    expect((await gw.merchants.find(id)).status).toBe('DISABLED');
    await saved(await operator.post(`${path}/status`, { enabled: '1' }));
    expect((await gw.merchants.find(id)).status).toBe('ACTIVE');

    const clientKey = (await gw.merchants.find(id)).client_key;
    await saved(await operator.post(`${path}/client-key`));
    const rotated = await gw.merchants.find(id);
    expect(rotated.client_key).not.toBe(clientKey);
    expect(rotated.previous_client_key).toBe(clientKey);
    expect((await operator.get(`${path}?done=saved`)).body).toContain(rotated.client_key);
  });

  it('is a 404 for a merchant that does not exist, page or change', async () => {
    expect((await operator.get('/dashboard/merchants/99999999999999')).status).toBe(404);
    expect((await operator.post('/dashboard/merchants/99999999999999/status', { enabled: '0' })).status).toBe(
      404,
    );
  });
});
