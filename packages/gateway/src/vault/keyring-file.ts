/**
 * Changes to the `master.key` file: add a primary, retire an old key. Each change is written
 * to a temporary file (0600) that is synced and renamed over the keyring, so a reader (a
 * running server polling the file) sees the old keyring or the new one, never half of one.
 * A lock file keeps two changes from losing one another's entry.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { appendEntry, type Keyring, newKeyEntry, parseKeyring, removeEntry } from './keyring.ts';

/** A lock older than this was left by a crashed change, not one still running. */
const STALE_LOCK_MS = 60_000;

function takeLock(file: string): () => void {
  const lock = `${file}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs;
      if (attempt > 0 || !(age > STALE_LOCK_MS)) {
        throw new Error(`another change to ${file} is in progress (if none is, remove ${lock})`);
      }
      rmSync(lock, { force: true });
    }
  }
}

function writeAtomically(file: string, text: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  // The rename itself is durable only once the directory is synced (not possible everywhere).
  try {
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // best effort
  }
}

/**
 * Reads the keyring file under the lock, lets `change` compute the new text from the current
 * one (it may throw to refuse), checks that the result parses, and writes it atomically.
 */
export function changeKeyringFile(file: string, change: (text: string, keyring: Keyring) => string): Keyring {
  const unlock = takeLock(file);
  try {
    const text = readFileSync(file, 'utf8');
    const next = change(text, parseKeyring(text, file, file));
    const keyring = parseKeyring(next, file, file);
    writeAtomically(file, next);
    return keyring;
  } finally {
    unlock();
  }
}

/** Appends a new random key, which becomes the primary; returns its id. */
export function addMasterKey(file: string): string {
  let id = '';
  changeKeyringFile(file, (text, keyring) => {
    const fresh = newKeyEntry(keyring.keys.keys());
    id = fresh.id;
    return appendEntry(text, fresh.entry);
  });
  return id;
}

/**
 * Removes the key `id`. `stillNeeded` is asked under the lock and refuses by throwing; the
 * primary key is never removed (it is the one that wraps).
 */
export function removeMasterKey(file: string, id: string, stillNeeded: (keyring: Keyring) => void): void {
  changeKeyringFile(file, (text, keyring) => {
    if (!keyring.keys.has(id)) throw new Error(`${file} holds no master key "${id}"`);
    if (keyring.primaryId === id) {
      throw new Error(`master key "${id}" is the primary; add a new one first (openkka keys rotate-master)`);
    }
    stillNeeded(keyring);
    return removeEntry(text, id);
  });
}
