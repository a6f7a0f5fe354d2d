/**
 * Master key rotation on a running gateway (design principle 7): `keys rotate-master` appends a
 * new primary to the keyring file; the server adopts it without a restart, re-wraps its data
 * keys and makes a new primary card key; the re-encryption pass moves every stored card record
 * to it (a concurrent change to a record wins); the scan then deletes the old card key, the
 * old master key is reported retirable and is retired, and the new master key alone opens
 * everything. Cards stored before, during and after the rotation all decrypt to their own
 * card, and still pay: the reconciler completes their orders with them.
 *
 * Card records are PROCESSING orders (the no-answer test card), stored cards (tokens) and rows
 * of a table made here, which the rotation finds like any table with a `card_ciphertext`
 * column. The rotation runs on the gateway's manual clock, one round at a time; the CLI's own
 * functions change the keyring file on the same data dir.
 */

import { type KyselyPlugin, sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedAcquirer } from '../../src/acquirer/simulator.ts';
import { type App, buildApp } from '../../src/app.ts';
import { retireMaster, rotateMaster } from '../../src/cli/keys.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { openRuntime } from '../../src/runtime.ts';
import { openStore } from '../../src/store/db.ts';
import { rewrapCards } from '../../src/vault/card-records.ts';
import { loadKeyring, readKeyringFile } from '../../src/vault/keyring.ts';
import { PLATFORM_KEY_SETTING } from '../../src/vault/platform-key.ts';
import { KeyRotation } from '../../src/vault/rotation.ts';
import { keyStatus } from '../../src/vault/status.ts';
import { Vault } from '../../src/vault/vault.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { CountingAcquirer } from '../helpers/payments.ts';
import {
  ACQUIRER_TIMEOUT,
  cardRecords,
  createProbeTable,
  type Expected,
  expectAllDecrypt,
  keyOf,
  NO_ANSWER,
  orderOf,
  PROBE_TABLE,
  payByToken,
  storeProbeCard,
  storeToken,
  unanswered,
} from '../helpers/vault.ts';

const GRACE_MS = 60_000;
const SHOPPER = 'shopper-rotation';
const clock = new ManualClock(Date.now());
const acquirer = new CountingAcquirer(new SimulatedAcquirer({ clock }));
const tokens: Record<string, string> = {};
const expected: Expected = new Map();
let gw: TestGateway;
let merchant: TestMerchant;
let rotation: KeyRotation;
const ids: Record<string, string> = {};
const phases: Record<'before' | 'duringUnnoticed' | 'duringPass' | 'after', string[]> = {
  before: [],
  duringUnnoticed: [],
  duringPass: [],
  after: [],
};

const pay = () => unanswered(gw, merchant, clock, expected);
const store = () => gw.runtime.store;
const vault = () => gw.runtime.vault;
const settingValue = async (name: string) =>
  (
    await store()
      .writer.selectFrom('settings')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirstOrThrow()
  ).value;

beforeAll(async () => {
  gw = await startGateway({
    clock,
    acquirer,
    env: { OPENKKA_ACQUIRER_TIMEOUT: ACQUIRER_TIMEOUT, OPENKKA_RECONCILE_BACKOFF: '5s' },
  });
  merchant = await gw.createMerchant();
  await createProbeTable(store());
  rotation = new KeyRotation({ store: store(), vault: vault(), clock, graceMs: GRACE_MS, batchSize: 2 });
  ids.mk1 = vault().keyring.primaryId;
  ids.dk1 = vault().primaryCardKeyId;
  ids.fingerprint = vault().dataKeys.fingerprint.id;
});
afterAll(() => gw?.close());

describe('one rotation, step by step', () => {
  it('cards stored before the rotation are under the first card data key', async () => {
    for (let i = 0; i < 3; i++) phases.before.push(await pay());
    for (const [i, pan] of ['4242424242424242', '5555555555554444', '378282246310005'].entries()) {
      const card = { pan, exp_month: i + 1, exp_year: 2031 };
      await storeProbeCard(store(), vault(), `before-${i}`, card);
      expected.set(`probe:before-${i}`, card);
    }
    tokens.visa = await storeToken(gw, merchant, clock, expected, SHOPPER, {
      pan: '4242424242424242',
      exp_month: 3,
      exp_year: 2033,
    });
    tokens.mastercard = await storeToken(gw, merchant, clock, expected, SHOPPER, {
      pan: '5555555555554444',
      exp_month: 4,
      exp_year: 2034,
    });
    for (const record of (await cardRecords(store())).values()) expect(keyOf(record)).toBe(ids.dk1);
    // Nothing to do yet: the keyring file has not changed.
    expect(await rotation.followKeyring()).toBe(false);
  });

  it('rotate-master appends a new primary to the keyring file', async () => {
    const { masterKeyId, file } = await rotateMaster(gw.config);
    ids.mk2 = masterKeyId;
    expect(file).toBe(vault().keyring.file);
    const ring = readKeyringFile(file);
    expect([...ring.keys.keys()]).toEqual([ids.mk1, ids.mk2]);
    expect(ring.primaryId).toBe(ids.mk2);
  });

  it('until the server looks again, cards go on being stored under the first card key', async () => {
    for (let i = 0; i < 2; i++) phases.duringUnnoticed.push(await pay());
    for (const id of phases.duringUnnoticed) {
      expect(keyOf((await orderOf(store(), id)).card_ciphertext!)).toBe(ids.dk1);
    }
  });

  it('the server adopts the new keyring: data keys re-wrapped, a new primary card key, the same fingerprint key', async () => {
    expect(await rotation.followKeyring()).toBe(true);
    expect(vault().keyring.primaryId).toBe(ids.mk2);
    const keys = vault().dataKeys;
    expect(keys.card_keys.map((k) => k.id)[0]).toBe(ids.dk1);
    expect(keys.card_keys).toHaveLength(2);
    ids.dk2 = vault().primaryCardKeyId;
    expect(ids.dk2).not.toBe(ids.dk1);
    expect(keys.fingerprint.id).toBe(ids.fingerprint);
    for (const k of [...keys.card_keys, keys.fingerprint]) expect(k.master_key_id).toBe(ids.mk2);
    // The stored setting says the same, in the list shape.
    expect(JSON.parse(await settingValue('data_keys'))).toEqual(JSON.parse(JSON.stringify(keys)));
    // A second look changes nothing.
    expect(await rotation.followKeyring()).toBe(false);
  });

  it('the old master key wraps nothing now and is reported retirable at once', async () => {
    const status = await keyStatus(vault());
    expect(status.master_keys).toEqual([
      { id: ids.mk1, primary: false, wraps: [], retirable: true },
      { id: ids.mk2, primary: true, wraps: [ids.dk1, ids.dk2, ids.fingerprint], retirable: false },
    ]);
    expect(status.rotation_in_progress).toBe(true);
    const dk1 = status.data_keys.find((d) => d.id === ids.dk1)!;
    expect(dk1).toMatchObject({
      purpose: 'card',
      primary: false,
      card_records: 10,
      sealed: [PLATFORM_KEY_SETTING],
    });
    expect(status.data_keys.find((d) => d.id === ids.dk2)).toMatchObject({ primary: true, card_records: 0 });
  });

  it('the re-encryption pass moves every record to the new card key while new cards are stored', async () => {
    const [pass] = await Promise.all([
      rotation.reencrypt(),
      (async () => {
        for (let i = 0; i < 2; i++) phases.duringPass.push(await pay());
      })(),
    ]);
    // Orders of the earlier phases, probe rows, tokens; the new payments were under the new key already.
    expect(pass.rewrapped).toBe(3 + 2 + 3 + 2);
    expect(pass.failed).toBe(0);
    expect(pass.resealed).toEqual([PLATFORM_KEY_SETTING]);
    // Nothing is left under the old key, but it was superseded a moment ago: it stays for now.
    expect(pass.deleted).toEqual([]);
    expect(pass.remaining[ids.dk1!]).toBe(0);
    for (const record of (await cardRecords(store())).values()) expect(keyOf(record)).toBe(ids.dk2);
    expect(keyOf(await settingValue(PLATFORM_KEY_SETTING))).toBe(ids.dk2);
  });

  it('cards stored after the rotation are under the new card key', async () => {
    for (let i = 0; i < 2; i++) phases.after.push(await pay());
    const card = { pan: '6011111111111117', exp_month: 7, exp_year: 2032 };
    await storeProbeCard(store(), vault(), 'after-0', card);
    expected.set('probe:after-0', card);
    tokens.jcb = await storeToken(gw, merchant, clock, expected, SHOPPER, {
      pan: '3566002020360505',
      exp_month: 5,
      exp_year: 2035,
    });
    for (const record of (await cardRecords(store())).values()) expect(keyOf(record)).toBe(ids.dk2);
  });

  it('every record decrypts to its own card, and fingerprints are unchanged', async () => {
    await expectAllDecrypt(store(), vault(), expected);
    for (const id of Object.values(phases).flat()) {
      expect((await orderOf(store(), id)).card_fingerprint).toBe(vault().fingerprint(NO_ANSWER));
    }
  });

  it('once the grace period has passed, the scan deletes the old card key', async () => {
    clock.advance(GRACE_MS);
    const pass = await rotation.reencrypt();
    expect(pass).toMatchObject({ rewrapped: 0, failed: 0, deleted: [ids.dk1] });
    expect(pass.remaining).toEqual({ [ids.dk2!]: 16 });
    expect(vault().dataKeys.card_keys.map((k) => k.id)).toEqual([ids.dk2]);
    expect(JSON.parse(await settingValue('data_keys')).card_keys).toHaveLength(1);
    const status = await keyStatus(vault());
    expect(status.rotation_in_progress).toBe(false);
    expect(status.data_keys.map((d) => [d.id, d.card_records])).toEqual([
      [ids.dk2, 16],
      [ids.fingerprint, null],
    ]);
    expect(status.unreadable_card_records).toBe(0);
  });

  it('retire-master removes the old master key; the primary cannot be retired', async () => {
    await expect(retireMaster(gw.config, ids.mk2!)).rejects.toThrow(`master key "${ids.mk2}" still wraps`);
    await expect(retireMaster(gw.config, 'mk_unknown')).rejects.toThrow('holds no master key "mk_unknown"');
    await retireMaster(gw.config, ids.mk1!);
    expect([...readKeyringFile(vault().keyring.file!).keys.keys()]).toEqual([ids.mk2]);
    // The running server adopts the shorter keyring: nothing it needs is gone.
    await rotation.followKeyring();
    expect([...vault().keyring.keys.keys()]).toEqual([ids.mk2]);
  });

  it('the new master key alone opens the store and decrypts everything', async () => {
    const alone = loadKeyring(gw.config.dataDir, undefined);
    expect([...alone.keys.keys()]).toEqual([ids.mk2]);
    const fresh = await Vault.open(store(), alone);
    await expectAllDecrypt(store(), fresh, expected);
    expect(fresh.fingerprint(NO_ANSWER)).toBe(vault().fingerprint(NO_ANSWER));
    const rt = await openRuntime(gw.config);
    try {
      expect(rt.platformPublicKeyPem).toBe(gw.platformPublicKeyPem);
    } finally {
      await rt.store.close();
    }
  });

  it('cards stored before, during and after the rotation still pay', async () => {
    clock.advance(10_000);
    const orders = Object.values(phases).flat();
    expect(orders).toHaveLength(9);
    const results = await gw.jobs.runDue();
    expect(results.reconciled).toBe(orders.length);
    for (const id of orders) {
      const row = await orderOf(store(), id);
      expect(row, id).toMatchObject({ status: 'SUCCESS', card_ciphertext: null });
      expected.delete(id);
    }
  });

  it('cards stored as tokens before and after the rotation still pay, charging the stored card', async () => {
    for (const [name, token] of Object.entries(tokens)) {
      const order = await payByToken(gw, merchant, clock, token, SHOPPER);
      expect(order.status, name).toBe('SUCCESS');
      const charged = acquirer.calls.filter((c) => c.orderId === order.order_id);
      expect(charged.map((c) => c.card.pan)).toEqual([expected.get(`token:${token}`)!.pan]);
      expect(charged[0]!.card).toMatchObject({
        expMonth: expected.get(`token:${token}`)!.exp_month,
        expYear: expected.get(`token:${token}`)!.exp_year,
      });
    }
  });
});

/**
 * The second "process" is a second vault and app of its own (own keys in memory, own keyring,
 * own jobs) over the same store connection: two SQLite connections in one Node process would
 * block each other's locks, which two real processes do not.
 */
describe('a second rotation, with a second process on the store and orders completing meanwhile', () => {
  let secondVault: Vault;
  let secondApp: App;
  let secondRotation: KeyRotation;
  const orders: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 6; i++) orders.push(await pay());
    secondVault = await Vault.open(store(), loadKeyring(gw.config.dataDir, undefined));
    secondApp = buildApp({
      ...gw.runtime,
      vault: secondVault,
      acquirer: new SimulatedAcquirer({ clock }),
      clock,
      logger: pino({ level: 'silent' }),
      settings: gw.config,
    });
    secondRotation = new KeyRotation({
      store: store(),
      vault: secondVault,
      clock,
      graceMs: GRACE_MS,
      batchSize: 1,
    });
  });
  afterAll(() => secondApp?.app.close());

  it('both processes adopt the new keyring and agree on one new card key', async () => {
    ids.mk3 = (await rotateMaster(gw.config)).masterKeyId;
    const changed = await Promise.all([rotation.followKeyring(), secondRotation.followKeyring()]);
    expect(changed).toEqual([true, true]);
    ids.dk3 = vault().primaryCardKeyId;
    expect(secondVault.primaryCardKeyId).toBe(ids.dk3);
    expect(vault().dataKeys).toEqual(secondVault.dataKeys);
    expect(vault().dataKeys.card_keys.map((k) => k.id)).toEqual([ids.dk2, ids.dk3]);
    expect(vault().dataKeys.fingerprint.id).toBe(ids.fingerprint);
  });

  it('passes in both processes and the reconciler completing the same orders: the completion wins', async () => {
    clock.advance(10_000);
    const [a, b, jobs] = await Promise.all([
      rotation.reencrypt(),
      secondRotation.reencrypt(),
      secondApp.jobs.runDue(),
    ]);
    expect(jobs.reconciled).toBe(orders.length);
    expect(a.failed + b.failed).toBe(0);
    for (const id of orders) {
      // Never given a ciphertext back after the completion dropped it.
      expect(await orderOf(store(), id), id).toMatchObject({ status: 'SUCCESS', card_ciphertext: null });
      expected.delete(id);
    }
    // Only stored cards remain (probe rows and tokens), all under the new key.
    const records = await cardRecords(store());
    expect([...records.keys()].every((id) => /^(probe|token):/.test(id))).toBe(true);
    for (const record of records.values()) expect(keyOf(record)).toBe(ids.dk3);
    await expectAllDecrypt(store(), secondVault, expected);
  });

  it('either process deletes the old card key once the grace period has passed; both then agree', async () => {
    clock.advance(GRACE_MS);
    const pass = await secondRotation.reencrypt();
    expect(pass.deleted).toEqual([ids.dk2]);
    expect(await rotation.followKeyring()).toBe(true);
    expect(vault().dataKeys.card_keys.map((k) => k.id)).toEqual([ids.dk3]);
    const status = await keyStatus(vault());
    expect(status.master_keys.filter((m) => m.retirable).map((m) => m.id)).toEqual([ids.mk2]);
    await retireMaster(gw.config, ids.mk2!);
    await Promise.all([rotation.followKeyring(), secondRotation.followKeyring()]);
    expect([...secondVault.keyring.keys.keys()]).toEqual([ids.mk3]);
    await expectAllDecrypt(
      store(),
      await Vault.open(store(), loadKeyring(gw.config.dataDir, undefined)),
      expected,
    );
  });
});

describe('a record changed while the pass is at it', () => {
  it('keeps the change: the rewrite is a compare-and-set on the old ciphertext', async () => {
    await rotateMaster(gw.config);
    await rotation.followKeyring();
    const records = await cardRecords(store());
    const [changedId, ...others] = [...records.keys()]
      .filter((id) => id.startsWith('probe:'))
      .map((id) => id.replace(/^probe:/, ''));
    expect(others.length).toBeGreaterThan(0);
    // Another writer (its own connection) updates one row between the pass reading a batch and rewriting it.
    const other = await openStore({ databaseUrl: gw.config.databaseUrl, dataDir: gw.config.dataDir });
    let interfered = false;
    const interfere: KyselyPlugin = {
      transformQuery: (args) => args.node,
      async transformResult(args) {
        if (!interfered && args.result.rows.some((r) => (r as { k?: string }).k === changedId)) {
          interfered = true;
          await sql`update ${sql.table(PROBE_TABLE)} set card_ciphertext = ${'replaced'}
            where card_id = ${changedId}`.execute(other.writer);
        }
        return args.result;
      },
    };
    try {
      const result = await rewrapCards(
        { ...store(), writer: store().writer.withPlugin(interfere) },
        vault(),
        [{ table: PROBE_TABLE, key: 'card_id', column: 'card_ciphertext' }],
        10,
      );
      expect(interfered).toBe(true);
      expect(result).toEqual({ rewrapped: others.length, changed: 1, failed: 0 });
    } finally {
      await other.close();
    }
    const after = await cardRecords(store());
    expect(after.get(`probe:${changedId}`)).toBe('replaced');
    for (const id of others) expect(keyOf(after.get(`probe:${id}`)!)).toBe(vault().primaryCardKeyId);
  });
});
