/**
 * Files at rest (docs/security.md#files-and-secrets-at-rest): the data dir was made 0755 and
 * openkka.db, -wal and -shm 0644 under the usual umask, so any local user could copy the
 * store. Now, under a permissive umask (022), `openkka start` and the CLI make the data dir
 * 0700 and the database files, the master keyring and generated private keys 0600, and a data
 * dir or file an operator (or an older version) left open to others is tightened with a warning.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPENKKA_BIN } from '../../src/cli/executable.ts';
import { killChildren, run, startServer } from '../cli/run-cli.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';

// One store per test: on PostgreSQL a store is wrapped by the master key of the first data dir used with it.
let fresh: TestStore;
let loose: TestStore;
let work: string;
beforeAll(async () => {
  [fresh, loose] = await Promise.all([createTestStore(), createTestStore()]);
  work = mkdtempSync(join(tmpdir(), 'openkka-modes-'));
});
afterAll(async () => {
  killChildren();
  rmSync(work, { recursive: true, force: true });
  await Promise.all([fresh?.drop(), loose?.drop()]);
});

/** Runs `node <args>` under umask 022, the common default that leaves files readable by all. */
const UMASK_022 = ['-c', 'umask 022 && exec "$0" "$@"', process.execPath];

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** `store`'s env with the data dir at `dataDir`. */
function envFor(store: TestStore, dataDir: string): Record<string, string> {
  return { ...store.env, OPENKKA_DATA_DIR: dataDir };
}

function cli(store: TestStore, dataDir: string, ...args: string[]) {
  return run('sh', [...UMASK_022, OPENKKA_BIN, ...args], envFor(store, dataDir));
}

it('makes a fresh data dir 0700, and the store, WAL files and keys 0600, under umask 022', async () => {
  const dataDir = join(work, 'fresh', 'data');
  const server = await startServer(envFor(fresh, dataDir), undefined, {
    command: 'sh',
    args: [...UMASK_022, OPENKKA_BIN, 'start'],
  });
  try {
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'master.key'))).toBe(0o600);
    expect(modeOf(join(dataDir, 'demo-merchant-private-key.pem'))).toBe(0o600);
    if (fresh.kind === 'sqlite') {
      // The server is running and has written (migrations, the demo merchant): WAL and shm exist.
      for (const name of ['openkka.db', 'openkka.db-wal', 'openkka.db-shm']) {
        expect([name, modeOf(join(dataDir, name))]).toEqual([name, 0o600]);
      }
    }
    expect(server.stderr()).not.toContain('open to other users');
  } finally {
    await server.stop('SIGTERM');
  }

  const keys = join(work, 'fresh', 'merchant-keys');
  const created = await cli(
    fresh,
    dataDir,
    'merchant',
    'create',
    '--name',
    'Modes',
    '--generate-key',
    keys,
    '--json',
  );
  expect(created.code).toBe(0);
  const keyFile = JSON.parse(created.stdout).private_key_file as string;
  expect(modeOf(keys)).toBe(0o700);
  expect(modeOf(keyFile)).toBe(0o600);
  expect(modeOf(dataDir)).toBe(0o700);
});

it('tightens a data dir, keyring and store files left open to others, and says so', async () => {
  const dataDir = join(work, 'loose');
  // A data dir the operator made with the usual umask.
  mkdirSync(dataDir, { mode: 0o755 });
  chmodSync(dataDir, 0o755);
  const first = await cli(loose, dataDir, 'migrate');
  expect(first.code).toBe(0);
  expect(modeOf(dataDir)).toBe(0o700);
  expect(first.stderr).toContain(`directory ${dataDir} was open to other users (0755): its mode is now 0700`);

  // As an older openkka, or an operator's copy, left them.
  const keyring = join(dataDir, 'master.key');
  const storeFiles = ['openkka.db', 'openkka.db-wal', 'openkka.db-shm']
    .map((name) => join(dataDir, name))
    .filter((file) => existsSync(file));
  if (loose.kind === 'sqlite') expect(storeFiles).toContain(join(dataDir, 'openkka.db'));
  chmodSync(dataDir, 0o755);
  for (const file of [keyring, ...storeFiles]) chmodSync(file, 0o644);

  const listed = await cli(loose, dataDir, 'merchant', 'list', '--json');
  expect(listed.code).toBe(0);
  expect(modeOf(dataDir)).toBe(0o700);
  for (const file of [keyring, ...storeFiles]) {
    expect([file, modeOf(file)]).toEqual([file, 0o600]);
    expect(listed.stderr).toContain(`file ${file} was open to other users (0644): its mode is now 0600`);
  }
  expect(listed.stderr).toContain(`directory ${dataDir} was open to other users (0755)`);
  // Once tightened, there is nothing more to say.
  const again = await cli(loose, dataDir, 'merchant', 'list', '--json');
  expect(again.code).toBe(0);
  expect(again.stderr).not.toContain('open to other users');
});
