/**
 * The keyring commands as an operator runs them, against a real `openkka start`: `keys
 * rotate-master` adds a primary, the running server adopts it without a restart (`keys status`
 * shows the data keys re-wrapped and the old master key retirable), `keys retire-master`
 * removes the old key. `keys card-encryption` and `keys rotate-card-encryption` show and rotate
 * the gateway keys browsers encrypt cards to, and the running server hands out the new one.
 * With OPENKKA_MASTER_KEY, rotate-master explains and changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyStatus } from '../../src/vault/status.ts';
import { killChildren, runCli, type ServerProcess, startServer } from '../cli/run-cli.ts';
import { eventually } from '../helpers/eventually.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';

// Every CLI run is a fresh Node process; the server looks at its keyring every 5 s.
let store: TestStore;
let server: ServerProcess;

beforeAll(async () => {
  store = await createTestStore();
  server = await startServer(store.env);
});
afterAll(async () => {
  killChildren();
  await store?.drop();
});

async function status(): Promise<KeyStatus> {
  const result = await runCli(['keys', 'status', '--json'], store.env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as KeyStatus;
}

describe('rotating the master key of a running gateway', () => {
  let oldId: string;
  let newId: string;

  it('keys status shows one primary master key wrapping every data key', async () => {
    const s = await status();
    expect(s.master_keys).toHaveLength(1);
    expect(s.master_keys[0]).toMatchObject({ primary: true, retirable: false });
    oldId = s.master_keys[0]!.id;
    expect(s.data_keys.map((d) => d.purpose)).toEqual(['card', 'fingerprint']);
    expect(s.rotation_in_progress).toBe(false);
  });

  it('keys rotate-master prints the new primary key id', async () => {
    const result = await runCli(['keys', 'rotate-master', '--json'], store.env);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { master_key_id: string; file: string };
    expect(out.master_key_id).toMatch(/^mk_[0-9a-f]{8}$/);
    expect(out.file.startsWith(store.dataDir)).toBe(true);
    newId = out.master_key_id;
  });

  it('the running server adopts it without a restart: data keys re-wrapped, the old key retirable', async () => {
    const s = await eventually(
      'the old master key retirable',
      async () => {
        const now = await status();
        return now.master_keys.find((m) => m.id === oldId)?.retirable ? now : undefined;
      },
      undefined,
      500,
    );
    expect(s.master_keys).toEqual([
      { id: oldId, primary: false, wraps: [], retirable: true },
      expect.objectContaining({ id: newId, primary: true, retirable: false }),
    ]);
    expect(s.data_keys.filter((d) => d.purpose === 'card')).toHaveLength(2);
    for (const d of s.data_keys) expect(d.master_key_id).toBe(newId);
    expect(server.child.exitCode).toBeNull();
  });

  it('keys retire-master removes the old key and refuses the primary', async () => {
    const refused = await runCli(['keys', 'retire-master', newId], store.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`master key "${newId}" still wraps`);
    const result = await runCli(['keys', 'retire-master', oldId], store.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Master key ${oldId} removed from`);
    const text = await runCli(['keys', 'status'], store.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${newId}  primary`);
    expect(text.stdout).toContain('Retirable master keys: none');
    expect(text.stdout).not.toContain(oldId);
  });

  it('keys status shows the gateway keys sealed under the primary card data key, like the platform key', async () => {
    const made = await runCli(['keys', 'card-encryption', '--json'], store.env);
    expect(made.code, made.stderr).toBe(0);
    const s = await status();
    const primary = s.data_keys.find((d) => d.purpose === 'card' && d.primary)!;
    expect(primary.sealed).toEqual(['platform_key', 'card_encryption_keys']);
  });

  it('keys rotate-card-encryption makes a new gateway key that the running server hands out', async () => {
    const listed = await runCli(['merchant', 'list', '--json'], store.env);
    const clientKey = (JSON.parse(listed.stdout) as { merchants: { client_key: string }[] }).merchants[0]!
      .client_key;
    const served = async () => {
      const res = await fetch(`${server.url}/cp/keys/${clientKey}`);
      return ((await res.json()) as { data: { key: { kid: string } } }).data.key.kid;
    };
    const before = await runCli(['keys', 'card-encryption', '--json'], store.env);
    expect(before.code, before.stderr).toBe(0);
    const first = JSON.parse(before.stdout) as { key: { kid: string; d?: string }; keys: unknown[] };
    expect(first.key).not.toHaveProperty('d');
    expect(first.keys).toHaveLength(1);
    expect(await served()).toBe(first.key.kid);

    const rotated = await runCli(['keys', 'rotate-card-encryption', '--json'], store.env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const after = JSON.parse(rotated.stdout) as {
      key: { kid: string };
      keys: { kid: string; superseded_at: number | null; decrypts_until: number | null }[];
    };
    expect(after.key.kid).not.toBe(first.key.kid);
    expect(after.keys.map((k) => k.kid)).toEqual([first.key.kid, after.key.kid]);
    const old = after.keys[0]!;
    expect(old.decrypts_until! - old.superseded_at!).toBe(25 * 3_600_000);
    expect(after.keys[1]).toMatchObject({ superseded_at: null, decrypts_until: null });
    await eventually('the server hands out the new gateway key', async () =>
      (await served()) === after.key.kid ? true : undefined,
    );

    const text = await runCli(['keys', 'card-encryption'], store.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(
        `^Current gateway key: ${after.key.kid} \\(made .+\\)\nOlder gateway key: ${old.kid} \\(superseded .+; decrypts until .+\\)\n$`,
      ),
    );
  });

  it('the server ran through it all without a key-rotation problem, and stops cleanly', async () => {
    const stopped = await server.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).not.toMatch(/key rotation:/);
  });
});

describe('with OPENKKA_MASTER_KEY', () => {
  it('rotate-master explains how to rotate and changes nothing', async () => {
    const env = await createTestStore();
    try {
      const result = await runCli(['keys', 'rotate-master'], {
        ...env.env,
        OPENKKA_MASTER_KEY: `mk_env:${randomBytes(32).toString('base64')}`,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/append a new entry to the end of OPENKKA_MASTER_KEY/);
      expect(result.stdout).toBe('');
    } finally {
      await env.drop();
    }
  });
});
