/**
 * The master keyring: key-encryption keys that wrap the store's data keys. It comes from
 * OPENKKA_MASTER_KEY or from `master.key` in the data dir (created 0600 on first use).
 *
 * Format (env or file): entries `id:base64` separated by commas or newlines; the LAST entry is
 * the primary (rotation appends). A bare base64 value is one key with id `env`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Keyring {
  primaryId: string;
  keys: ReadonlyMap<string, Buffer>;
  /** Where it came from, for error messages (never the key itself). */
  source: string;
}

export function parseKeyring(text: string, source: string): Keyring {
  const entries = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
  if (entries.length === 0) throw new Error(`master keyring ${source} is empty`);
  const keys = new Map<string, Buffer>();
  let primaryId = '';
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const [id, b64] = colon === -1 ? ['env', entry] : [entry.slice(0, colon), entry.slice(colon + 1)];
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
      throw new Error(`master key "${id}" in ${source} must be 32 bytes, base64-encoded`);
    }
    keys.set(id, key);
    primaryId = id;
  }
  return { primaryId, keys, source };
}

export function loadKeyring(dataDir: string, env: string | undefined): Keyring {
  if (env && env.trim() !== '') return parseKeyring(env, 'OPENKKA_MASTER_KEY');
  const file = join(dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const id = `mk_${randomBytes(4).toString('hex')}`;
    // 'wx' never overwrites a key another process created a moment ago.
    try {
      writeFileSync(file, `${id}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return parseKeyring(readFileSync(file, 'utf8'), file);
}
