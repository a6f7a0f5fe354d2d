/**
 * The master keyring: key-encryption keys that wrap the store's data keys. It comes from
 * OPENKKA_MASTER_KEY or from `master.key` in the data dir (created 0600 on first use).
 *
 * Format (env or file): entries `id:base64` separated by commas or newlines; blank lines and
 * lines starting with `#` are skipped. The LAST entry is the primary, which wraps; every entry
 * unwraps (rotation appends). A bare base64 value is one key with id `env`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensurePrivateDir,
  keepPrivate,
  PRIVATE_FILE_MODE,
  type Warn,
  warnOnStderr,
} from '../store/private-files.ts';

export interface Keyring {
  primaryId: string;
  /** In entry order: oldest first, the primary last. */
  keys: ReadonlyMap<string, Buffer>;
  /** Where it came from, for error messages (never the key itself). */
  source: string;
  /** The keyring file, when it came from one; unset for OPENKKA_MASTER_KEY. */
  file?: string | undefined;
}

export const KEYRING_FILE = 'master.key';
export const ENV_SOURCE = 'OPENKKA_MASTER_KEY';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function keyringFile(dataDir: string): string {
  return join(dataDir, KEYRING_FILE);
}

/** The entries of a keyring text, in order, without blank lines and comments. */
export function keyringEntries(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

function splitEntry(entry: string): [id: string, base64: string] {
  const colon = entry.indexOf(':');
  return colon === -1 ? ['env', entry] : [entry.slice(0, colon).trim(), entry.slice(colon + 1).trim()];
}

export function parseKeyring(text: string, source: string, file?: string): Keyring {
  const entries = keyringEntries(text);
  if (entries.length === 0) throw new Error(`master keyring ${source} is empty`);
  const keys = new Map<string, Buffer>();
  let primaryId = '';
  for (const entry of entries) {
    const [id, b64] = splitEntry(entry);
    if (id === '') throw new Error(`a master key in ${source} has an empty id`);
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32 || !BASE64.test(b64)) {
      throw new Error(`master key "${id}" in ${source} must be 32 bytes, base64-encoded`);
    }
    // A second entry with one id would make "which key wrapped this" ambiguous.
    if (keys.has(id)) throw new Error(`master key id "${id}" appears twice in ${source}`);
    keys.set(id, key);
    primaryId = id;
  }
  return { primaryId, keys, source, file };
}

/** A fresh `id:base64` entry whose id is not yet in `taken`. */
export function newKeyEntry(taken: Iterable<string> = []): { id: string; entry: string } {
  const used = new Set(taken);
  let id: string;
  do id = `mk_${randomBytes(4).toString('hex')}`;
  while (used.has(id));
  return { id, entry: `${id}:${randomBytes(32).toString('base64')}` };
}

/** `text` with `entry` appended as the new last (primary) entry, on a line of its own. */
export function appendEntry(text: string, entry: string): string {
  const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${body}${entry}\n`;
}

/** `text` without the entry named `id`; comments, blank lines and the other entries stay as they were. */
export function removeEntry(text: string, id: string): string {
  return text
    .split('\n')
    .flatMap((line) => {
      if (line.trim().startsWith('#')) return [line];
      const parts = line.split(',');
      const kept = parts.filter((part) => part.trim() === '' || splitEntry(part.trim())[0] !== id);
      if (kept.length === parts.length) return [line];
      const joined = kept.filter((part) => part.trim() !== '').join(',');
      return joined.trim() === '' ? [] : [joined];
    })
    .join('\n');
}

/** Whether two keyrings hold the same entries in the same order. */
export function sameKeyring(a: Keyring, b: Keyring): boolean {
  if (a.keys.size !== b.keys.size || a.primaryId !== b.primaryId) return false;
  const bEntries = [...b.keys];
  return [...a.keys].every(([id, key], i) => bEntries[i]![0] === id && bEntries[i]![1].equals(key));
}

export function readKeyringFile(file: string): Keyring {
  return parseKeyring(readFileSync(file, 'utf8'), file, file);
}

export function loadKeyring(dataDir: string, env: string | undefined, warn: Warn = warnOnStderr): Keyring {
  if (env && env.trim() !== '') return parseKeyring(env, ENV_SOURCE);
  const file = keyringFile(dataDir);
  ensurePrivateDir(dataDir, warn);
  if (!existsSync(file)) {
    // 'wx' never overwrites a key another process created a moment ago.
    try {
      writeFileSync(file, `${newKeyEntry().entry}\n`, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  // A keyring the operator wrote, or copied in, with a looser mode is tightened before use.
  keepPrivate(file, warn);
  return readKeyringFile(file);
}
