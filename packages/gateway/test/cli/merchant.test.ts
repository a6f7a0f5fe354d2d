/**
 * `openkka keys | merchant | migrate` as real processes, on stores no server has ever opened:
 * every command must prepare a fresh store itself, keep stdout for its output (one JSON object
 * with --json) and refuse bad input with a message and a non-zero exit.
 *
 * Each CLI run is a new Node process (about a second), so the three groups below work on
 * three stores at the same time; the steps inside a group run in order.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantRepo } from '../../src/core/merchants/repo.ts';
import { openStore } from '../../src/store/db.ts';
import { newKeyPair } from '../helpers/keys.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { killChildren, type RunResult, runCli } from './run-cli.ts';

let keysStore: TestStore;
let merchantStore: TestStore;
let rotationStore: TestStore;
let workDir: string;

beforeAll(async () => {
  [keysStore, merchantStore, rotationStore] = await Promise.all([
    createTestStore(),
    createTestStore(),
    createTestStore(),
  ]);
  workDir = mkdtempSync(join(tmpdir(), 'openkka-cli-'));
});
// Not afterEach: the groups run concurrently, and one group's children must outlive another's test.
afterAll(async () => {
  killChildren();
  rmSync(workDir, { recursive: true, force: true });
  await Promise.all([keysStore?.drop(), merchantStore?.drop(), rotationStore?.drop()]);
});

function writeKey(name: string, pem: string): string {
  const file = join(workDir, name);
  writeFileSync(file, pem);
  return file;
}

/** Exit 0, and the whole of stdout is one JSON object. */
function jsonOutput(result: RunResult): Record<string, unknown> {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** A refusal: non-zero exit, a readable message on stderr, nothing on stdout, no stack trace. */
function expectRefused(result: RunResult, message: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe.concurrent('openkka keys platform and migrate', () => {
  it.sequential('keys platform prints one PEM public key on a fresh store, and the same key next time', async () => {
    const first = await runCli(['keys', 'platform'], keysStore.env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    const key = createPublicKey(first.stdout);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBeGreaterThanOrEqual(2048);

    const second = await runCli(['keys', 'platform'], keysStore.env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it.sequential('migrate succeeds, and succeeds again when nothing is pending', async () => {
    for (let i = 0; i < 2; i++) {
      const result = await runCli(['migrate'], keysStore.env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/is up to date/);
    }
  });
});

describe.concurrent('openkka merchant create | list | disable | enable', () => {
  const cli = (...args: string[]) => runCli(args, merchantStore.env);
  const listed = async () =>
    jsonOutput(await cli('merchant', 'list', '--json')).merchants as Array<Record<string, unknown>>;
  const pair = newKeyPair();
  let merchantId = '';
  let generatedId = '';
  let clientKey = '';
  let textId = '';

  it.sequential('create on a fresh store prints exactly one JSON object with a 14-digit merchant id', async () => {
    const out = jsonOutput(
      await cli(
        'merchant',
        'create',
        '--name',
        'Corner Shop',
        '--public-key',
        writeKey('shop.pem', pair.publicKeyPem),
        '--json',
      ),
    );
    expect(out.merchant_id).toMatch(/^\d{14}$/);
    expect(out.name).toBe('Corner Shop');
    expect(out.key_id).toMatch(/^key_/);
    expect(out.client_key).toMatch(/^ck_[0-9a-f]{32}$/);
    expect(out.app_id).toBe(out.merchant_id);
    expect(out).not.toHaveProperty('private_key_file');
    merchantId = out.merchant_id as string;
    clientKey = out.client_key as string;
  });

  it.sequential('create without --json prints the merchant id, its client key and v3 app id', async () => {
    const created = await cli(
      'merchant',
      'create',
      '--name',
      'Text Shop',
      '--public-key',
      writeKey('text.pem', pair.publicKeyPem),
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^(\d{14})\nclient key: ck_[0-9a-f]{32}\nv3 app id: \1\n$/);
    textId = created.stdout.slice(0, 14);
  });

  it.sequential('set-app-id gives a merchant its own v3 app id, refuses a taken one, and takes it back', async () => {
    const set = await cli('merchant', 'set-app-id', merchantId, 'corner-shop-app');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe(`${merchantId} v3 app id: corner-shop-app\n`);
    expect((await listed()).find((m) => m.merchant_id === merchantId)?.app_id).toBe('corner-shop-app');
    const taken = await cli('merchant', 'set-app-id', textId, 'corner-shop-app');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/names another merchant/);
    const back = await cli('merchant', 'set-app-id', merchantId);
    expect(back.stdout).toBe(`${merchantId} v3 app id: ${merchantId}\n`);
    expect((await listed()).find((m) => m.merchant_id === merchantId)?.app_id).toBeNull();
  });

  it.sequential('set-notify-protocol v3 | v1.2 | auto is listed; anything else is refused with a message', async () => {
    const protocolOf = async () =>
      (await listed()).find((m) => m.merchant_id === merchantId)?.notify_protocol;
    const v3 = await cli('merchant', 'set-notify-protocol', merchantId, 'v3');
    expect(v3.code, v3.stderr).toBe(0);
    expect(v3.stdout).toBe(`${merchantId} notify protocol: v3\n`);
    expect(await protocolOf()).toBe('v3');
    const text = await cli('merchant', 'list');
    expect(text.stdout).toMatch(
      new RegExp(`^${merchantId}  \\S+ +ck_[0-9a-f]{32}  notify v3    Corner Shop$`, 'm'),
    );

    for (const bad of ['v2', 'V3']) {
      expectRefused(
        await cli('merchant', 'set-notify-protocol', merchantId, bad),
        new RegExp(`notify protocol must be v1\\.2, v3 or auto, not "${bad}"`),
      );
    }
    expect(await protocolOf()).toBe('v3');
    expectRefused(
      await cli('merchant', 'set-notify-protocol', '99999999999999', 'v1.2'),
      /no merchant 99999999999999/,
    );

    expect((await cli('merchant', 'set-notify-protocol', merchantId, 'v1.2')).stdout).toBe(
      `${merchantId} notify protocol: v1.2\n`,
    );
    expect(await protocolOf()).toBe('v1.2');
    const auto = await cli('merchant', 'set-notify-protocol', merchantId, 'auto');
    expect(auto.stdout).toBe(`${merchantId} notify protocol: auto\n`);
    expect(await protocolOf()).toBeNull();
    expect((await cli('merchant', 'list')).stdout).toMatch(
      new RegExp(`^${merchantId} .* notify auto  Corner Shop$`, 'm'),
    );
  });

  it.sequential('create --generate-key DIR writes a 0600 private key whose public half is stored; --notify-url is echoed', async () => {
    const keyDir = join(workDir, 'generated');
    const out = jsonOutput(
      await cli(
        'merchant',
        'create',
        '--name',
        'Keyless Shop',
        '--generate-key',
        keyDir,
        '--notify-url',
        'https://shop.example/notify',
        '--json',
      ),
    );
    expect(out.merchant_id).toMatch(/^\d{14}$/);
    expect(out.notify_url).toBe('https://shop.example/notify');
    const file = out.private_key_file as string;
    expect(file.startsWith(`${keyDir}/`)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    generatedId = out.merchant_id as string;

    const publicHalf = createPublicKey(createPrivateKey(readFileSync(file, 'utf8')))
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const store = await openStore({ databaseUrl: merchantStore.databaseUrl, dataDir: merchantStore.dataDir });
    try {
      const keys = await new MerchantRepo(store).keys(generatedId);
      expect(keys.map((k) => k.public_key_pem)).toEqual([publicHalf]);
    } finally {
      await store.close();
    }
  });

  it.sequential('create refuses both or neither of --public-key and --generate-key', async () => {
    const [both, neither] = await Promise.all([
      cli(
        'merchant',
        'create',
        '--name',
        'Both',
        '--public-key',
        writeKey('both.pem', pair.publicKeyPem),
        '--generate-key',
        join(workDir, 'both'),
      ),
      cli('merchant', 'create', '--name', 'Neither', '--json'),
    ]);
    expectRefused(both, /exactly one of --public-key FILE or --generate-key DIR/);
    expectRefused(neither, /exactly one of --public-key FILE or --generate-key DIR/);
  });

  it.sequential('create refuses a key file that is not an RSA public key', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    const [garbage, notRsa] = await Promise.all([
      cli(
        'merchant',
        'create',
        '--name',
        'Garbage',
        '--public-key',
        writeKey('garbage.pem', 'not a key at all\n'),
      ),
      cli('merchant', 'create', '--name', 'Elliptic', '--public-key', writeKey('ec.pem', ec.toString())),
    ]);
    expectRefused(garbage, /not a PEM-encoded RSA public key/);
    expectRefused(notRsa, /must be an RSA key/);
  });

  it.sequential('disable shows as DISABLED in list --json, which holds only the three merchants created', async () => {
    const disabled = await cli('merchant', 'disable', merchantId);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toBe(`${merchantId} disabled\n`);

    // Exactly three: every refused create above left nothing behind.
    const merchants = await listed();
    expect(merchants).toHaveLength(3);
    expect(merchants.map((m) => m.merchant_id)).toContain(textId);
    expect(merchants.find((m) => m.merchant_id === merchantId)?.client_key).toBe(clientKey);
    expect(merchants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          merchant_id: merchantId,
          name: 'Corner Shop',
          status: 'DISABLED',
          notify_url: null,
        }),
        expect.objectContaining({
          merchant_id: generatedId,
          name: 'Keyless Shop',
          status: 'ACTIVE',
          notify_url: 'https://shop.example/notify',
        }),
      ]),
    );
  });

  it.sequential('enable makes it ACTIVE again', async () => {
    const enabled = await cli('merchant', 'enable', merchantId);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toBe(`${merchantId} enabled\n`);
    expect((await listed()).find((m) => m.merchant_id === merchantId)?.status).toBe('ACTIVE');
  });
});

describe.concurrent('openkka merchant add-key | remove-key | keys', () => {
  const cli = (...args: string[]) => runCli(args, rotationStore.env);
  const keyIds = async (id: string) => {
    const out = jsonOutput(await cli('merchant', 'keys', id, '--json'));
    expect(out.merchant_id).toBe(id);
    return (out.keys as Array<{ key_id: string }>).map((k) => k.key_id);
  };
  let merchantId = '';
  let firstKeyId = '';
  let nextKeyId = '';

  it.sequential('add-key adds a second key, and a third is refused', async () => {
    const created = jsonOutput(
      await cli(
        'merchant',
        'create',
        '--name',
        'Rotating Shop',
        '--public-key',
        writeKey('first.pem', newKeyPair().publicKeyPem),
        '--json',
      ),
    );
    merchantId = created.merchant_id as string;
    firstKeyId = created.key_id as string;

    const added = jsonOutput(
      await cli('merchant', 'add-key', merchantId, writeKey('next.pem', newKeyPair().publicKeyPem), '--json'),
    );
    expect(added.merchant_id).toBe(merchantId);
    nextKeyId = added.key_id as string;
    expect(nextKeyId).toMatch(/^key_/);
    expect(nextKeyId).not.toBe(firstKeyId);

    const third = await cli(
      'merchant',
      'add-key',
      merchantId,
      writeKey('third.pem', newKeyPair().publicKeyPem),
    );
    expectRefused(third, /already has 2 keys; remove one first/);
  });

  it.sequential('remove-key removes one, and keys lists the one left', async () => {
    const removed = await cli('merchant', 'remove-key', merchantId, firstKeyId);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(`${firstKeyId} removed\n`);
    // The first key is gone, the second (added above) is left.
    expect(await keyIds(merchantId)).toEqual([nextKeyId]);
  });

  it.sequential('client-key rotates the client key; the previous one is listed until its grace ends', async () => {
    const before = jsonOutput(await cli('merchant', 'keys', merchantId, '--json'));
    expect(before.client_key).toMatch(/^ck_[0-9a-f]{32}$/);
    expect(before.previous_client_key).toBeNull();

    const rotated = jsonOutput(await cli('merchant', 'client-key', merchantId, '--json'));
    expect(rotated.merchant_id).toBe(merchantId);
    expect(rotated.client_key).toMatch(/^ck_[0-9a-f]{32}$/);
    expect(rotated.client_key).not.toBe(before.client_key);
    expect(rotated.previous_client_key).toBe(before.client_key);
    // The default grace: 24 hours.
    const left = (rotated.previous_client_key_expires_at as number) - Date.now();
    expect(left).toBeGreaterThan(23.9 * 3_600_000);
    expect(left).toBeLessThanOrEqual(24 * 3_600_000);

    const text = await cli('merchant', 'keys', merchantId);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe(
      `${nextKeyId}\nclient key: ${rotated.client_key}\nprevious client key: ${before.client_key} (works until ${text.stdout.match(/works until (\S+)\)/)?.[1]})\n`,
    );

    const immediate = await cli('merchant', 'client-key', merchantId, '--grace', '0');
    expect(immediate.code, immediate.stderr).toBe(0);
    expect(immediate.stdout).toMatch(/^client key: ck_[0-9a-f]{32}\n$/);
    expect(jsonOutput(await cli('merchant', 'keys', merchantId, '--json')).previous_client_key).toBeNull();
  });

  it.sequential('client-key refuses an unknown merchant and a grace that is not a duration', async () => {
    expectRefused(await cli('merchant', 'client-key', '99999999999999'), /no merchant 99999999999999/);
    expectRefused(
      await cli('merchant', 'client-key', merchantId, '--grace', 'soon'),
      /--grace: "soon" is not a duration/,
    );
  });
});
