/**
 * A fresh, empty store per test file: a temp dir with its own SQLite file, or a new PostgreSQL
 * database created for the test and dropped after. OPENKKA_TEST_STORE picks which; vitest runs
 * every feature test once per store. PostgreSQL missing is a failure, never a skip.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type TestStoreKind = 'sqlite' | 'postgres';

export interface TestStore {
  kind: TestStoreKind;
  dataDir: string;
  /** Set for PostgreSQL. */
  databaseUrl: string | undefined;
  /** The environment a CLI child process needs to use this store. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** The postgres project's global setup (test/setup/postgres.ts) chooses the server and sets this. */
export const PG_ADMIN_URL = process.env.OPENKKA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function testStoreKind(): TestStoreKind {
  const kind = process.env.OPENKKA_TEST_STORE ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres')
    throw new Error(`OPENKKA_TEST_STORE=${kind}: use sqlite or postgres`);
  return kind;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is required for the postgres test project and is not reachable at ${PG_ADMIN_URL}: ${(err as Error).message}`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestStore(kind: TestStoreKind = testStoreKind()): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openkka-test-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') {
    return {
      kind,
      dataDir,
      databaseUrl: undefined,
      env: { OPENKKA_DATA_DIR: dataDir },
      drop: async () => removeDir(),
    };
  }
  const name = `openkka_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    kind,
    dataDir,
    databaseUrl,
    env: { OPENKKA_DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
    drop: async () => {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      removeDir();
    },
  };
}
