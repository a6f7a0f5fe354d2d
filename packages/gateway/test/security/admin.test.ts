/**
 * Finding 6: OPENKKA_ADMIN_TOKEN=a was accepted, the Bearer scheme was matched case-sensitively,
 * and the admin API could only share the public listener. Now a token under 32 characters
 * stops the start, the scheme is matched in any case (the token compared in constant time),
 * and OPENKKA_ADMIN_LISTEN serves the admin API on a listener of its own and nowhere else.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { listen } from '../../src/server.ts';
import { killChildren, runCli } from '../cli/run-cli.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { responseSignatureValid } from '../helpers/raw.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { send } from './raw-http.ts';

const TOKEN = randomBytes(32).toString('base64url');
const LIST = '/admin/notifications?status=failed';

const get = (baseUrl: string, authorization?: string, path = LIST) =>
  send(baseUrl, { method: 'GET', path, headers: authorization === undefined ? {} : { authorization } });

describe('the token', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(async () => {
    killChildren();
    await store?.drop();
  });

  it('is refused under 32 characters, or with blanks, and taken from 32 on', () => {
    for (const token of ['a', 'x'.repeat(31), `${'x'.repeat(20)} ${'y'.repeat(20)}`]) {
      expect(() => loadConfig({ OPENKKA_ADMIN_TOKEN: token }), token).toThrow(
        /^OPENKKA_ADMIN_TOKEN must be at least 32 visible ASCII characters/,
      );
    }
    expect(loadConfig({ OPENKKA_ADMIN_TOKEN: 'x'.repeat(32) }).adminToken).toBe('x'.repeat(32));
  });

  it('OPENKKA_ADMIN_TOKEN=a: openkka start exits non-zero with the reason, serving nothing', async () => {
    const result = await runCli(['start'], { ...store.env, PORT: '0', OPENKKA_ADMIN_TOKEN: 'a' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/OPENKKA_ADMIN_TOKEN must be at least 32 visible ASCII characters/);
  });

  it('OPENKKA_ADMIN_LISTEN must be host:port, and needs a token', () => {
    expect(() => loadConfig({ OPENKKA_ADMIN_TOKEN: TOKEN, OPENKKA_ADMIN_LISTEN: '9090' })).toThrow(
      /OPENKKA_ADMIN_LISTEN: "9090" is not host:port/,
    );
    expect(() => loadConfig({ OPENKKA_ADMIN_LISTEN: '127.0.0.1:9090' })).toThrow(
      /OPENKKA_ADMIN_LISTEN needs OPENKKA_ADMIN_TOKEN/,
    );
    expect(
      loadConfig({ OPENKKA_ADMIN_TOKEN: TOKEN, OPENKKA_ADMIN_LISTEN: '[::1]:9090' }).adminListen,
    ).toEqual({
      host: '::1',
      port: 9090,
    });
  });
});

describe('the Authorization header, on the public listener', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { OPENKKA_ADMIN_TOKEN: TOKEN } });
  });
  afterAll(() => gw?.close());

  it('takes the Bearer scheme in any case', async () => {
    for (const authorization of [
      `Bearer ${TOKEN}`,
      `bearer ${TOKEN}`,
      `BEARER ${TOKEN}`,
      `bEaReR  ${TOKEN}`,
    ]) {
      const res = await get(gw.baseUrl, authorization);
      expect(res.status, authorization).toBe(200);
      expect(res.json.ret_code).toBe('000000');
    }
  });

  it('refuses any other token or scheme with 401 300020', async () => {
    const wrong = [
      undefined,
      '',
      'Bearer',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${'A'.repeat(TOKEN.length)}`,
      `Bearer ${TOKEN} extra`,
      TOKEN,
      `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`,
    ];
    for (const authorization of wrong) {
      const res = await get(gw.baseUrl, authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(res.json.ret_code).toBe('300020');
    }
  });
});

describe('OPENKKA_ADMIN_LISTEN: a listener of its own', () => {
  let gw: TestGateway;
  let adminUrl: string;
  beforeAll(async () => {
    gw = await startGateway({ env: { OPENKKA_ADMIN_TOKEN: TOKEN, OPENKKA_ADMIN_LISTEN: '127.0.0.1:0' } });
    adminUrl = await listen(gw.admin!, '127.0.0.1', 0);
  });
  afterAll(() => gw?.close());

  it('serves the admin API there, signed, and refuses a wrong token there', async () => {
    const res = await get(adminUrl, `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.json.ret_code).toBe('000000');
    expect(responseSignatureValid(res, '', gw.platformPublicKeyPem)).toBe(true);
    expect((await get(adminUrl, `Bearer ${TOKEN}x`)).status).toBe(401);
  });

  it('is not on the public listener at all (404 300003, token or not)', async () => {
    for (const authorization of [`Bearer ${TOKEN}`, undefined]) {
      const res = await get(gw.baseUrl, authorization);
      expect(res.status).toBe(404);
      expect(res.json.ret_code).toBe('300003');
    }
  });

  it('serves nothing else there', async () => {
    const api = await send(adminUrl, {
      path: '/apis/payments',
      body: '{}',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(api.status).toBe(404);
    expect(api.json.ret_code).toBe('300003');
  });
});
