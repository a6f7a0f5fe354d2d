/**
 * The master keyring at start and while running: a wrong key or a keyring lacking the key the
 * data keys are wrapped by stops the start with a message naming the key id; a running
 * gateway refuses a changed keyring file that would lose a key the store needs; a keyring from
 * OPENKKA_MASTER_KEY is rotated by appending an entry and restarting (the CLI explains and
 * changes nothing); and a store written before rotation existed (one card key, platform key
 * sealed without its key id) is read, migrated in place, and rotated like any other.
 */
import { createHmac, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retireMaster, rotateMaster } from '../../src/cli/keys.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { openRuntime } from '../../src/runtime.ts';
import { openStore } from '../../src/store/db.ts';
import { seal } from '../../src/vault/aead.ts';
import { keyringFile, parseKeyring } from '../../src/vault/keyring.ts';
import { KeyRotation, type RotationLog } from '../../src/vault/rotation.ts';
import { Vault } from '../../src/vault/vault.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { cardRecords, createProbeTable, insertProbeRecord } from '../helpers/vault.ts';

const b64 = () => randomBytes(32).toString('base64');
const stores: TestStore[] = [];

async function freshStore(env: Record<string, string> = {}): Promise<{ store: TestStore; config: Config }> {
  const store = await createTestStore();
  stores.push(store);
  return { store, config: loadConfig({ ...store.env, ...env }) };
}

/** Opens the runtime once (creating the store's keys) and closes it again. */
async function initialise(config: Config) {
  const rt = await openRuntime(config);
  const ids = { master: rt.vault.keyring.primaryId, card: rt.vault.primaryCardKeyId };
  await rt.store.close();
  return ids;
}

/** Replaces the keyring file the way an editor that saves atomically would. */
function writeKeyring(config: Config, text: string): void {
  const file = keyringFile(config.dataDir);
  writeFileSync(`${file}.new`, text, { mode: 0o600 });
  renameSync(`${file}.new`, file);
}

function recordingLog(): RotationLog & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info() {}, warn() {}, error: (_obj, msg) => errors.push(msg) };
}

afterAll(async () => {
  for (const store of stores) await store.drop();
});

describe('at start', () => {
  it('a different key under the same id stops the start, naming the id', async () => {
    const { config } = await freshStore();
    const { master } = await initialise(config);
    writeKeyring(config, `${master}:${b64()}\n`);
    await expect(openRuntime(config)).rejects.toThrow(
      `master key "${master}" from ${keyringFile(config.dataDir)} does not match this store`,
    );
  });

  it('a keyring file without the key the data keys are wrapped by stops the start, naming the missing id', async () => {
    const { config } = await freshStore();
    const { master } = await initialise(config);
    // Rotated, but no gateway has re-wrapped the data keys yet; then the old key is deleted by hand.
    const { masterKeyId } = await rotateMaster(config);
    await expect(retireMaster(config, master)).rejects.toThrow(`master key "${master}" still wraps data key`);
    const text = readFileSync(keyringFile(config.dataDir), 'utf8');
    writeKeyring(
      config,
      text
        .split('\n')
        .filter((line) => !line.startsWith(`${master}:`))
        .join('\n'),
    );
    await expect(openRuntime(config)).rejects.toThrow(
      `the store's data keys are wrapped by master key "${master}", which ${keyringFile(config.dataDir)} does not hold`,
    );
    expect(masterKeyId).not.toBe(master);
  });
});

describe('a running gateway and its keyring file', () => {
  it('refuses a changed file that drops a needed key or changes a key, and keeps the keyring it has', async () => {
    const { config } = await freshStore();
    const rt = await openRuntime(config);
    try {
      const log = recordingLog();
      const rotation = new KeyRotation({ store: rt.store, vault: rt.vault, clock: new ManualClock(), log });
      const before = rt.vault.keyring;
      const original = readFileSync(keyringFile(config.dataDir), 'utf8');

      writeKeyring(config, `mk_other:${b64()}\n`);
      expect(await rotation.followKeyring()).toBe(false);
      expect(rt.vault.keyring).toBe(before);
      expect(log.errors.at(-1)).toContain(`no longer holds master key "${before.primaryId}"`);

      writeKeyring(config, `${before.primaryId}:${b64()}\n`);
      await rotation.followKeyring();
      expect(rt.vault.keyring).toBe(before);
      expect(log.errors.at(-1)).toContain(`gives master key "${before.primaryId}" a different key`);

      writeKeyring(config, 'not a keyring\n');
      await rotation.followKeyring();
      expect(rt.vault.keyring).toBe(before);
      expect(log.errors.at(-1)).toContain('must be 32 bytes');

      // Put right, with a new key appended: adopted.
      writeKeyring(config, `${original}mk_next:${b64()}\n`);
      expect(await rotation.followKeyring()).toBe(true);
      expect(rt.vault.keyring.primaryId).toBe('mk_next');
      expect(rt.vault.dataKeys.fingerprint.master_key_id).toBe('mk_next');
    } finally {
      await rt.store.close();
    }
  });
});

describe('a process that cannot follow the store', () => {
  it('keeps its keys while its card key is listed, and stops encrypting once that key is retired', async () => {
    const { config } = await freshStore();
    const rt = await openRuntime(config);
    try {
      // Process B holds only the first master key (as a host whose keyring file was not updated).
      const stale = await Vault.open(
        rt.store,
        parseKeyring(readFileSync(keyringFile(config.dataDir), 'utf8'), 'B'),
      );
      const staleRotation = new KeyRotation({ store: rt.store, vault: stale, clock: new ManualClock() });
      const card = { pan: '4242424242424242', exp_month: 1, exp_year: 2031 };
      const oldCardKey = stale.primaryCardKeyId;

      await rotateMaster(config);
      const rotation = new KeyRotation({
        store: rt.store,
        vault: rt.vault,
        clock: new ManualClock(),
        graceMs: 0,
      });
      await rotation.followKeyring();
      await expect(staleRotation.followKeyring()).rejects.toThrow(
        /wrapped by master key "mk_[0-9a-f]+", which B does not hold/,
      );
      // Its card key is still listed: what it writes is still readable, and moved by the next pass.
      const written = stale.encryptCard(card);
      expect(rt.vault.decryptCard(written)).toEqual(card);

      await rotation.reencrypt();
      expect(rt.vault.dataKeys.card_keys.map((k) => k.id)).not.toContain(oldCardKey);
      await expect(staleRotation.followKeyring()).rejects.toThrow(/does not hold/);
      expect(() => stale.encryptCard(card)).toThrow(`card data key ${oldCardKey} was retired`);
      expect(() => stale.sealText('x', 'test')).toThrow(`card data key ${oldCardKey} was retired`);
    } finally {
      await rt.store.close();
    }
  });
});

describe('a keyring from OPENKKA_MASTER_KEY', () => {
  const first = `mk_env1:${b64()}`;
  const second = `mk_env2:${b64()}`;

  it('is not rotated by the CLI, which says how to do it instead', async () => {
    const { store, config } = await freshStore({ OPENKKA_MASTER_KEY: first });
    await initialise(config);
    await expect(rotateMaster(config)).rejects.toThrow(
      /comes from OPENKKA_MASTER_KEY, which openkka cannot change\. To rotate, append a new entry to the end of OPENKKA_MASTER_KEY.*restart them/,
    );
    expect(() => readFileSync(keyringFile(store.dataDir))).toThrow();
  });

  it('is rotated by appending an entry and restarting; the old entry can then be dropped', async () => {
    const { store, config } = await freshStore({ OPENKKA_MASTER_KEY: first });
    await initialise(config);
    const both = loadConfig({ ...store.env, OPENKKA_MASTER_KEY: `${first},${second}` });
    const rt = await openRuntime(both);
    try {
      const rotation = new KeyRotation({ store: rt.store, vault: rt.vault, clock: new ManualClock() });
      expect(await rotation.followKeyring()).toBe(true);
      expect(rt.vault.dataKeys.card_keys.map((k) => k.master_key_id)).toEqual(['mk_env2', 'mk_env2']);
    } finally {
      await rt.store.close();
    }
    await expect(retireMaster(both, 'mk_env1')).rejects.toThrow(
      'nothing needs "mk_env1" any more: remove its entry from OPENKKA_MASTER_KEY',
    );
    await expect(openRuntime(config)).rejects.toThrow(
      `wrapped by master key "mk_env2", which OPENKKA_MASTER_KEY does not hold`,
    );
    const rt2 = await openRuntime(loadConfig({ ...store.env, OPENKKA_MASTER_KEY: second }));
    await rt2.store.close();
  });
});

describe('a store written before rotation existed', () => {
  const master = randomBytes(32);
  const cardKey = randomBytes(32);
  const fingerprintKey = randomBytes(32);
  const cardId = `dk_${randomBytes(6).toString('hex')}`;
  const fingerprintId = `dk_${randomBytes(6).toString('hex')}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const card = { pan: '4242424242424242', exp_month: 4, exp_year: 2031 };
  let config: Config;

  beforeAll(async () => {
    ({ config } = await freshStore());
    writeFileSync(keyringFile(config.dataDir), `mk_old:${master.toString('base64')}\n`, { mode: 0o600 });
    const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const wrap = (id: string, key: Buffer) => ({
      id,
      master_key_id: 'mk_old',
      wrapped: seal(master, key, id).toString('base64url'),
    });
    const legacy = { card: wrap(cardId, cardKey), fingerprint: wrap(fingerprintId, fingerprintKey) };
    await store.writer
      .insertInto('settings')
      .values([
        { name: 'data_keys', value: JSON.stringify(legacy) },
        {
          name: 'platform_key',
          value: seal(cardKey, Buffer.from(pem), `${cardId}/platform-key`).toString('base64url'),
        },
      ])
      .execute();
    await createProbeTable(store);
    const record = `${cardId}.${seal(cardKey, Buffer.from(JSON.stringify(card)), cardId).toString('base64url')}`;
    await insertProbeRecord(store, 'old', record);
    await store.close();
  });

  it('is read as it is, and its data keys are rewritten in the list shape', async () => {
    const rt = await openRuntime(config);
    try {
      expect(rt.platformPublicKeyPem).toBe(publicPem);
      expect(rt.vault.decryptCard((await cardRecords(rt.store)).get('probe:old')!)).toEqual(card);
      expect(rt.vault.fingerprint(card.pan)).toBe(
        createHmac('sha256', fingerprintKey).update(card.pan).digest('base64url'),
      );
      const row = await rt.store.writer
        .selectFrom('settings')
        .select('value')
        .where('name', '=', 'data_keys')
        .executeTakeFirstOrThrow();
      const stored = JSON.parse(row.value);
      expect(stored.card_keys.map((k: { id: string }) => k.id)).toEqual([cardId]);
      expect(stored.fingerprint.id).toBe(fingerprintId);
      expect(stored.card).toBeUndefined();
    } finally {
      await rt.store.close();
    }
  });

  it('rotates like any other: card and platform key moved, old keys retired, the same platform key after', async () => {
    const rt = await openRuntime(config);
    try {
      await rotateMaster(config);
      const rotation = new KeyRotation({
        store: rt.store,
        vault: rt.vault,
        clock: new ManualClock(),
        graceMs: 0,
      });
      await rotation.followKeyring();
      const pass = await rotation.reencrypt();
      expect(pass).toMatchObject({ rewrapped: 1, failed: 0, resealed: ['platform_key'], deleted: [cardId] });
      await retireMaster(config, 'mk_old');
    } finally {
      await rt.store.close();
    }
    const rt2 = await openRuntime(config);
    try {
      expect(rt2.vault.keyring.keys.has('mk_old')).toBe(false);
      expect(rt2.platformPublicKeyPem).toBe(publicPem);
      expect(rt2.vault.decryptCard((await cardRecords(rt2.store)).get('probe:old')!)).toEqual(card);
      expect(rt2.vault.dataKeys.fingerprint.id).toBe(fingerprintId);
      expect(rt2.vault.fingerprint(card.pan)).toBe(
        createHmac('sha256', fingerprintKey).update(card.pan).digest('base64url'),
      );
    } finally {
      await rt2.store.close();
    }
  });
});
