/**
 * `openkka start` as a real process on an empty store: the banner's copy-paste example pays
 * with nothing but bash, openssl and curl, and its answer verifies with openssl against the
 * key `openkka keys platform` prints (a client written from docs/signing.md alone). The running server
 * sees CLI changes at once, and SIGTERM / SIGINT shut it down cleanly.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { responseSignatureValid, signedPost } from '../helpers/raw.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { killChildren, linesBetween, run, runCli, type ServerProcess, startServer } from './run-cli.ts';

// Every CLI run is a fresh Node process (the compiled CLI), a few hundred milliseconds each.
let store: TestStore;
let workDir: string;
let server: ServerProcess;

beforeAll(async () => {
  store = await createTestStore();
  workDir = mkdtempSync(join(tmpdir(), 'openkka-start-'));
  // The first process ever to open this store, so the banner below is the empty-store one.
  server = await startServer(store.env);
});
// Not afterEach: the first two groups run concurrently against the one server.
afterAll(async () => {
  killChildren();
  rmSync(workDir, { recursive: true, force: true });
  await store?.drop();
});

/** What `openkka keys platform` prints, asked once. */
let platformKey: Promise<string> | undefined;
function platformPem(): Promise<string> {
  platformKey ??= runCli(['keys', 'platform'], store.env).then((result) => {
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  });
  return platformKey;
}

/** Node's and Fastify's keep-alive timeout: how long an idle kept-alive connection may stay open. */
const KEEP_ALIVE_MS = 72_000;
const demoIdIn = (banner: string) => /^Demo merchant: (\d{14})$/m.exec(banner)?.[1];

describe.concurrent('openkka start on an empty store', () => {
  it.sequential('prints its real URL, a demo merchant, its private key inside the data dir, and an example', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect(demoIdIn(server.banner)).toMatch(/^\d{14}$/);
    const keyFile = /^Private key: +(.+)$/m.exec(server.banner)?.[1];
    expect(keyFile?.startsWith(`${store.dataDir}${sep}`)).toBe(true);
    expect(statSync(keyFile!).mode & 0o777).toBe(0o600);
    expect(server.banner).toContain('openkka keys platform');
    expect(linesBetween(server.banner, 'MID=', 'echo')).toContain(server.url);
    // Logs go to stderr; stdout is the banner alone.
    expect(server.banner).not.toMatch(/"level":/);
  });

  it.sequential('the printed example, run as-is with bash, makes a successful payment', async () => {
    const example = linesBetween(server.banner, 'MID=', 'echo');
    const result = await run('bash', ['-c', example]);
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as { ret_code: string; data: { status: string } };
    expect(answer.ret_code, result.stdout).toBe('000000');
    expect(answer.data.status).toBe('SUCCESS');
  });

  it.sequential("the banner's dashboard opens with the token file it names, and lists the example's payment", async () => {
    const dashboard = /^Dashboard: +(\S+)$/m.exec(server.banner)?.[1];
    expect(dashboard).toBe(`${server.url}/dashboard`);
    const tokenFile = /^Admin token: +in (.+) \(log in with its contents\)$/m.exec(server.banner)?.[1];
    expect(tokenFile?.startsWith(`${store.dataDir}${sep}`)).toBe(true);
    expect(statSync(tokenFile!).mode & 0o777).toBe(0o600);
    // The banner names the file, never the token.
    const token = readFileSync(tokenFile!, 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(server.banner).not.toContain(token);
    const wrong = await fetch(`${dashboard}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: `${token}x` }).toString(),
      redirect: 'manual',
    });
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const login = await fetch(`${dashboard}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const page = await fetch(`${dashboard}/payments`, { headers: { cookie } });
    expect(page.status).toBe(200);
    // The example's trans_id is demo-<timestamp>-<random>.
    expect(await page.text()).toMatch(/demo-\d{13}-\d+/);
  });

  it.sequential('the printed checkout example makes a session whose page a browser can pay on', async () => {
    const afterHeading = server.banner.slice(server.banner.indexOf('A hosted checkout session'));
    const example = linesBetween(afterHeading, 'MID=', 'echo');
    expect(example).toContain('/apis/payments/session');
    const result = await run('bash', ['-c', example]);
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as {
      ret_code: string;
      data: { session_url: string; status: string };
    };
    expect(answer.ret_code, result.stdout).toBe('000000');
    expect(answer.data.status).toBe('OPEN');
    expect(answer.data.session_url.startsWith(`${server.url}/checkout/CS`)).toBe(true);
    const page = await fetch(answer.data.session_url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Pay Demo shop');
    // The form as a browser posts it, with the test card the banner names.
    const year = String(new Date().getUTCFullYear() + 2).slice(2);
    const paid = await fetch(answer.data.session_url, {
      method: 'POST',
      body: new URLSearchParams({
        method: 'BANKCARD',
        card_no: '4242 4242 4242 4242',
        exp: `12 / ${year}`,
        cvv: '123',
      }),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    expect(new URL(paid.headers.get('location')!).searchParams.get('status')).toBe('SUCCESS');
  });

  it.sequential("the example's answer carries a platform signature that openssl verifies (docs/signing.md)", async () => {
    const headersFile = join(workDir, 'headers.txt');
    const bodyFile = join(workDir, 'body.json');
    const example = linesBetween(server.banner, 'MID=', 'echo');
    // The same example, only telling curl to keep the response headers and the exact body bytes.
    const variant = example.replace('curl -s ', `curl -s -D '${headersFile}' -o '${bodyFile}' `);
    expect(variant).not.toBe(example);
    const result = await run('bash', ['-c', variant]);
    expect(result.code, result.stderr).toBe(0);

    const body = readFileSync(bodyFile);
    const answer = JSON.parse(body.toString()) as {
      ret_code: string;
      data: { status: string; timestamp: number };
    };
    expect(answer.ret_code).toBe('000000');
    expect(answer.data.status).toBe('SUCCESS');

    const headers = new Map<string, string>();
    for (const line of readFileSync(headersFile, 'utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    expect(headers.get('type')).toBe('RSA256');
    expect(headers.get('version')).toBe('v1.2');
    const timestamp = headers.get('timestamp')!;
    expect(timestamp).toMatch(/^\d+$/);
    expect(String(answer.data.timestamp)).toBe(timestamp);

    const merchantId = demoIdIn(server.banner)!;
    const platformFile = join(workDir, 'platform.pem');
    writeFileSync(platformFile, await platformPem());
    const sigFile = join(workDir, 'response.sig');
    writeFileSync(sigFile, Buffer.from(headers.get('signature')!, 'base64'));
    const verify = (timestampSigned: string) => {
      const signedFile = join(workDir, `signed-${timestampSigned}.txt`);
      const prefix = `merchantId=${merchantId}&timestamp=${timestampSigned}&requestBody=`;
      writeFileSync(signedFile, Buffer.concat([Buffer.from(prefix), body]));
      return run('openssl', ['dgst', '-sha256', '-verify', platformFile, '-signature', sigFile, signedFile]);
    };
    const good = await verify(timestamp);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toContain('Verified OK');
    // And the check is not vacuous: another timestamp does not verify.
    const tampered = await verify(String(Number(timestamp) + 1));
    expect(tampered.code).not.toBe(0);
  });
});

describe.concurrent('a running server and the CLI', () => {
  const pair = newKeyPair();
  let merchantId: string;
  const pay = () =>
    signedPost(
      server.url,
      '/apis/payments',
      { merchant_id: merchantId, timestamp: Date.now(), ...cardPayment() },
      { merchantId, privateKey: pair.privateKey },
    );

  it.sequential('a merchant created with the CLI can pay at once', async () => {
    const keyFile = join(workDir, 'cli-merchant.pem');
    writeFileSync(keyFile, pair.publicKeyPem);
    const created = await runCli(
      ['merchant', 'create', '--name', 'Live Shop', '--public-key', keyFile, '--json'],
      store.env,
    );
    expect(created.code, created.stderr).toBe(0);
    merchantId = (JSON.parse(created.stdout) as { merchant_id: string }).merchant_id;

    const res = await pay();
    expect(res.status, res.text).toBe(200);
    expect(res.json.ret_code).toBe('000000');
    expect((res.json.data as { status: string }).status).toBe('SUCCESS');
    expect(responseSignatureValid(res, merchantId, await platformPem())).toBe(true);
  });

  it.sequential('merchant disable is refused on the very next request (403 206007); enable lets it pay again', async () => {
    const disabled = await runCli(['merchant', 'disable', merchantId], store.env);
    expect(disabled.code, disabled.stderr).toBe(0);
    const refused = await pay();
    expect(refused.status).toBe(403);
    expect(refused.json.ret_code).toBe('206007');

    const enabled = await runCli(['merchant', 'enable', merchantId], store.env);
    expect(enabled.code, enabled.stderr).toBe(0);
    const again = await pay();
    expect(again.status, again.text).toBe(200);
    expect(again.json.ret_code).toBe('000000');
  });
});

describe('shutdown and restart', () => {
  let demoId: string;
  let second: ServerProcess;

  it('SIGTERM stops the server with exit code 0 within a few seconds', async () => {
    demoId = demoIdIn(server.banner)!;
    const stopped = await server.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.signal).toBeNull();
    // Far below the 72 s keep-alive timeout that a lingering connection would hold it for.
    expect(stopped.elapsedMs).toBeLessThan(KEEP_ALIVE_MS / 2);
    await expect(fetch(`${server.url}/apis/payments`, { method: 'POST' })).rejects.toThrow();
  });

  it('a second start on the same store keeps the same demo merchant and creates no other', async () => {
    // A slow acquirer, so the SIGINT test below catches a payment in flight even on a busy machine.
    second = await startServer({ ...store.env, OPENKKA_ACQUIRER_LATENCY: '10s' });
    expect(demoIdIn(second.banner)).toBe(demoId);
    const list = await runCli(['merchant', 'list', '--json'], store.env);
    expect(list.code, list.stderr).toBe(0);
    const merchants = (JSON.parse(list.stdout) as { merchants: Array<{ name: string }> }).merchants;
    expect(merchants.filter((m) => m.name === 'Demo merchant')).toHaveLength(1);
  });

  it('SIGINT lets a payment in flight finish, then exits with code 0', async () => {
    const keyFile = /^Private key: +(.+)$/m.exec(second.banner)![1]!;
    const signer = { merchantId: demoId, privateKey: createPrivateKey(readFileSync(keyFile)) };
    const payment = { merchant_id: demoId, timestamp: Date.now(), ...cardPayment() };
    const inFlight = signedPost(second.url, '/apis/payments', payment, signer);

    // Wait until the order exists (PROCESSING at the acquirer), then interrupt.
    for (;;) {
      const query = await signedPost(
        second.url,
        '/apis/payments/query',
        { merchant_id: demoId, timestamp: Date.now(), trans_id: payment.trans_id },
        signer,
      );
      if (query.status === 200) {
        expect((query.json.data as { status: string }).status).toBe('PROCESSING');
        break;
      }
      expect(query.json.ret_code).toBe('206024');
      await delay(20);
    }
    const stopping = second.stop('SIGINT');

    const res = await inFlight;
    expect(res.status, res.text).toBe(200);
    expect((res.json.data as { status: string }).status).toBe('SUCCESS');
    const stopped = await stopping;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.signal).toBeNull();
    expect(stopped.elapsedMs).toBeLessThan(KEEP_ALIVE_MS / 2);
  });
});
